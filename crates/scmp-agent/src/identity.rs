//! How a guest carries its scmp identity on Proxmox: tags that the cluster's resource list shows
//! (`scmp`, `scmp-<guest id>`, `tenant-<name>`) and a description naming tenant, project and guest.
//! Inventory adopts guests by these marks and never touches a guest without them.

use scmp_common::{GuestId, ProjectId, TenantId};

/// The tag every scmp guest carries.
pub const MANAGED_TAG: &str = "scmp";
const GUEST_TAG_PREFIX: &str = "scmp-";

/// Whether `tag` may be a Proxmox tag (lower case letters, digits, `_ - + .`).
pub fn is_valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && chars.all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '-' | '+' | '.')
        })
        && tag.len() <= 64
}

/// The tags a guest carries: ours first, then the user's.
pub fn tags(guest: GuestId, tenant_name: &str, user_tags: &[String]) -> String {
    let mut all = vec![
        MANAGED_TAG.to_string(),
        format!("{GUEST_TAG_PREFIX}{guest}"),
        format!("tenant-{tenant_name}"),
    ];
    all.extend(user_tags.iter().cloned());
    all.join(";")
}

/// The description a guest carries.
pub fn description(guest: GuestId, tenant: TenantId, project: ProjectId) -> String {
    format!(
        "Managed by scmp; change it through scmp.\nscmp-guest: {guest}\nscmp-tenant: {tenant}\nscmp-project: {project}\n"
    )
}

/// The scmp guest a tag list names, if any.
pub fn guest_of_tags(tags: &str) -> Option<GuestId> {
    tags.split([';', ',', ' '])
        .filter_map(|t| t.strip_prefix(GUEST_TAG_PREFIX))
        .find_map(|id| id.parse().ok())
}

/// Whether a description names `guest`.
pub fn description_names(description: &str, guest: GuestId) -> bool {
    description
        .lines()
        .any(|l| l.trim() == format!("scmp-guest: {guest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_round_trip() {
        let g = GuestId::new();
        let t = tags(g, "acme", &["web".into()]);
        assert!(t.split(';').all(is_valid_tag), "{t}");
        assert_eq!(guest_of_tags(&t), Some(g));
        assert_eq!(guest_of_tags("debian;template"), None);
        let d = description(g, TenantId::new(), ProjectId::new());
        assert!(description_names(&d, g));
        assert!(!description_names(&d, GuestId::new()));
    }

    #[test]
    fn tag_rules() {
        assert!(is_valid_tag("env-prod"));
        assert!(!is_valid_tag("Env"));
        assert!(!is_valid_tag("-x"));
        assert!(!is_valid_tag("a;b"));
        assert!(!is_valid_tag(""));
    }
}
