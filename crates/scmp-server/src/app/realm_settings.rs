//! A realm's settings checked at the edge, before anything is stored: the values a directory or
//! provider needs for its type, host names, DNs, attribute and class names, filters with
//! balanced parentheses, trust that parses (a CA or a fingerprint), an issuer URL on HTTPS.

use scmp_api::{DirectorySettings, OpenIdSettings, RealmType, ScheduledSync};
use scmp_common::Error;

fn invalid(field: &str, message: impl Into<String>) -> Error {
    Error::InvalidValue {
        field: field.into(),
        message: message.into(),
    }
}

fn host(field: &str, v: &str) -> Result<(), Error> {
    let ok = !v.is_empty()
        && v.len() <= 253
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            "must be a host name or an IP address (no scheme, no port)",
        ))
    }
}

fn text(field: &str, v: &str, max: usize) -> Result<(), Error> {
    if v.trim().is_empty() {
        return Err(invalid(field, "must not be empty"));
    }
    if v.len() > max || v.chars().any(char::is_control) {
        return Err(invalid(
            field,
            format!("must be at most {max} bytes without control characters"),
        ));
    }
    Ok(())
}

/// An LDAP attribute or object class name (RFC 4512 `descr`).
fn descr(field: &str, v: &str) -> Result<(), Error> {
    let ok = v.len() <= 128
        && v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            field,
            "must be an LDAP attribute or class name (letters, digits, hyphens)",
        ))
    }
}

fn filter(field: &str, v: &str) -> Result<(), Error> {
    text(field, v, 2048)?;
    let mut depth: i64 = 0;
    for c in v.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            break;
        }
    }
    if depth != 0 {
        return Err(invalid(field, "has unbalanced parentheses"));
    }
    Ok(())
}

/// Checks a directory's settings.
pub(crate) fn check_directory(d: &DirectorySettings) -> Result<(), Error> {
    host("directory.server1", &d.server1)?;
    if let Some(s) = &d.server2 {
        host("directory.server2", s)?;
    }
    if d.port == Some(0) {
        return Err(invalid("directory.port", "must be between 1 and 65535"));
    }
    text("directory.base_dn", &d.base_dn, 1024)?;
    for (field, v) in [
        ("directory.bind_dn", &d.bind_dn),
        ("directory.group_dn", &d.group_dn),
    ] {
        if let Some(v) = v {
            text(field, v, 1024)?;
        }
    }
    for (field, v) in [
        ("directory.filter", &d.filter),
        ("directory.group_filter", &d.group_filter),
    ] {
        if let Some(v) = v {
            filter(field, v)?;
        }
    }
    for (field, v) in [
        ("directory.user_attr", &d.user_attr),
        ("directory.group_name_attr", &d.group_name_attr),
        ("directory.email_attr", &d.email_attr),
    ] {
        if let Some(v) = v {
            descr(field, v)?;
        }
    }
    for (field, list) in [
        ("directory.user_classes", &d.user_classes),
        ("directory.group_classes", &d.group_classes),
    ] {
        if let Some(list) = list {
            if list.is_empty() || list.len() > 16 {
                return Err(invalid(field, "must name between 1 and 16 classes"));
            }
            for (i, c) in list.iter().enumerate() {
                descr(&format!("{field}[{i}]"), c)?;
            }
        }
    }
    if let Some(fp) = &d.fingerprint {
        fp.parse::<pve_client::Fingerprint>()
            .map_err(|e| invalid("directory.fingerprint", e.0))?;
    }
    if let Some(pem) = &d.ca_pem {
        pve_client::Trust::CaPem(pem.clone())
            .client_config()
            .map_err(|e| invalid("directory.ca_pem", e))?;
    }
    Ok(())
}

/// Checks a provider's settings.
pub(crate) fn check_openid(o: &OpenIdSettings) -> Result<(), Error> {
    let url = url::Url::parse(&o.issuer_url)
        .map_err(|e| invalid("openid.issuer_url", format!("is not a URL: {e}")))?;
    let loopback = matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if url.scheme() != "https" && !(url.scheme() == "http" && loopback) {
        return Err(invalid(
            "openid.issuer_url",
            "must be an https URL (http only on loopback)",
        ));
    }
    text("openid.client_id", &o.client_id, 256)?;
    if let Some(scopes) = &o.scopes {
        if !scopes.iter().any(|s| s == "openid") {
            return Err(invalid("openid.scopes", "must include openid"));
        }
        for (i, s) in scopes.iter().enumerate() {
            if s.is_empty() || s.len() > 128 || !s.chars().all(|c| c.is_ascii_graphic()) {
                return Err(invalid(&format!("openid.scopes[{i}]"), "is not a scope"));
            }
        }
    }
    for (field, v) in [
        ("openid.username_claim", &o.username_claim),
        ("openid.groups_claim", &o.groups_claim),
        ("openid.acr_values", &o.acr_values),
    ] {
        if let Some(v) = v {
            text(field, v, 256)?;
        }
    }
    Ok(())
}

/// Checks that a realm has the settings of its type and no others, and a secret where it needs
/// one.
pub(crate) fn check(
    kind: RealmType,
    directory: Option<&DirectorySettings>,
    openid: Option<&OpenIdSettings>,
    secret: Option<&str>,
) -> Result<(), Error> {
    if let Some(s) = secret {
        if s.len() > 1024 || s.contains('\0') {
            return Err(invalid("secret", "must be at most 1024 bytes"));
        }
    }
    match kind {
        RealmType::Ldap | RealmType::Ad => {
            let d = directory.ok_or_else(|| {
                invalid(
                    "directory",
                    "a directory realm needs its directory settings",
                )
            })?;
            if openid.is_some() {
                return Err(invalid("openid", "only for realms of type openid"));
            }
            check_directory(d)?;
            if d.bind_dn.is_some() && secret.is_none_or(str::is_empty) {
                return Err(invalid("secret", "the bind DN needs its password"));
            }
        }
        RealmType::Openid => {
            let o = openid
                .ok_or_else(|| invalid("openid", "an openid realm needs its provider settings"))?;
            if directory.is_some() {
                return Err(invalid("directory", "only for realms of type ldap or ad"));
            }
            check_openid(o)?;
        }
    }
    Ok(())
}

/// Checks a scheduled sync: directories only, at most weekly; `every_minutes: 0` is none.
pub(crate) fn check_sync(
    kind: RealmType,
    sync: Option<ScheduledSync>,
) -> Result<Option<ScheduledSync>, Error> {
    let Some(s) = sync else { return Ok(None) };
    if s.every_minutes == 0 {
        return Ok(None);
    }
    if kind == RealmType::Openid {
        return Err(invalid(
            "sync",
            "an openid realm's users come with their sign-ons; there is no directory to sync",
        ));
    }
    if s.every_minutes > 10080 {
        return Err(invalid(
            "sync.every_minutes",
            "must be between 1 and 10080 (a week)",
        ));
    }
    Ok(Some(s))
}
