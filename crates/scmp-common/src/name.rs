//! Names of tenants, projects and the other named resources: DNS-label-like, so they fit in Proxmox
//! pool names, tags and host names.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize};

/// A validated name: 1 to 63 characters of lower-case letters, digits and hyphens, starting with a
/// letter and not ending with a hyphen.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Name(String);

/// Why a name was refused; the text is shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    /// Empty.
    #[error("must not be empty")]
    Empty,
    /// Longer than 63 characters.
    #[error("must be at most 63 characters long")]
    TooLong,
    /// Does not start with a letter.
    #[error("must start with a lower-case letter")]
    BadStart,
    /// Ends with a hyphen.
    #[error("must not end with a hyphen")]
    BadEnd,
    /// Has a character other than `a-z`, `0-9` and `-`.
    #[error("may contain only lower-case letters, digits and hyphens (found {0:?})")]
    BadChar(char),
}

impl Name {
    /// Validates a name.
    pub fn new(s: impl Into<String>) -> Result<Self, NameError> {
        let s = s.into();
        let first = s.chars().next().ok_or(NameError::Empty)?;
        if s.len() > 63 {
            return Err(NameError::TooLong);
        }
        if !first.is_ascii_lowercase() {
            return Err(NameError::BadStart);
        }
        if let Some(c) = s
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(NameError::BadChar(c));
        }
        if s.ends_with('-') {
            return Err(NameError::BadEnd);
        }
        Ok(Self(s))
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Name {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl<'de> Deserialize<'de> for Name {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Name::new(s).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Name {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .min_length(Some(1))
            .max_length(Some(63))
            .pattern(Some("^[a-z]([a-z0-9-]*[a-z0-9])?$"))
            .description(Some(
                "A name: lower-case letters, digits and hyphens, starting with a letter",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Name {}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rules() {
        assert!(Name::new("edge-berlin-1").is_ok());
        assert_eq!(Name::new(""), Err(NameError::Empty));
        assert_eq!(Name::new("1abc"), Err(NameError::BadStart));
        assert_eq!(Name::new("abc-"), Err(NameError::BadEnd));
        assert_eq!(Name::new("a/b"), Err(NameError::BadChar('/')));
        assert_eq!(Name::new("Tenant"), Err(NameError::BadStart));
        assert_eq!(
            Name::new("a'; DROP TABLE tenants;--"),
            Err(NameError::BadChar('\''))
        );
        assert_eq!(Name::new("../etc"), Err(NameError::BadStart));
        assert_eq!(Name::new("a".repeat(64)), Err(NameError::TooLong));
    }

    proptest! {
        #[test]
        fn valid_names_round_trip(s in "[a-z][a-z0-9-]{0,61}[a-z0-9]") {
            let n = Name::new(s.clone()).unwrap();
            prop_assert_eq!(n.as_str(), s.as_str());
        }

        #[test]
        fn never_panics(s in "\\PC{0,80}") {
            let _ = Name::new(s);
        }
    }
}
