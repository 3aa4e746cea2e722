//! Documents the error answers every operation can give, once, in the OpenAPI document: problem
//! details (`application/problem+json`) for bad input (400), missing credentials (401), refusals
//! (403/404), conflicts (409), too large or mistyped bodies (413/415), quota and policy (422),
//! throttling (429) and unavailability (503). Handlers list their own answers too; this fills in the
//! rest and gives every problem answer its real content type.

use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::path::Operation;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::{OpenApi, Ref, RefOr};

const PROBLEM: &str = "application/problem+json";

/// The error answers any operation may give, with what they mean.
const COMMON: &[(&str, &str)] = &[
    ("400", "Invalid input: the problem names the field at fault"),
    ("401", "No valid credentials"),
    ("403", "Visible but not allowed"),
    ("404", "Not found, or not visible to the caller"),
    ("405", "The path does not take this method"),
    ("409", "Conflict with the current state"),
    ("413", "The body is larger than 1 MiB"),
    ("415", "The body is not application/json"),
    (
        "422",
        "Refused by quota, placement or policy, with the reason",
    ),
    ("429", "Too many failed logins; try later"),
    ("503", "The store or a cluster cannot be reached"),
];

fn problem_response(description: &str) -> RefOr<utoipa::openapi::Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build(),
    )
}

fn document(op: &mut Operation) {
    for (code, description) in COMMON {
        let entry = op
            .responses
            .responses
            .entry((*code).to_string())
            .or_insert_with(|| problem_response(description));
        // A handler's own problem answer: same schema, the problem content type.
        if let RefOr::T(resp) = entry {
            if let Some(content) = resp.content.shift_remove("application/json") {
                resp.content.insert(PROBLEM.to_string(), content);
            }
        }
    }
}

/// Every operation of `doc`, to change.
pub fn operations_mut(doc: &mut OpenApi) -> impl Iterator<Item = &mut Operation> {
    doc.paths.paths.values_mut().flat_map(|item| {
        [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
    })
}

/// Adds the common problem answers to every operation of `doc`.
pub fn add_problem_answers(doc: &mut OpenApi) {
    operations_mut(doc).for_each(document);
}
