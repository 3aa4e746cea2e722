//! `scmp network ...` and `scmp security-group ...`: a project's tenant networks and security
//! groups at a site, made, listed and removed (changes wait for their operation).

use reqwest::Method;
use scmp_api::{
    NetworkCreate, NetworkView, OperationView, SecurityGroupCreate, SecurityGroupView,
    SecurityRule, SubnetCreate,
};

use super::client::project_id;
use super::guests::follow;
use super::output::{print, print_list};
use super::{api, Global};

const NETWORK_COLUMNS: &[&str] = &["name", "zone_type", "vnet", "tag", "state", "id"];
const GROUP_COLUMNS: &[&str] = &["name", "pve_name", "state", "drift", "id"];
const OPERATION_COLUMNS: &[&str] = &["kind", "target", "state", "error", "id"];

/// `scmp network ...`
#[derive(Debug, clap::Subcommand)]
pub enum NetworkCmd {
    /// `network_list`: a project's networks.
    List {
        /// Project (`TENANT/PROJECT` or id).
        project: String,
    },
    /// `network_create`: a network with one subnet at a site.
    Create {
        /// Name (NICs name it).
        name: String,
        /// Project (`TENANT/PROJECT` or id).
        #[arg(long)]
        project: String,
        /// Site (name).
        #[arg(long)]
        site: String,
        /// The subnet's prefix (`10.20.0.0/24`).
        #[arg(long)]
        cidr: String,
        /// Its gateway.
        #[arg(long)]
        gateway: Option<String>,
        /// Source NAT to the outside through the nodes (needs a gateway).
        #[arg(long)]
        snat: bool,
    },
    /// `network_view`: one network.
    View {
        /// Network id.
        network: String,
    },
    /// `network_delete`: remove a network (refused while guests have NICs on it).
    Delete {
        /// Network id.
        network: String,
    },
}

/// `scmp security-group ...`
#[derive(Debug, clap::Subcommand)]
pub enum SecurityGroupCmd {
    /// `security_group_list`: a project's security groups.
    List {
        /// Project (`TENANT/PROJECT` or id).
        project: String,
    },
    /// `security_group_create`: a group at a site with its rules.
    Create {
        /// Name (guests name it).
        name: String,
        /// Project (`TENANT/PROJECT` or id).
        #[arg(long)]
        project: String,
        /// Site (name).
        #[arg(long)]
        site: String,
        /// A rule, `DIRECTION PROTOCOL [PORTS] [cidr=A,B | group=NAME]`, e.g. `in tcp 443
        /// cidr=0.0.0.0/0` (repeat for more).
        #[arg(long = "rule", value_name = "RULE")]
        rules: Vec<String>,
    },
    /// `security_group_view`: one group, its rules, its guests, its drift.
    View {
        /// Security group id.
        group: String,
    },
    /// `security_group_delete`: remove a group (refused while guests are in it).
    Delete {
        /// Security group id.
        group: String,
    },
}

/// One `--rule`: direction, protocol, then ports and the other side in any order.
pub fn parse_rule(text: &str) -> anyhow::Result<SecurityRule> {
    let mut words = text.split_whitespace();
    let (Some(direction), Some(protocol)) = (words.next(), words.next()) else {
        anyhow::bail!("--rule '{text}': give DIRECTION PROTOCOL [PORTS] [cidr=...|group=...]");
    };
    let bad = |what: &str, e: String| anyhow::anyhow!("--rule '{text}': {what}: {e}");
    let mut rule = SecurityRule {
        direction: direction.parse().map_err(|e| bad("direction", e))?,
        protocol: protocol.parse().map_err(|e| bad("protocol", e))?,
        ports: None,
        cidrs: None,
        group: None,
        description: None,
    };
    for w in words {
        if let Some(c) = w.strip_prefix("cidr=") {
            rule.cidrs = Some(c.split(',').map(str::to_string).collect());
        } else if let Some(g) = w.strip_prefix("group=") {
            rule.group = Some(g.to_string());
        } else if rule.ports.is_none() {
            rule.ports = Some(w.to_string());
        } else {
            anyhow::bail!("--rule '{text}': '{w}' is neither ports, cidr= nor group=");
        }
    }
    Ok(rule)
}

async fn finish(a: &super::client::Api, op: OperationView, g: &Global) -> anyhow::Result<()> {
    let done = follow(a, op, g.output).await?;
    print(&done, g.output, OPERATION_COLUMNS)
}

/// Runs `scmp network ...`.
pub async fn network(cmd: NetworkCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    match cmd {
        NetworkCmd::List { project } => {
            let p = project_id(&a, &project).await?;
            let list: Vec<NetworkView> = a.list(&format!("/projects/{p}/networks")).await?;
            print_list(&list, g.output, NETWORK_COLUMNS)
        }
        NetworkCmd::Create {
            name,
            project,
            site,
            cidr,
            gateway,
            snat,
        } => {
            let p = project_id(&a, &project).await?;
            let body = NetworkCreate {
                name: name.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
                description: None,
                site,
                subnets: vec![SubnetCreate {
                    cidr,
                    gateway,
                    dhcp_start: None,
                    dhcp_end: None,
                    snat: snat.then_some(true),
                }],
            };
            let op: OperationView = a
                .call(Method::POST, &format!("/projects/{p}/networks"), &body)
                .await?;
            finish(&a, op, g).await
        }
        NetworkCmd::View { network } => {
            let v: NetworkView = a.get(&format!("/networks/{network}")).await?;
            print(&v, g.output, NETWORK_COLUMNS)
        }
        NetworkCmd::Delete { network } => {
            let op: OperationView = a.delete_answering(&format!("/networks/{network}")).await?;
            finish(&a, op, g).await
        }
    }
}

/// Runs `scmp security-group ...`.
pub async fn security_group(cmd: SecurityGroupCmd, g: &Global) -> anyhow::Result<()> {
    let a = api(g)?;
    match cmd {
        SecurityGroupCmd::List { project } => {
            let p = project_id(&a, &project).await?;
            let list: Vec<SecurityGroupView> =
                a.list(&format!("/projects/{p}/security-groups")).await?;
            print_list(&list, g.output, GROUP_COLUMNS)
        }
        SecurityGroupCmd::Create {
            name,
            project,
            site,
            rules,
        } => {
            let p = project_id(&a, &project).await?;
            let body = SecurityGroupCreate {
                name: name.parse().map_err(|e| anyhow::anyhow!("{e}"))?,
                description: None,
                site,
                rules: rules
                    .iter()
                    .map(|r| parse_rule(r))
                    .collect::<anyhow::Result<_>>()?,
            };
            let op: OperationView = a
                .call(
                    Method::POST,
                    &format!("/projects/{p}/security-groups"),
                    &body,
                )
                .await?;
            finish(&a, op, g).await
        }
        SecurityGroupCmd::View { group } => {
            let v: SecurityGroupView = a.get(&format!("/security-groups/{group}")).await?;
            print(&v, g.output, GROUP_COLUMNS)
        }
        SecurityGroupCmd::Delete { group } => {
            let op: OperationView = a
                .delete_answering(&format!("/security-groups/{group}"))
                .await?;
            finish(&a, op, g).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_read_as_written() {
        let r = parse_rule("in tcp 443 cidr=0.0.0.0/0,10.0.0.0/8").unwrap();
        assert_eq!(
            (r.direction, r.protocol),
            (scmp_common::Direction::In, scmp_common::Protocol::Tcp)
        );
        assert_eq!(r.ports.as_deref(), Some("443"));
        assert_eq!(r.cidrs.unwrap(), vec!["0.0.0.0/0", "10.0.0.0/8"]);
        let r = parse_rule("in tcp group=web 5432").unwrap();
        assert_eq!(r.group.as_deref(), Some("web"));
        assert_eq!(r.ports.as_deref(), Some("5432"));
        assert!(parse_rule("in").is_err());
        assert!(parse_rule("up tcp").is_err());
        assert!(parse_rule("in tcp 22 80").is_err());
    }
}
