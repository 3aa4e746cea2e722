//! A real Active Directory domain controller (Samba's, from Debian's `samba` and `samba-ad-dc`)
//! for the AD realm tests: provisioned in a temporary directory, serving LDAP and LDAPS on a
//! loopback address of its own (AD's ports cannot be moved, so each instance takes another
//! 127.x.y.z), seeded over LDAPS, stopped when dropped.
//!
//! It needs root (the LDAP ports are below 1024): without root the tests that use it are
//! skipped and say so, whatever `SCMP_REQUIRE_EXTERNAL` asks; without the packages they are
//! missing peers as any other.
//!
//! The domain `CORP.EXAMPLE.ORG`: `alice` in `Developers`, `carol` in `Team Leads`, which is in
//! `Developers`, `dave` in `Developers` but disabled.

use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use crate::external::missing;

/// The domain's base DN.
pub const BASE_DN: &str = "DC=corp,DC=example,DC=org";
/// Where users and groups are.
pub const USERS_DN: &str = "CN=Users,DC=corp,DC=example,DC=org";
/// The DNS domain (users' principal names end with it).
pub const DOMAIN: &str = "corp.example.org";
/// The administrator's DN (the realm's service account in the tests).
pub const ADMIN_DN: &str = "CN=Administrator,CN=Users,DC=corp,DC=example,DC=org";
/// The administrator's password.
pub const ADMIN_PASSWORD: &str = "Adm1n-Passw0rd!";

/// A person's password in the seeded domain (AD's complexity rules want all four kinds).
pub fn password_of(user: &str) -> String {
    format!("{user}-Passw0rd!")
}

/// A running Samba AD DC.
pub struct SambaAd {
    /// The loopback address it serves on.
    pub address: String,
    /// Its certificate's SHA-256 fingerprint (`AA:BB:...`; self-signed, made at first start).
    pub fingerprint: String,
    _dir: tempfile::TempDir,
    child: Child,
    stdin: Option<ChildStdin>,
}

impl Drop for SambaAd {
    fn drop(&mut self) {
        // Samba in the foreground stops when its standard input closes; make sure.
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// A loopback address no other instance of this run uses.
fn address() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::SeqCst);
    let pid = std::process::id();
    format!(
        "127.{}.{}.{}",
        100 + (pid >> 8) % 100,
        pid % 250 + 1,
        n % 250 + 2
    )
}

fn run(cmd: &mut Command, what: &str) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

impl SambaAd {
    /// Provisions, starts and seeds a domain controller (none when Samba is not installed and
    /// not required, or this is not root).
    pub async fn start() -> Option<SambaAd> {
        if !Path::new("/usr/sbin/samba").exists() || !Path::new("/usr/bin/samba-tool").exists() {
            return missing("Samba's AD DC (Debian's samba and samba-ad-dc)");
        }
        if !is_root() {
            eprintln!("skipped: Samba's AD DC binds the LDAP ports, which needs root");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let address = address();
        let opt = |k: &str, v: String| format!("--option={k}={v}");
        let run_dir = d.join("run");
        std::fs::create_dir_all(&run_dir).unwrap();
        run(
            Command::new("samba-tool")
                .args(["domain", "provision", "--use-rfc2307", "--server-role=dc"])
                .arg(format!("--targetdir={}", d.display()))
                .args(["--realm=CORP.EXAMPLE.ORG", "--domain=CORP"])
                .arg(format!("--adminpass={ADMIN_PASSWORD}"))
                .args(["--dns-backend=NONE", "--host-name=dc1"])
                .arg(format!("--host-ip={address}"))
                .arg(opt("interfaces", format!("{address}/8")))
                .arg(opt("bind interfaces only", "yes".into()))
                .arg(opt("server services", "ldap".into()))
                .arg(opt("pid directory", run_dir.display().to_string()))
                .arg(opt(
                    "ncalrpc dir",
                    run_dir.join("ncalrpc").display().to_string(),
                ))
                .arg(opt(
                    "winbindd socket directory",
                    run_dir.join("winbindd").display().to_string(),
                ))
                .arg(opt(
                    "ntp signd socket directory",
                    run_dir.join("ntp").display().to_string(),
                ))
                .arg(opt("log file", d.join("log.%m").display().to_string())),
            "samba-tool domain provision",
        );
        let conf = d.join("etc/smb.conf");
        let text = std::fs::read_to_string(&conf).unwrap();
        // Simple binds without TLS are refused by default; the tests bind over LDAPS, and plain
        // LDAP is allowed so that the connection test's plain mode can be tried.
        std::fs::write(
            &conf,
            text.replacen(
                "[global]",
                "[global]\n\tldap server require strong auth = no",
                1,
            ),
        )
        .unwrap();
        let mut child = Command::new("samba")
            .args(["-i", "-M", "single", "-s"])
            .arg(&conf)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting samba");
        let stdin = child.stdin.take();
        let mut ad = SambaAd {
            address,
            fingerprint: String::new(),
            _dir: dir,
            child,
            stdin,
        };
        ad.wait_ready().await;
        ad.fingerprint = fingerprint(&ad._dir.path().join("private/tls/cert.pem"));
        ad.modify(&seed());
        Some(ad)
    }

    fn ldaps(&self) -> String {
        format!("ldaps://{}", self.address)
    }

    async fn wait_ready(&self) {
        for _ in 0..300 {
            let probe = Command::new("ldapsearch")
                .env("LDAPTLS_REQCERT", "never")
                .args([
                    "-x",
                    "-H",
                    &self.ldaps(),
                    "-D",
                    ADMIN_DN,
                    "-w",
                    ADMIN_PASSWORD,
                ])
                .args(["-b", BASE_DN, "-s", "base", "(objectClass=*)"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("ldapsearch (Debian's ldap-utils)");
            if probe.success() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("Samba's AD DC did not answer within 30 s");
    }

    /// Applies LDIF through LDAPS as the domain's administrator (entries are added).
    pub fn modify(&self, ldif: &str) {
        let file: PathBuf = self._dir.path().join("change.ldif");
        std::fs::write(&file, ldif).unwrap();
        run(
            Command::new("ldapmodify")
                .env("LDAPTLS_REQCERT", "never")
                .args([
                    "-a",
                    "-x",
                    "-H",
                    &self.ldaps(),
                    "-D",
                    ADMIN_DN,
                    "-w",
                    ADMIN_PASSWORD,
                ])
                .arg("-f")
                .arg(&file),
            "ldapmodify",
        );
    }
}

fn fingerprint(cert: &Path) -> String {
    let out = run(
        Command::new("openssl")
            .args(["x509", "-noout", "-fingerprint", "-sha256", "-in"])
            .arg(cert),
        "openssl x509",
    );
    out.trim()
        .rsplit_once('=')
        .map(|(_, fp)| fp.to_string())
        .unwrap_or_default()
}

/// `unicodePwd`'s value: the password in quotes, UTF-16LE, base64.
fn unicode_pwd(password: &str) -> String {
    use base64::Engine;
    let bytes: Vec<u8> = format!("\"{password}\"")
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn person(user: &str, disabled: bool) -> String {
    format!(
        "dn: CN={user},{USERS_DN}\nobjectClass: user\nsAMAccountName: {user}\n\
         userPrincipalName: {user}@{DOMAIN}\nmail: {user}@{DOMAIN}\nunicodePwd:: {pw}\n\
         userAccountControl: {uac}\n\n",
        pw = unicode_pwd(&password_of(user)),
        uac = if disabled { 514 } else { 512 },
    )
}

fn group(name: &str, members: &[String]) -> String {
    let mut out = format!("dn: CN={name},{USERS_DN}\nobjectClass: group\nsAMAccountName: {name}\n");
    for m in members {
        out.push_str(&format!("member: {m}\n"));
    }
    out.push('\n');
    out
}

/// A person's DN in the seeded domain.
pub fn dn(cn: &str) -> String {
    format!("CN={cn},{USERS_DN}")
}

fn seed() -> String {
    let mut ldif = String::new();
    for (u, disabled) in [("alice", false), ("carol", false), ("dave", true)] {
        ldif.push_str(&person(u, disabled));
    }
    ldif.push_str(&group("Team Leads", &[dn("carol")]));
    ldif.push_str(&group(
        "Developers",
        &[dn("alice"), dn("Team Leads"), dn("dave")],
    ));
    ldif
}
