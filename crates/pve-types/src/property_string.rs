//! Property strings: PVE's `key=value,key=value` values such as
//! `net0: virtio=BC:24:11:00:00:01,bridge=vmbr0,tag=10` or `scsi0: local-lvm:vm-100-disk-0,size=32G`.
//!
//! [`PropertyString`] is the generic, order-preserving form; the typed values in [`crate::api::guest`]
//! convert from and to it and keep any key they do not know, so nothing is lost on a round trip.

use std::fmt;
use std::str::FromStr;

/// A property string that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PropertyStringError {
    /// A key appears twice.
    #[error("duplicate key in comma-separated list property: {0}")]
    DuplicateKey(String),
    /// A bare value where the format has no default key, or a second bare value.
    #[error("value without key, but schema does not define a default key")]
    NoDefaultKey,
    /// A quoted value that does not end.
    #[error("unterminated quote in property string")]
    UnterminatedQuote,
    /// A key the typed value requires is missing.
    #[error("{0}: property is missing and it is not optional")]
    Missing(String),
    /// A value that does not have the expected format.
    #[error("{key}: {message}")]
    Invalid {
        /// The key at fault.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

/// An order-preserving parsed property string.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PropertyString {
    /// The bare leading value (the format's default key), if any.
    pub default_value: Option<String>,
    /// The `key=value` pairs in their original order.
    pub entries: Vec<(String, String)>,
}

impl PropertyString {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Removes and returns the value of `key`.
    pub fn take(&mut self, key: &str) -> Option<String> {
        let pos = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(pos).1)
    }

    /// Removes `key` and parses its value.
    pub fn take_parsed<T: FromStr>(&mut self, key: &str) -> Result<Option<T>, PropertyStringError> {
        match self.take(key) {
            None => Ok(None),
            Some(v) => v
                .parse()
                .map(Some)
                .map_err(|_| PropertyStringError::Invalid {
                    key: key.to_string(),
                    message: format!(
                        "invalid format - value '{v}' does not have the expected type"
                    ),
                }),
        }
    }

    /// Removes `key` and reads it as a PVE boolean (`1`/`0`).
    pub fn take_bool(&mut self, key: &str) -> Result<Option<bool>, PropertyStringError> {
        match self.take(key).as_deref() {
            None => Ok(None),
            Some("1" | "on" | "yes" | "true") => Ok(Some(true)),
            Some("0" | "off" | "no" | "false") => Ok(Some(false)),
            Some(v) => Err(PropertyStringError::Invalid {
                key: key.to_string(),
                message: format!("type check ('boolean') failed - got '{v}'"),
            }),
        }
    }

    /// Appends `key=value`.
    pub fn push(&mut self, key: &str, value: impl fmt::Display) {
        self.entries.push((key.to_string(), value.to_string()));
    }

    /// Appends `key=value` when the value is present.
    pub fn push_opt<T: fmt::Display>(&mut self, key: &str, value: Option<T>) {
        if let Some(v) = value {
            self.push(key, v);
        }
    }

    /// Appends a boolean as `1`/`0` when present.
    pub fn push_bool(&mut self, key: &str, value: Option<bool>) {
        if let Some(v) = value {
            self.push(key, u8::from(v));
        }
    }
}

fn needs_quotes(v: &str) -> bool {
    v.contains([',', '"', '='])
}

impl fmt::Display for PropertyString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        if let Some(d) = &self.default_value {
            write_value(f, d)?;
            first = false;
        }
        for (k, v) in &self.entries {
            if !first {
                f.write_str(",")?;
            }
            first = false;
            write!(f, "{k}=")?;
            write_value(f, v)?;
        }
        Ok(())
    }
}

fn write_value(f: &mut fmt::Formatter<'_>, v: &str) -> fmt::Result {
    if needs_quotes(v) {
        write!(f, "\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        f.write_str(v)
    }
}

impl FromStr for PropertyString {
    type Err = PropertyStringError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = PropertyString::default();
        for item in split_items(s)? {
            if item.is_empty() {
                continue;
            }
            match split_key(&item) {
                Some((k, v)) => {
                    if out.entries.iter().any(|(ek, _)| ek == &k) {
                        return Err(PropertyStringError::DuplicateKey(k));
                    }
                    out.entries.push((k, v));
                }
                None => {
                    if out.default_value.is_some() || !out.entries.is_empty() {
                        return Err(PropertyStringError::NoDefaultKey);
                    }
                    out.default_value = Some(unquote(&item)?);
                }
            }
        }
        Ok(out)
    }
}

/// Splits on commas outside double quotes.
fn split_items(s: &str) -> Result<Vec<String>, PropertyStringError> {
    let mut items = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut escaped = false;
    for c in s.chars() {
        if escaped {
            cur.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if in_quotes => {
                cur.push(c);
                escaped = true;
            }
            '"' => {
                in_quotes = !in_quotes;
                cur.push(c);
            }
            ',' if !in_quotes => items.push(std::mem::take(&mut cur)),
            _ => cur.push(c),
        }
    }
    if in_quotes {
        return Err(PropertyStringError::UnterminatedQuote);
    }
    items.push(cur);
    Ok(items)
}

/// `key=value` where the key is a plain identifier; otherwise the item is a bare (default-key) value.
fn split_key(item: &str) -> Option<(String, String)> {
    let (k, v) = item.split_once('=')?;
    let plain = !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'));
    if !plain {
        return None;
    }
    Some((k.to_string(), unquote(v).ok()?))
}

fn unquote(v: &str) -> Result<String, PropertyStringError> {
    let Some(inner) = v.strip_prefix('"') else {
        return Ok(v.to_string());
    };
    let inner = inner
        .strip_suffix('"')
        .ok_or(PropertyStringError::UnterminatedQuote)?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(n) = chars.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_net_and_disk() {
        let p: PropertyString = "virtio=BC:24:11:2E:3F:01,bridge=vmbr0,tag=10"
            .parse()
            .unwrap();
        assert_eq!(p.default_value, None);
        assert_eq!(p.get("virtio"), Some("BC:24:11:2E:3F:01"));
        assert_eq!(p.get("tag"), Some("10"));
        assert_eq!(
            p.to_string(),
            "virtio=BC:24:11:2E:3F:01,bridge=vmbr0,tag=10"
        );

        let d: PropertyString = "local-lvm:vm-100-disk-0,size=32G".parse().unwrap();
        assert_eq!(d.default_value.as_deref(), Some("local-lvm:vm-100-disk-0"));
        assert_eq!(d.get("size"), Some("32G"));
        assert_eq!(d.to_string(), "local-lvm:vm-100-disk-0,size=32G");
    }

    #[test]
    fn refuses_duplicates_and_two_defaults() {
        assert_eq!(
            "a=1,a=2".parse::<PropertyString>(),
            Err(PropertyStringError::DuplicateKey("a".into()))
        );
        assert_eq!(
            "x,y".parse::<PropertyString>(),
            Err(PropertyStringError::NoDefaultKey)
        );
        assert_eq!(
            "a=\"x".parse::<PropertyString>(),
            Err(PropertyStringError::UnterminatedQuote)
        );
    }

    #[test]
    fn quoted_values() {
        let p: PropertyString = r#"name="a,b",x=1"#.parse().unwrap();
        assert_eq!(p.get("name"), Some("a,b"));
        assert_eq!(p.to_string(), r#"name="a,b",x=1"#);
    }

    proptest! {
        #[test]
        fn round_trips(default in proptest::option::of("[a-z0-9:/-]{1,12}"),
                       entries in proptest::collection::btree_map("[a-z][a-z0-9]{0,6}", "[ -~]{0,12}", 0..6)) {
            let p = PropertyString { default_value: default, entries: entries.into_iter().collect() };
            let text = p.to_string();
            let back: PropertyString = text.parse().unwrap();
            prop_assert_eq!(back, p);
        }

        #[test]
        fn never_panics(s in "\\PC{0,60}") {
            let _ = s.parse::<PropertyString>();
        }
    }
}
