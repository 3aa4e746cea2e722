//! Times: the store keeps milliseconds since the Unix epoch; the API shows RFC 3339 UTC strings
//! (`2026-12-01T08:52:21.123Z`, `format: date-time` in the OpenAPI document).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A point in time, as the API shows it: an RFC 3339 string in UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Time(chrono::DateTime<chrono::Utc>);

impl Time {
    /// Milliseconds since the Unix epoch.
    pub fn as_ms(&self) -> i64 {
        self.0.timestamp_millis()
    }

    /// The time as chrono's type.
    pub fn as_chrono(&self) -> chrono::DateTime<chrono::Utc> {
        self.0
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl std::str::FromStr for Time {
    type Err = chrono::ParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        chrono::DateTime::parse_from_rfc3339(s).map(|t| Self(t.with_timezone(&chrono::Utc)))
    }
}

impl utoipa::PartialSchema for Time {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
                utoipa::openapi::KnownFormat::DateTime,
            )))
            .description(Some("An RFC 3339 time in UTC"))
            .into()
    }
}

impl utoipa::ToSchema for Time {}

/// The time of a count of milliseconds since the Unix epoch (out of range: the epoch).
pub fn from_ms(ms: i64) -> Time {
    Time(chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default())
}

/// The time of a count of milliseconds, or none for `0` (never).
pub fn from_ms_opt(ms: i64) -> Option<Time> {
    (ms != 0).then(|| from_ms(ms))
}

/// The time of a count of seconds since the Unix epoch (Proxmox's times).
pub fn from_secs(secs: i64) -> Time {
    Time(chrono::DateTime::from_timestamp(secs, 0).unwrap_or_default())
}

/// Milliseconds since the Unix epoch.
pub fn to_ms(t: &Time) -> i64 {
    t.as_ms()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_as_rfc3339_utc() {
        let t = from_ms(1_796_109_177_662);
        assert_eq!(serde_json::to_value(t).unwrap(), "2026-12-01T07:12:57.662Z");
        assert_eq!(t.to_string(), "2026-12-01T07:12:57.662Z");
        assert_eq!(to_ms(&t), 1_796_109_177_662);
        assert_eq!(from_ms_opt(0), None);
        let parsed: Time = serde_json::from_str("\"2026-12-01T08:12:57.662+01:00\"").unwrap();
        assert_eq!(parsed, t);
        assert_eq!("2026-12-01T07:12:57.662Z".parse::<Time>().unwrap(), t);
        assert!(serde_json::from_str::<Time>("1796109177662").is_err());
    }
}
