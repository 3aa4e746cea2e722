//! Governance: what may be done at all, where, and how strictly. A policy is a set of Cedar
//! `forbid` rules over a typed input (`policy/input.cedarschema`): a rule that holds for a request
//! is a violation. Each policy has an enforcement level: `deny` refuses the request naming the
//! policy, `warn` accepts it with the warning, `require_approval` holds it for approvers, `lease` gives the guest an expiry. Built-in policies are parameters rendered to the same
//! rules. Every policy is validated against the schema before it is kept, and every input against
//! it before it is evaluated; a rule that cannot be evaluated counts as violated.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod builtin;
mod input;

use std::collections::HashMap;
use std::str::FromStr;

use cedar_policy::{
    Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, Policy, PolicyId, PolicySet,
    Request, Schema, ValidationMode, Validator,
};
use serde::{Deserialize, Serialize};

pub use builtin::Builtin;
pub use input::{ActorFacts, GuestFacts, Operation, OwnerFacts, PolicyInput, TimeFacts};

/// The input's schema, in Cedar's schema language.
pub const SCHEMA: &str = include_str!("../policy/input.cedarschema");

/// Why a policy or an input is not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// A built-in policy's parameter is out of bounds.
    #[error("{field}: {message}")]
    Parameter {
        /// The parameter (`countries[1]`).
        field: String,
        /// Why.
        message: String,
    },
    /// A policy's Cedar text does not parse, holds something else than forbid rules, or does not
    /// fit the input's schema.
    #[error("{0}")]
    Source(String),
    /// An input does not fit the schema.
    #[error("the input does not fit the policies' schema: {0}")]
    Input(String),
}

/// What happens when a policy's rule holds for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Enforcement {
    /// The request is refused with the policy's id and message.
    Deny,
    /// The request goes ahead; the warning is answered and kept on its operation.
    Warn,
    /// The request waits, its quota reserved, until the policy's approvers approve it.
    RequireApproval,
    /// The guest created gets an expiry (the policy's lease).
    Lease,
}

/// How a policy is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A built-in policy with its parameters.
    Builtin(Builtin),
    /// Cedar `forbid` rules over the input.
    Cedar(String),
}

/// A policy as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyDef {
    /// The policy's key (its name), named in refusals.
    pub key: String,
    /// What a violation does.
    pub enforcement: Enforcement,
    /// What a violation says; a built-in policy's own message when absent.
    pub message: Option<String>,
    /// The rules.
    pub source: Source,
}

impl PolicyDef {
    /// What a violation says: its own message, or the built-in's.
    pub fn message_or_default(&self) -> String {
        match (&self.message, &self.source) {
            (Some(m), _) => m.clone(),
            (None, Source::Builtin(b)) => b.default_message(),
            (None, Source::Cedar(_)) => format!("refused by policy {}", self.key),
        }
    }

    /// The policy as Cedar text.
    pub fn cedar(&self) -> Result<String, PolicyError> {
        match &self.source {
            Source::Builtin(b) => b.render(),
            Source::Cedar(text) => Ok(text.clone()),
        }
    }
}

/// A policy whose rule held for a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// The policy's key.
    pub policy: String,
    /// What it does.
    pub enforcement: Enforcement,
    /// What it says.
    pub message: String,
}

/// The outcome of evaluating a request: every policy that holds against it, once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The policies violated, in the order of the set.
    pub hits: Vec<Hit>,
}

impl Verdict {
    /// The first policy that refuses the request, if any.
    pub fn denial(&self) -> Option<&Hit> {
        self.hits
            .iter()
            .find(|h| h.enforcement == Enforcement::Deny)
    }

    /// The warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Hit> {
        self.hits
            .iter()
            .filter(|h| h.enforcement == Enforcement::Warn)
    }

    /// The policies that give the guest a lease.
    pub fn leases(&self) -> impl Iterator<Item = &Hit> {
        self.hits
            .iter()
            .filter(|h| h.enforcement == Enforcement::Lease)
    }

    /// The policies whose approvers must consent first.
    pub fn approvals(&self) -> impl Iterator<Item = &Hit> {
        self.hits
            .iter()
            .filter(|h| h.enforcement == Enforcement::RequireApproval)
    }
}

/// The schema and what checks policies against it. Build once; cheap to share.
pub struct Governance {
    schema: Schema,
    validator: Validator,
}

impl std::fmt::Debug for Governance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Governance")
    }
}

fn uid(kind: &str, id: &str) -> Result<EntityUid, PolicyError> {
    let t = EntityTypeName::from_str(&format!("Scmp::{kind}"))
        .map_err(|e| PolicyError::Input(e.to_string()))?;
    Ok(EntityUid::from_type_name_and_id(t, EntityId::new(id)))
}

/// The always-present rule that lets through what no forbid rule stops.
const BASE: &str = "permit (principal, action, resource);";
const BASE_ID: &str = "scmp-base";

impl Governance {
    /// Loads the input's schema.
    pub fn new() -> Result<Governance, PolicyError> {
        let (schema, _) = Schema::from_cedarschema_str(SCHEMA)
            .map_err(|e| PolicyError::Source(format!("the schema does not parse: {e}")))?;
        let validator = Validator::new(schema.clone());
        Ok(Governance { schema, validator })
    }

    /// A policy's rules, checked: they parse, they are `forbid` rules without template slots, and
    /// they fit the input's schema; each rule gets the id `<key>#<n>`.
    pub fn rules(&self, def: &PolicyDef) -> Result<Vec<Policy>, PolicyError> {
        let text = def.cedar()?;
        let parsed = PolicySet::from_str(&text)
            .map_err(|e| PolicyError::Source(format!("the policy does not parse: {e}")))?;
        if parsed.templates().next().is_some() {
            return Err(PolicyError::Source(
                "templates (rules with ?principal or ?resource) are not policies here".into(),
            ));
        }
        let mut rules = Vec::new();
        for (n, p) in parsed.policies().enumerate() {
            if p.effect() != cedar_policy::Effect::Forbid {
                return Err(PolicyError::Source(
                    "a governance policy says what is not allowed: write forbid rules".into(),
                ));
            }
            rules.push(p.new_id(PolicyId::new(format!("{}#{n}", def.key))));
        }
        if rules.is_empty() {
            return Err(PolicyError::Source("the policy has no rule".into()));
        }
        let mut set = PolicySet::new();
        for r in &rules {
            set.add(r.clone())
                .map_err(|e| PolicyError::Source(e.to_string()))?;
        }
        let checked = self.validator.validate(&set, ValidationMode::Strict);
        if !checked.validation_passed() {
            let why: Vec<String> = checked.validation_errors().map(|e| e.to_string()).collect();
            return Err(PolicyError::Source(format!(
                "the policy does not fit the input: {}",
                why.join("; ")
            )));
        }
        Ok(rules)
    }

    /// A set of policies, compiled once for many evaluations; refuses the first policy that does
    /// not check, with its index.
    pub fn compile(&self, defs: &[PolicyDef]) -> Result<Compiled, (usize, PolicyError)> {
        let mut set = PolicySet::new();
        let base = Policy::parse(Some(PolicyId::new(BASE_ID)), BASE)
            .map_err(|e| (0, PolicyError::Source(e.to_string())))?;
        set.add(base)
            .map_err(|e| (0, PolicyError::Source(e.to_string())))?;
        let mut owner = HashMap::new();
        for (i, def) in defs.iter().enumerate() {
            for rule in self.rules(def).map_err(|e| (i, e))? {
                owner.insert(rule.id().clone(), i);
                set.add(rule)
                    .map_err(|e| (i, PolicyError::Source(e.to_string())))?;
            }
        }
        Ok(Compiled {
            set,
            owner,
            defs: defs
                .iter()
                .map(|d| (d.key.clone(), d.enforcement, d.message_or_default()))
                .collect(),
        })
    }

    /// Every policy of `compiled` whose rules hold against `input`.
    pub fn evaluate(
        &self,
        compiled: &Compiled,
        input: &PolicyInput,
    ) -> Result<Verdict, PolicyError> {
        let action = uid("Action", input.operation.name())?;
        let context = input.context().map_err(PolicyError::Input)?;
        let tenant = uid("Tenant", &input.tenant.name)?;
        let project = uid("Project", &input.project.name)?;
        // The context was checked against the schema as it was read; the entities and the
        // request's types are this function's own.
        let entities = Entities::from_entities(
            [
                Entity::new_no_attrs(tenant.clone(), Default::default()),
                Entity::new_no_attrs(project.clone(), [tenant].into_iter().collect()),
            ],
            None,
        )
        .map_err(|e| PolicyError::Input(e.to_string()))?;
        let principal = uid("User", &input.actor.name)?;
        let request = Request::new(principal, action, project, context, None)
            .map_err(|e| PolicyError::Input(e.to_string()))?;
        let answer =
            cedar_policy::Authorizer::new().is_authorized(&request, &compiled.set, &entities);
        let d = answer.diagnostics();
        // A rule that cannot be evaluated counts as held: governance fails closed.
        let fired = d
            .reason()
            .chain(d.errors().map(|e| match e {
                cedar_policy::AuthorizationError::PolicyEvaluationError(e) => e.policy_id(),
            }))
            .filter_map(|id| compiled.owner.get(id).copied());
        let mut held: Vec<usize> = fired.collect();
        held.sort_unstable();
        held.dedup();
        Ok(Verdict {
            hits: held
                .into_iter()
                .map(|i| {
                    let (policy, enforcement, message) = compiled.defs[i].clone();
                    Hit {
                        policy,
                        enforcement,
                        message,
                    }
                })
                .collect(),
        })
    }
}

impl Governance {
    /// Checks an input against the schema, as Cedar reads JSON (what [`PolicyInput`]'s own
    /// context building must agree with).
    pub fn check_input(&self, input: &PolicyInput) -> Result<(), PolicyError> {
        let action = uid("Action", input.operation.name())?;
        Context::from_json_value(input.context_json(), Some((&self.schema, &action)))
            .map(|_| ())
            .map_err(|e| PolicyError::Input(e.to_string()))
    }
}

/// A compiled set of policies (see [`Governance::compile`]).
#[derive(Debug, Clone)]
pub struct Compiled {
    set: PolicySet,
    owner: HashMap<PolicyId, usize>,
    defs: Vec<(String, Enforcement, String)>,
}

impl Compiled {
    /// How many policies the set holds.
    pub fn len(&self) -> usize {
        self.defs.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.defs.is_empty()
    }
}
