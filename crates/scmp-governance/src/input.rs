//! The typed input every policy is evaluated over (`policy/input.cedarschema` says the same in
//! Cedar): the guest as the request would leave it, the actor and its groups, the project and the
//! tenant with their labels, and the time.

use cedar_policy::{Context, RestrictedExpression};
use serde::{Deserialize, Serialize};

/// What is asked.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// A new guest.
    GuestCreate,
    /// New sizes for a guest.
    GuestResize,
    /// A guest moved to another host.
    GuestMigrate,
}

impl Operation {
    /// Every operation policies see.
    pub const ALL: [Operation; 3] = [
        Operation::GuestCreate,
        Operation::GuestResize,
        Operation::GuestMigrate,
    ];

    /// Its name (the Cedar action's id).
    pub fn name(self) -> &'static str {
        match self {
            Operation::GuestCreate => "guest_create",
            Operation::GuestResize => "guest_resize",
            Operation::GuestMigrate => "guest_migrate",
        }
    }
}

/// A guest as the request would leave it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GuestFacts {
    /// Name.
    pub name: String,
    /// `vm` or `ct`.
    pub kind: String,
    /// The catalog image's name.
    pub image: String,
    /// vCPUs.
    pub vcpus: i64,
    /// Memory (MiB).
    pub memory_mib: i64,
    /// Root disk (GiB).
    pub disk_gib: i64,
    /// The site's name (where placement would put it, or it runs).
    pub site: String,
    /// That site's country (ISO 3166-1 alpha-2).
    pub country: String,
    /// The host (for a migration, the target).
    #[serde(default)]
    pub host: String,
    /// The bridge of its network.
    pub bridge: String,
    /// Its VLAN tag (0: untagged).
    #[serde(default)]
    pub vlan: i64,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Managed by Proxmox HA.
    #[serde(default)]
    pub ha: bool,
    /// Its backup policy's name (empty: none).
    #[serde(default)]
    pub backup_policy: String,
}

/// Who asks.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorFacts {
    /// User name.
    pub name: String,
    /// The names of the user's groups.
    #[serde(default)]
    pub groups: Vec<String>,
    /// The user's realm (empty: scmp's own users).
    #[serde(default)]
    pub realm: String,
}

/// A project or a tenant.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OwnerFacts {
    /// Name.
    pub name: String,
    /// Labels as `key=value`.
    #[serde(default)]
    pub labels: Vec<String>,
}

/// When (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TimeFacts {
    /// Milliseconds since the epoch.
    pub epoch_ms: i64,
    /// Hour of the day, 0 to 23.
    pub hour: i64,
    /// Day of the week, 1 (Monday) to 7 (Sunday).
    pub weekday: i64,
}

impl TimeFacts {
    /// The facts of a moment.
    pub fn at(epoch_ms: i64) -> TimeFacts {
        let days = epoch_ms.div_euclid(86_400_000);
        let hour = epoch_ms.rem_euclid(86_400_000) / 3_600_000;
        // 1970-01-01 was a Thursday (4).
        let weekday = (days + 3).rem_euclid(7) + 1;
        TimeFacts {
            epoch_ms,
            hour,
            weekday,
        }
    }
}

/// Everything a policy sees of one request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    /// What is asked.
    pub operation: Operation,
    /// The guest as the request would leave it.
    pub request: GuestFacts,
    /// Who asks.
    pub actor: ActorFacts,
    /// The project.
    pub project: OwnerFacts,
    /// Its tenant.
    pub tenant: OwnerFacts,
    /// When.
    pub time: TimeFacts,
}

fn text(s: &str) -> RestrictedExpression {
    RestrictedExpression::new_string(s.to_string())
}

fn texts(v: &[String]) -> RestrictedExpression {
    RestrictedExpression::new_set(v.iter().map(|s| text(s)))
}

fn record(
    fields: impl IntoIterator<Item = (&'static str, RestrictedExpression)>,
) -> Result<RestrictedExpression, String> {
    RestrictedExpression::new_record(fields.into_iter().map(|(k, v)| (k.to_string(), v)))
        .map_err(|e| e.to_string())
}

fn owner(o: &OwnerFacts) -> Result<RestrictedExpression, String> {
    record([("name", text(&o.name)), ("labels", texts(&o.labels))])
}

impl PolicyInput {
    /// The Cedar context, built directly (the shape is this type's, which a test holds to the
    /// schema): everything but the operation, which is the request's action.
    pub(crate) fn context(&self) -> Result<Context, String> {
        let r = &self.request;
        let long = RestrictedExpression::new_long;
        let request = record([
            ("name", text(&r.name)),
            ("kind", text(&r.kind)),
            ("image", text(&r.image)),
            ("vcpus", long(r.vcpus)),
            ("memory_mib", long(r.memory_mib)),
            ("disk_gib", long(r.disk_gib)),
            ("site", text(&r.site)),
            ("country", text(&r.country)),
            ("host", text(&r.host)),
            ("bridge", text(&r.bridge)),
            ("vlan", long(r.vlan)),
            ("tags", texts(&r.tags)),
            ("ha", RestrictedExpression::new_bool(r.ha)),
            ("backup_policy", text(&r.backup_policy)),
        ])?;
        let actor = record([
            ("name", text(&self.actor.name)),
            ("groups", texts(&self.actor.groups)),
            ("realm", text(&self.actor.realm)),
        ])?;
        let time = record([
            ("epoch_ms", long(self.time.epoch_ms)),
            ("hour", long(self.time.hour)),
            ("weekday", long(self.time.weekday)),
        ])?;
        Context::from_pairs([
            ("request".to_string(), request),
            ("actor".to_string(), actor),
            ("project".to_string(), owner(&self.project)?),
            ("tenant".to_string(), owner(&self.tenant)?),
            ("time".to_string(), time),
        ])
        .map_err(|e| e.to_string())
    }

    /// The Cedar context as JSON, for checking against the schema.
    pub(crate) fn context_json(&self) -> serde_json::Value {
        serde_json::json!({
            "request": self.request,
            "actor": self.actor,
            "project": self.project,
            "tenant": self.tenant,
            "time": self.time,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_facts_name_the_hour_and_weekday() {
        // 2026-12-02 05:41:15 UTC, a Wednesday.
        let t = TimeFacts::at(1_796_190_075_000);
        assert_eq!((t.hour, t.weekday), (5, 3));
        assert_eq!(TimeFacts::at(0).weekday, 4, "a Thursday");
    }
}
