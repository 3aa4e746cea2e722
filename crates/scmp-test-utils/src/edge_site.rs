//! An edge site for end-to-end tests: the site registered at the centre, a simulated cluster, a
//! proxy on its link (to cut, delay and mend it), and an `scmp agent run` process enrolled with a
//! join token and linked through the proxy, serving the site's own API when asked; and the
//! `scmp` command line run with a configuration directory of its own.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use scmp_api::{ClusterView, JoinTokenCreated, Page};
use serde_json::json;

use crate::agent_process::AgentProcess;
use crate::link_proxy::LinkProxy;
use crate::{Client, SimSite, TestContext};

/// A site reached through its own agent process.
pub struct EdgeSite {
    /// Its simulated cluster.
    pub site: SimSite,
    /// The proxy its link runs through.
    pub proxy: LinkProxy,
    /// The agent's directory (identity, journal, break-glass credential).
    pub dir: tempfile::TempDir,
    /// The agent.
    pub agent: AgentProcess,
    /// The site's own API (`https://...`) and its certificate's fingerprint, when served.
    pub api: Option<(String, String)>,
}

impl EdgeSite {
    /// Registers site `name` (country DE) at the centre and starts its agent (with `bin`, the
    /// `scmp` binary) for its cluster `<name>-1`, linked, and its cluster looked at through it;
    /// with `site_api`, the agent also serves the site's own API.
    pub async fn start(ctx: &TestContext, bin: &str, name: &str, site_api: bool) -> EdgeSite {
        let c = &ctx.admin;
        let _: serde_json::Value = c
            .post("/sites", &json!({"name": name, "country": "DE"}))
            .await;
        let token: JoinTokenCreated = c
            .post(&format!("/sites/{name}/join-tokens"), &json!({}))
            .await;
        let site = SimSite::start(0.0).await;
        let proxy = LinkProxy::start(ctx.running.agent_addr.unwrap()).await;
        let dir = tempfile::tempdir().unwrap();
        let extra: &[&str] = if site_api {
            &["--site-api-listen", "127.0.0.1:0"]
        } else {
            &[]
        };
        let agent = AgentProcess::start_with(
            bin,
            dir.path(),
            &proxy.url(),
            Some(&token.token),
            &site,
            &format!("{name}-1"),
            extra,
        );
        assert!(
            agent.wait_for("linked", Duration::from_secs(30)).await,
            "{}",
            agent.output()
        );
        let api = if site_api {
            let line = agent
                .line_starting("site API:", Duration::from_secs(10))
                .await
                .expect("the agent says where its API is");
            let words: Vec<&str> = line.split_whitespace().collect();
            Some((words[2].to_string(), words[4].to_string()))
        } else {
            None
        };
        cluster_through_agent(c, name).await;
        EdgeSite {
            site,
            proxy,
            dir,
            agent,
            api,
        }
    }

    /// A client of the site's own API, without a credential.
    pub fn api_client(&self) -> Client {
        let (url, fingerprint) = self.api.as_ref().expect("the site serves its API");
        Client::new(url, fingerprint, None)
    }

    /// Where the site's break-glass credential is.
    pub fn break_glass_file(&self) -> std::path::PathBuf {
        self.dir.path().join("break-glass-token")
    }
}

/// Waits (bounded) for a site's cluster to be registered through its agent and looked at.
pub async fn cluster_through_agent(c: &Client, site: &str) -> ClusterView {
    for _ in 0..200 {
        let page: Page<ClusterView> = c.get(&format!("/sites/{site}/clusters")).await;
        if let Some(cl) = page.items.into_iter().next() {
            if cl.agent.is_some() && cl.health.last_seen_at.is_some() {
                return cl;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no cluster registered through the agent at {site}");
}

/// Runs `bin` (the `scmp` binary) with `args` and its configuration in `config`.
pub fn cli(bin: &str, config: &Path, args: &[&str]) -> Output {
    std::process::Command::new(bin)
        .env("SCMP_CONFIG_DIR", config)
        .args(args)
        .output()
        .unwrap()
}

/// What a command printed, standard output then standard error.
pub fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
