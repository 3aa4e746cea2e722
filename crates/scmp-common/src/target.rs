//! What an audited request acts on: a path of resource kinds and keys, from the outermost scope in
//! (`tenant/<id>/project/web`), written as text in the audit log and the API.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ResourceKind;

/// An audit target: one or more `kind/key` steps, where the key is an id, or a name when the object
/// does not exist yet. A `/` or `%` in a key is written `%2F` or `%25`, so every target reads back
/// as the steps it was made of.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AuditTarget(String);

fn escape(key: &str) -> String {
    key.replace('%', "%25").replace('/', "%2F")
}

fn unescape(key: &str) -> String {
    key.replace("%2F", "/").replace("%25", "%")
}

impl AuditTarget {
    /// A target of one step.
    pub fn new(kind: ResourceKind, key: impl fmt::Display) -> Self {
        Self(format!("{}/{}", kind.path_name(), escape(&key.to_string())))
    }

    /// This target with one more step inside it (`site/<id>` then `cluster/<name>`).
    pub fn child(mut self, kind: ResourceKind, key: impl fmt::Display) -> Self {
        self.0.push('/');
        self.0.push_str(kind.path_name());
        self.0.push('/');
        self.0.push_str(&escape(&key.to_string()));
        self
    }

    /// A target as the audit log stored it. Entries keep their text exactly (their hash covers
    /// it), so this takes any text; [`AuditTarget::steps`] says whether it reads as steps.
    pub fn from_stored(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The steps, outermost first (`None` for a stored text that is not made of steps).
    pub fn steps(&self) -> Option<Vec<(ResourceKind, String)>> {
        let parts: Vec<&str> = self.0.split('/').collect();
        if !parts.len().is_multiple_of(2) {
            return None;
        }
        parts
            .chunks(2)
            .map(|pair| match ResourceKind::from_path_name(pair[0]) {
                Some(k) if !pair[1].is_empty() => Some((k, unescape(pair[1]))),
                _ => None,
            })
            .collect()
    }

    /// The target as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AuditTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Text that is not `kind/key[/kind/key...]` with known kinds and non-empty keys.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an audit target (kind/key, like tenant/acme or project/<id>/guest/web): {0}")]
pub struct TargetError(pub String);

impl FromStr for AuditTarget {
    type Err = TargetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = Self(s.to_string());
        match t.steps() {
            Some(_) => Ok(t),
            None => Err(TargetError(s.to_string())),
        }
    }
}

impl Serialize for AuditTarget {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for AuditTarget {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // What the API shows may be an older entry's text: take it as stored.
        Ok(Self::from_stored(String::deserialize(d)?))
    }
}

impl utoipa::PartialSchema for AuditTarget {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some(
                "What the request acted on: kind/key steps from the outermost scope in \
                 (`tenant/<id>`, `project/<id>/guest/web`); `/` and `%` in a key are written \
                 `%2F` and `%25`",
            ))
            .into()
    }
}

impl utoipa::ToSchema for AuditTarget {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_round_trip() {
        let t = AuditTarget::new(ResourceKind::Site, "s1").child(ResourceKind::Cluster, "ber-1");
        assert_eq!(t.to_string(), "site/s1/cluster/ber-1");
        assert_eq!(t.to_string().parse::<AuditTarget>().unwrap(), t);
        assert_eq!(
            t.steps().unwrap(),
            vec![
                (ResourceKind::Site, "s1".to_string()),
                (ResourceKind::Cluster, "ber-1".to_string())
            ]
        );
        let it = AuditTarget::new(ResourceKind::InstanceType, "x");
        assert_eq!(it.to_string(), "instance_type/x");
        let odd = AuditTarget::new(ResourceKind::User, "a/b%c");
        assert_eq!(odd.to_string(), "user/a%2Fb%25c");
        assert_eq!(
            odd.steps().unwrap(),
            vec![(ResourceKind::User, "a/b%c".to_string())]
        );
        for bad in ["", "tenant", "tenant/", "nope/x", "tenant/a/project"] {
            assert!(bad.parse::<AuditTarget>().is_err(), "{bad}");
            assert!(AuditTarget::from_stored(bad).steps().is_none(), "{bad}");
        }
    }
}
