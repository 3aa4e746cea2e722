//! The built-in policies: what users typically need, as parameters, rendered to the same Cedar
//! forbid rules a custom policy is written in. Parameters are checked before they are rendered:
//! texts are limited to characters that need no escaping, so no parameter can change a rule.

use serde::{Deserialize, Serialize};

use crate::PolicyError;

/// A built-in policy with its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Builtin {
    /// Data residency: guests run only in these countries (created or migrated).
    AllowedCountries {
        /// ISO 3166-1 alpha-2 codes.
        countries: Vec<String>,
    },
    /// Guests run only at these sites (created or migrated).
    AllowedSites {
        /// Site names.
        sites: Vec<String>,
    },
    /// Guests are no larger than this (created or resized).
    MaxSize {
        /// Most vCPUs.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        vcpus: Option<i64>,
        /// Most memory (MiB).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        memory_mib: Option<i64>,
        /// Largest root disk (GiB).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        disk_gib: Option<i64>,
    },
    /// Guests are made only from these catalog images.
    AllowedImages {
        /// Image names.
        images: Vec<String>,
    },
    /// Guests carry all of these tags.
    RequiredTags {
        /// Tags.
        tags: Vec<String>,
    },
    /// Guest names follow a pattern: `*` stands for any text (`web-*`, `*-prod`).
    NamePattern {
        /// The pattern.
        pattern: String,
    },
    /// Guests join only these networks.
    AllowedNetworks {
        /// Bridges (empty: any).
        #[serde(default)]
        bridges: Vec<String>,
        /// VLAN tags, 0 for untagged (empty: any).
        #[serde(default)]
        vlans: Vec<i64>,
    },
    /// Guests of projects with this label have a backup policy.
    BackupRequired {
        /// The projects' label, `key=value` (e.g. `env=production`).
        project_label: String,
    },
    /// Every creation in projects with this label: with `lease`, their guests expire (sandbox
    /// projects); with `require_approval`, they need consent (production projects).
    ProjectLabelled {
        /// The projects' label, `key=value` (e.g. `env=sandbox`).
        project_label: String,
    },
}

/// A text parameter: 1 to 64 characters that need no escaping in a Cedar string.
fn text(field: &str, v: &str, extra: &[char]) -> Result<String, PolicyError> {
    let ok = !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.:=+/".contains(c) || extra.contains(&c));
    if ok {
        Ok(format!("\"{v}\""))
    } else {
        Err(PolicyError::Parameter {
            field: field.into(),
            message: "1 to 64 letters, digits and - _ . : = + /".into(),
        })
    }
}

fn list(field: &str, items: &[String]) -> Result<String, PolicyError> {
    if items.is_empty() {
        return Err(PolicyError::Parameter {
            field: field.into(),
            message: "name at least one".into(),
        });
    }
    let texts = items
        .iter()
        .enumerate()
        .map(|(i, v)| text(&format!("{field}[{i}]"), v, &[]))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!("[{}]", texts.join(", ")))
}

/// A label parameter: `key=value`, as a Cedar string.
fn label(field: &str, v: &str) -> Result<String, PolicyError> {
    if !v.contains('=') {
        return Err(PolicyError::Parameter {
            field: field.into(),
            message: "a label as key=value".into(),
        });
    }
    text(field, v, &[])
}

fn positive(field: &str, v: i64) -> Result<i64, PolicyError> {
    if v > 0 {
        Ok(v)
    } else {
        Err(PolicyError::Parameter {
            field: field.into(),
            message: "must be at least 1".into(),
        })
    }
}

const CREATE: &str = r#"action == Scmp::Action::"guest_create""#;
const CREATE_MIGRATE: &str =
    r#"action in [Scmp::Action::"guest_create", Scmp::Action::"guest_migrate"]"#;
const CREATE_RESIZE: &str =
    r#"action in [Scmp::Action::"guest_create", Scmp::Action::"guest_resize"]"#;

fn forbid(actions: &str, when: &str) -> String {
    format!("forbid (principal, {actions}, resource)\nwhen {{ {when} }};\n")
}

impl Builtin {
    /// The policy's kind, as the API names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Builtin::AllowedCountries { .. } => "allowed_countries",
            Builtin::AllowedSites { .. } => "allowed_sites",
            Builtin::MaxSize { .. } => "max_size",
            Builtin::AllowedImages { .. } => "allowed_images",
            Builtin::RequiredTags { .. } => "required_tags",
            Builtin::NamePattern { .. } => "name_pattern",
            Builtin::AllowedNetworks { .. } => "allowed_networks",
            Builtin::BackupRequired { .. } => "backup_required",
            Builtin::ProjectLabelled { .. } => "project_labelled",
        }
    }

    /// What a refusal says when the policy has no message of its own.
    pub fn default_message(&self) -> String {
        match self {
            Builtin::AllowedCountries { countries } => {
                format!("guests may run only in {}", countries.join(", "))
            }
            Builtin::AllowedSites { sites } => {
                format!("guests may run only at {}", sites.join(", "))
            }
            Builtin::MaxSize {
                vcpus,
                memory_mib,
                disk_gib,
            } => {
                let mut parts = Vec::new();
                if let Some(v) = vcpus {
                    parts.push(format!("{v} vCPUs"));
                }
                if let Some(m) = memory_mib {
                    parts.push(format!("{m} MiB of memory"));
                }
                if let Some(d) = disk_gib {
                    parts.push(format!("{d} GiB of disk"));
                }
                format!("guests may have at most {}", parts.join(", "))
            }
            Builtin::AllowedImages { images } => {
                format!("guests may be made only from {}", images.join(", "))
            }
            Builtin::RequiredTags { tags } => {
                format!("guests must carry the tags {}", tags.join(", "))
            }
            Builtin::NamePattern { pattern } => format!("guest names must match {pattern}"),
            Builtin::AllowedNetworks { .. } => "guests may join only the allowed networks".into(),
            Builtin::BackupRequired { project_label } => {
                format!("guests of projects labelled {project_label} must have a backup policy")
            }
            Builtin::ProjectLabelled { project_label } => {
                format!("guests of projects labelled {project_label}")
            }
        }
    }

    /// The policy as Cedar forbid rules over the input.
    pub fn render(&self) -> Result<String, PolicyError> {
        Ok(match self {
            Builtin::AllowedCountries { countries } => {
                for (i, c) in countries.iter().enumerate() {
                    let ok = c.len() == 2 && c.chars().all(|c| c.is_ascii_uppercase());
                    if !ok {
                        return Err(PolicyError::Parameter {
                            field: format!("countries[{i}]"),
                            message: "an ISO 3166-1 alpha-2 code in capitals (DE, FR, ...)".into(),
                        });
                    }
                }
                let l = list("countries", countries)?;
                forbid(
                    CREATE_MIGRATE,
                    &format!("!{l}.contains(context.request.country)"),
                )
            }
            Builtin::AllowedSites { sites } => {
                let l = list("sites", sites)?;
                forbid(
                    CREATE_MIGRATE,
                    &format!("!{l}.contains(context.request.site)"),
                )
            }
            Builtin::MaxSize {
                vcpus,
                memory_mib,
                disk_gib,
            } => {
                let mut over = Vec::new();
                for (field, v) in [
                    ("vcpus", vcpus),
                    ("memory_mib", memory_mib),
                    ("disk_gib", disk_gib),
                ] {
                    if let Some(v) = v {
                        over.push(format!(
                            "context.request.{field} > {}",
                            positive(field, *v)?
                        ));
                    }
                }
                if over.is_empty() {
                    return Err(PolicyError::Parameter {
                        field: "vcpus".into(),
                        message: "give at least one of vcpus, memory_mib and disk_gib".into(),
                    });
                }
                forbid(CREATE_RESIZE, &over.join(" || "))
            }
            Builtin::AllowedImages { images } => {
                let l = list("images", images)?;
                forbid(CREATE, &format!("!{l}.contains(context.request.image)"))
            }
            Builtin::RequiredTags { tags } => {
                let l = list("tags", tags)?;
                forbid(CREATE, &format!("!context.request.tags.containsAll({l})"))
            }
            Builtin::NamePattern { pattern } => {
                let p = text("pattern", pattern, &['*'])?;
                forbid(CREATE, &format!("!(context.request.name like {p})"))
            }
            Builtin::AllowedNetworks { bridges, vlans } => {
                let mut outside = Vec::new();
                if !bridges.is_empty() {
                    let l = list("bridges", bridges)?;
                    outside.push(format!("!{l}.contains(context.request.bridge)"));
                }
                if !vlans.is_empty() {
                    for (i, v) in vlans.iter().enumerate() {
                        if !(0..=4094).contains(v) {
                            return Err(PolicyError::Parameter {
                                field: format!("vlans[{i}]"),
                                message: "a VLAN tag, 1 to 4094, or 0 for untagged".into(),
                            });
                        }
                    }
                    let l: Vec<String> = vlans.iter().map(|v| v.to_string()).collect();
                    outside.push(format!(
                        "![{}].contains(context.request.vlan)",
                        l.join(", ")
                    ));
                }
                if outside.is_empty() {
                    return Err(PolicyError::Parameter {
                        field: "bridges".into(),
                        message: "give bridges, vlans or both".into(),
                    });
                }
                forbid(CREATE, &outside.join(" || "))
            }
            Builtin::ProjectLabelled { project_label } => {
                let l = label("project_label", project_label)?;
                forbid(CREATE, &format!("context.project.labels.contains({l})"))
            }
            Builtin::BackupRequired { project_label } => {
                let l = label("project_label", project_label)?;
                forbid(
                    CREATE,
                    &format!(
                        "context.project.labels.contains({l}) && context.request.backup_policy == \"\""
                    ),
                )
            }
        })
    }
}
