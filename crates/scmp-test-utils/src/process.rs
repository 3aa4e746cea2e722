//! `scmp server` as a process of its own (for what only a process shows: the binary's command
//! line, its logs, a kill in the middle of work), started on loopback, its address read from what
//! it prints.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::client::Client;
use crate::external::Killed;

/// A running `scmp server` process; killed when dropped.
pub struct ServerProcess {
    /// The process.
    pub child: Killed,
    /// `https://127.0.0.1:PORT`.
    pub base: String,
    /// Its certificate's fingerprint.
    pub fingerprint: String,
    /// Where its agents connect, when it was started with `--agent-listen`.
    pub agents: Option<String>,
    /// Its data directory.
    pub data: PathBuf,
}

impl ServerProcess {
    /// Starts `bin server --listen 127.0.0.1:0 --data-dir DATA ARGS...` with `env`, its standard
    /// error going to `stderr`.
    pub fn start(
        bin: &str,
        data: &Path,
        args: &[&str],
        env: &[(&str, &str)],
        stderr: Stdio,
    ) -> ServerProcess {
        let mut cmd = Command::new(bin);
        cmd.args(["server", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(stderr);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let child = Killed(child);
        let (mut base, mut fingerprint, mut agents) = (String::new(), String::new(), None);
        loop {
            let mut line = String::new();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "the server printed its address"
            );
            let line = line.trim();
            if let Some(u) = line.strip_prefix("API:") {
                base = u.trim().trim_end_matches("/api/v1").to_string();
            }
            if let Some(a) = line.strip_prefix("agents:") {
                agents = Some(a.trim().to_string());
            }
            if let Some(f) = line.strip_prefix("fingerprint:") {
                fingerprint = f.trim().to_string();
            }
            if line.starts_with("admin token:") {
                break;
            }
        }
        assert!(
            !base.is_empty() && !fingerprint.is_empty(),
            "the banner names both"
        );
        ServerProcess {
            child,
            base,
            fingerprint,
            agents,
            data: data.to_path_buf(),
        }
    }

    /// Its API's URL (`.../api/v1`).
    pub fn api_url(&self) -> String {
        format!("{}/api/v1", self.base)
    }

    /// The administrator's token, from the data directory.
    pub fn admin_token(&self) -> String {
        std::fs::read_to_string(self.data.join("admin-token"))
            .unwrap()
            .trim()
            .to_string()
    }

    /// A client with the administrator's token.
    pub fn admin(&self) -> Client {
        Client::new(&self.base, &self.fingerprint, Some(self.admin_token()))
    }

    /// Asks the process to stop (SIGTERM) and waits for it.
    pub fn terminate(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.0.id().to_string()])
            .status();
        let _ = self.child.0.wait();
    }

    /// Kills the process at once (SIGKILL), as a crash would.
    pub fn kill(mut self) {
        let _ = self.child.0.kill();
        let _ = self.child.0.wait();
    }
}
