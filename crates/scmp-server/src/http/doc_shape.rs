//! The OpenAPI document as SDK generators read it: every operation tagged with its resource (so a
//! generated client has a module per resource), and every list page referencing its item's schema
//! (so a tenant from `tenant_list` and one from `tenant_view` are the same type in a generated SDK).

use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{ArrayItems, Schema};
use utoipa::openapi::tag::TagBuilder;
use utoipa::openapi::{OpenApi, Ref, RefOr};

/// The resources, by the operation ids' first words, with what each tag says.
const TAGS: &[(&str, &str, &str)] = &[
    (
        "tenant",
        "tenants",
        "Tenants (business units) and their quotas",
    ),
    (
        "project",
        "projects",
        "Projects of a tenant and their quotas",
    ),
    ("user", "users", "Users of the platform and of tenants"),
    ("group", "groups", "Groups of users"),
    (
        "role_binding",
        "role-bindings",
        "Roles given to users and groups on a scope",
    ),
    ("token", "tokens", "API tokens"),
    ("session", "sessions", "Login sessions"),
    ("me", "me", "The caller"),
    ("site", "sites", "Edge sites"),
    (
        "cluster",
        "clusters",
        "Proxmox VE clusters registered at sites",
    ),
    ("host", "hosts", "Hosts of a cluster and their maintenance"),
    ("image", "images", "The catalog's images"),
    (
        "instance_type",
        "instance-types",
        "The catalog's instance types",
    ),
    ("guest", "guests", "Virtual machines and containers"),
    ("snapshot", "snapshots", "Snapshots of a guest"),
    ("operation", "operations", "Long-running changes"),
    ("audit", "audit", "The tamper-evident audit log"),
];

/// The tag of an operation id (`instance_type_list` -> `instance-types`).
pub fn tag_of(operation_id: &str) -> Option<&'static str> {
    TAGS.iter()
        .filter(|(prefix, _, _)| {
            operation_id
                .strip_prefix(prefix)
                .is_some_and(|rest| rest.starts_with('_'))
        })
        // `role_binding_list` is a role binding's, not a role's: the longest prefix wins.
        .max_by_key(|(prefix, _, _)| prefix.len())
        .map(|(_, tag, _)| *tag)
}

fn tag(op: &mut Operation) {
    if let Some(t) = op.operation_id.as_deref().and_then(tag_of) {
        op.tags = Some(vec![t.to_string()]);
    }
}

/// Tags every operation and lists the tags with their descriptions.
pub fn add_tags(doc: &mut OpenApi) {
    super::problems_doc::operations_mut(doc).for_each(tag);
    doc.tags = Some(
        TAGS.iter()
            .map(|(_, name, description)| {
                TagBuilder::new()
                    .name(*name)
                    .description(Some(*description))
                    .build()
            })
            .collect(),
    );
}

/// Makes every `Page_X` schema's items a reference to the component `X` (moving the inline schema
/// there when `X` is not a component yet).
pub fn reference_page_items(doc: &mut OpenApi) {
    let Some(components) = doc.components.as_mut() else {
        return;
    };
    let pages: Vec<String> = components
        .schemas
        .keys()
        .filter(|k| k.starts_with("Page_"))
        .cloned()
        .collect();
    for page in pages {
        let item_name = page.trim_start_matches("Page_").to_string();
        let Some(RefOr::T(Schema::Object(obj))) = components.schemas.get_mut(&page) else {
            continue;
        };
        let Some(RefOr::T(Schema::Array(arr))) = obj.properties.get_mut("items") else {
            continue;
        };
        let ArrayItems::RefOrSchema(inner) = &mut arr.items else {
            continue;
        };
        if matches!(inner.as_ref(), RefOr::Ref(_)) {
            continue;
        }
        let inline = std::mem::replace(
            inner.as_mut(),
            RefOr::Ref(Ref::from_schema_name(item_name.clone())),
        );
        components.schemas.entry(item_name).or_insert(inline);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_follow_the_resource() {
        assert_eq!(tag_of("tenant_quota_view"), Some("tenants"));
        assert_eq!(tag_of("role_binding_list"), Some("role-bindings"));
        assert_eq!(tag_of("instance_type_delete"), Some("instance-types"));
        assert_eq!(tag_of("audit_checkpoint_list"), Some("audit"));
        assert_eq!(tag_of("me_view"), Some("me"));
        assert_eq!(tag_of("guestbook_list"), None);
    }
}
