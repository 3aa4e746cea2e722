//! Country codes (ISO 3166-1 alpha-2, `DE`): where a site is, and where a tenant's guests may run.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Two upper-case letters, as ISO 3166-1 alpha-2 writes a country.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Country([u8; 2]);

/// Text that is not two upper-case letters.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not an ISO 3166-1 alpha-2 code such as DE")]
pub struct CountryError(pub String);

impl Country {
    /// The code as text.
    pub fn as_str(&self) -> &str {
        // Two ASCII letters, checked when made.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl FromStr for Country {
    type Err = CountryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.as_bytes() {
            [a, b] if a.is_ascii_uppercase() && b.is_ascii_uppercase() => Ok(Self([*a, *b])),
            _ => Err(CountryError(s.to_string())),
        }
    }
}

impl fmt::Display for Country {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for Country {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[A-Z]{2}$"))
            .description(Some("An ISO 3166-1 alpha-2 country code (DE)"))
            .into()
    }
}

impl utoipa::ToSchema for Country {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_upper_case_letters() {
        assert_eq!("DE".parse::<Country>().unwrap().to_string(), "DE");
        for bad in ["de", "D", "DEU", "", "D1", "ÄÖ"] {
            assert!(bad.parse::<Country>().is_err(), "{bad}");
        }
        assert!(serde_json::from_str::<Country>("\"fr\"").is_err());
    }
}
