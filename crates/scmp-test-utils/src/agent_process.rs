//! `scmp agent run` as a process of its own, next to a simulated cluster: the site's agent as an
//! operator runs it, its output read line by line so a test can wait for what it says.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::external::Killed;
use crate::sim::SimSite;

/// A running `scmp agent run`; killed when dropped.
pub struct AgentProcess {
    /// The process.
    pub child: Killed,
    /// Its data directory.
    pub dir: PathBuf,
    lines: Arc<Mutex<Vec<String>>>,
}

impl AgentProcess {
    /// Starts `bin agent run` for the simulated cluster `site` registered as `cluster`, linking
    /// to `server` (enrolling with `join_token` when the directory holds no agent yet).
    pub fn start(
        bin: &str,
        dir: &Path,
        server: &str,
        join_token: Option<&str>,
        site: &SimSite,
        cluster: &str,
    ) -> AgentProcess {
        Self::start_with(bin, dir, server, join_token, site, cluster, &[])
    }

    /// The same with more options (`--site-api-listen ADDR`, ...).
    pub fn start_with(
        bin: &str,
        dir: &Path,
        server: &str,
        join_token: Option<&str>,
        site: &SimSite,
        cluster: &str,
        extra: &[&str],
    ) -> AgentProcess {
        let line = site.sim.token_line();
        let (token_id, secret) = line.split_once('=').unwrap();
        let mut cmd = Command::new(bin);
        cmd.args(["agent", "run", "--data-dir"])
            .arg(dir)
            .args(["--server", server])
            .args(["--pve", &format!("https://{}", site.addr)])
            .args(["--pve-token-id", token_id])
            .args(["--pve-fingerprint", &site.sim.fingerprint()])
            .args(["--cluster", cluster])
            .args(extra)
            .env("SCMP_PVE_TOKEN_SECRET", secret)
            .env("RUST_LOG", "scmp_agent=info,warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(t) = join_token {
            cmd.env("SCMP_JOIN_TOKEN", t);
        }
        let mut child = cmd.spawn().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    eprintln!("agent| {line}");
                    lines.lock().unwrap().push(line);
                }
            });
        }
        AgentProcess {
            child: Killed(child),
            dir: dir.to_path_buf(),
            lines,
        }
    }

    /// Everything it printed so far.
    pub fn output(&self) -> String {
        self.lines.lock().unwrap().join("\n")
    }

    /// Waits (at most `within`) until it printed a line containing `text`; answers whether it did.
    pub async fn wait_for(&self, text: &str, within: Duration) -> bool {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if self.lines.lock().unwrap().iter().any(|l| l.contains(text)) {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        false
    }

    /// The first line it printed that starts with `prefix` (waiting at most `within`).
    pub async fn line_starting(&self, prefix: &str, within: Duration) -> Option<String> {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if let Some(l) = self
                .lines
                .lock()
                .unwrap()
                .iter()
                .find(|l| l.starts_with(prefix))
            {
                return Some(l.clone());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// How many lines containing `text` it printed.
    pub fn count(&self, text: &str) -> usize {
        self.lines
            .lock()
            .unwrap()
            .iter()
            .filter(|l| l.contains(text))
            .count()
    }

    /// Waits (at most `within`) for it to end; answers its exit status if it did.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<std::process::ExitStatus> {
        let end = Instant::now() + within;
        while Instant::now() < end {
            if let Some(s) = self.child.0.try_wait().unwrap() {
                return Some(s);
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }

    /// Kills it at once (SIGKILL), as a crash or a power cut at the site would.
    pub fn kill(mut self) {
        let _ = self.child.0.kill();
        let _ = self.child.0.wait();
    }
}
