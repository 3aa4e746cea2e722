//! A real OpenLDAP server (Debian's `slapd`) for the directory tests: its own configuration and
//! database in a temporary directory, plain LDAP and LDAPS on loopback ports, a certificate from
//! a CA made here, seeded through the running server (so the `dynlist` overlay fills `memberOf`),
//! stopped when dropped.
//!
//! The directory (`dc=corp,dc=example`): a service account for searches, people with passwords
//! (`alice` in `devs`, `carol` in `leads` which is itself in `devs`, `bob` in `ops`), and enough
//! further people that a search without paging runs into the database's size limit: only paged
//! searches see all of them.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::external::{missing, Killed};

/// The directory's suffix.
pub const BASE_DN: &str = "dc=corp,dc=example";
/// The service account the realm searches with.
pub const BIND_DN: &str = "cn=scmp-bind,ou=services,dc=corp,dc=example";
/// Its password.
pub const BIND_PASSWORD: &str = "bind-secret-1234";
/// Every seeded person's password is their name followed by this.
pub const PASSWORD_SUFFIX: &str = "-password-1";
/// How many further people are seeded (more than [`SIZE_LIMIT`]).
pub const FILLER_PEOPLE: usize = 120;
/// The most entries one search without paging answers.
pub const SIZE_LIMIT: usize = 50;

const ROOT_DN: &str = "cn=admin,dc=corp,dc=example";
const ROOT_PASSWORD: &str = "root-secret-1234";

/// A running slapd.
pub struct Slapd {
    /// `ldap://127.0.0.1:PORT`.
    pub ldap_port: u16,
    /// `ldaps://127.0.0.1:PORT`.
    pub ldaps_port: u16,
    /// The CA that signed the server's certificate (PEM); the certificate names 127.0.0.1 only.
    pub ca_pem: String,
    /// The server certificate's SHA-256 fingerprint, `AA:BB:...`.
    pub fingerprint: String,
    dir: tempfile::TempDir,
    _child: Killed,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn slapd_binary() -> Option<PathBuf> {
    ["/usr/sbin/slapd", "/usr/local/sbin/slapd"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

/// A person's password in the seeded directory.
pub fn password_of(uid: &str) -> String {
    format!("{uid}{PASSWORD_SUFFIX}")
}

/// The DN of a seeded person.
pub fn person_dn(uid: &str) -> String {
    format!("uid={uid},ou=people,{BASE_DN}")
}

/// The DN of a seeded group.
pub fn group_dn(cn: &str) -> String {
    format!("cn={cn},ou=groups,{BASE_DN}")
}

impl Slapd {
    /// Starts and seeds a slapd (none when slapd is not installed and not required).
    pub async fn start() -> Option<Slapd> {
        let Some(slapd) = slapd_binary() else {
            return missing("slapd (Debian's slapd package)");
        };
        let dir = tempfile::tempdir().unwrap();
        let (ca_pem, fingerprint) = write_certificates(dir.path());
        std::fs::create_dir(dir.path().join("db")).unwrap();
        std::fs::write(dir.path().join("slapd.conf"), config(dir.path())).unwrap();
        let (ldap_port, ldaps_port) = (free_port(), free_port());
        let urls = format!("ldap://127.0.0.1:{ldap_port}/ ldaps://127.0.0.1:{ldaps_port}/");
        let child = Command::new(slapd)
            .arg("-f")
            .arg(dir.path().join("slapd.conf"))
            .arg("-h")
            .arg(urls)
            // In the foreground, so it is this process's child and dies with the test.
            .arg("-d")
            .arg("0")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting slapd");
        let server = Slapd {
            ldap_port,
            ldaps_port,
            ca_pem,
            fingerprint,
            dir,
            _child: Killed(child),
        };
        server.wait_ready().await;
        server.modify(&seed(), true);
        Some(server)
    }

    /// `ldap://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("ldap://127.0.0.1:{}", self.ldap_port)
    }

    async fn wait_ready(&self) {
        for _ in 0..200 {
            let probe = Command::new("ldapsearch")
                .args(["-x", "-H", &self.url(), "-D", ROOT_DN, "-w", ROOT_PASSWORD])
                .args(["-b", "", "-s", "base", "(objectClass=*)"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("ldapsearch (Debian's ldap-utils)");
            if probe.success() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("slapd did not answer within 10 s");
    }

    /// Applies LDIF through the running server as its administrator (`add`: new entries).
    pub fn modify(&self, ldif: &str, add: bool) {
        let file = self.dir.path().join("change.ldif");
        std::fs::write(&file, ldif).unwrap();
        let mut cmd = Command::new("ldapmodify");
        cmd.args(["-x", "-H", &self.url(), "-D", ROOT_DN, "-w", ROOT_PASSWORD]);
        if add {
            cmd.arg("-a");
        }
        let out = cmd.arg("-f").arg(&file).output().expect("ldapmodify");
        assert!(
            out.status.success(),
            "ldapmodify failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Takes a member (a person's or a group's DN) out of a group.
    pub fn remove_member(&self, group: &str, member_dn: &str) {
        self.modify(
            &format!(
                "dn: {}\nchangetype: modify\ndelete: member\nmember: {member_dn}\n",
                group_dn(group),
            ),
            false,
        );
    }

    /// Deletes a person.
    pub fn delete_person(&self, uid: &str) {
        self.modify(
            &format!("dn: {}\nchangetype: delete\n", person_dn(uid)),
            false,
        );
    }
}

fn config(dir: &Path) -> String {
    let d = dir.display();
    format!(
        "include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/dyngroup.schema
modulepath /usr/lib/ldap
moduleload back_mdb
moduleload dynlist
pidfile {d}/slapd.pid
TLSCACertificateFile {d}/ca.pem
TLSCertificateFile {d}/server.pem
TLSCertificateKeyFile {d}/server.key
database mdb
maxsize 104857600
suffix \"{BASE_DN}\"
rootdn \"{ROOT_DN}\"
rootpw {ROOT_PASSWORD}
directory {d}/db
sizelimit size.soft={SIZE_LIMIT} size.hard={SIZE_LIMIT} size.pr=100 size.prtotal=unlimited
access to attrs=userPassword by anonymous auth by self write by * none
access to * by users read by * none
overlay dynlist
dynlist-attrset groupOfURLs memberURL member+memberOf@groupOfNames
"
    )
}

/// A CA and a server certificate for 127.0.0.1 signed by it; answers the CA's PEM and the server
/// certificate's fingerprint.
fn write_certificates(dir: &Path) -> (String, String) {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "corp.example test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let key = KeyPair::generate().unwrap();
    let mut params = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    params
        .distinguished_name
        .push(DnType::CommonName, "ldap.corp.example");
    let cert = params.signed_by(&key, &ca_cert, &ca_key).unwrap();
    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("server.key"), key.serialize_pem()).unwrap();
    let digest = sha256(cert.der());
    let fingerprint = digest
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(":");
    (ca_cert.pem(), fingerprint)
}

fn sha256(data: &[u8]) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    Sha256::digest(data).to_vec()
}

fn person(uid: &str, name: &str) -> String {
    format!(
        "dn: {dn}\nobjectClass: inetOrgPerson\nuid: {uid}\ncn: {name}\nsn: {uid}\n\
         mail: {uid}@corp.example\nuserPassword: {pw}\n\n",
        dn = person_dn(uid),
        pw = password_of(uid)
    )
}

fn group(cn: &str, members: &[String]) -> String {
    let mut out = format!(
        "dn: {}\nobjectClass: groupOfNames\ncn: {cn}\n",
        group_dn(cn)
    );
    for m in members {
        out.push_str(&format!("member: {m}\n"));
    }
    out.push('\n');
    out
}

fn seed() -> String {
    let mut ldif = format!(
        "dn: {BASE_DN}\nobjectClass: dcObject\nobjectClass: organization\ndc: corp\no: Corp\n\n\
         dn: ou=people,{BASE_DN}\nobjectClass: organizationalUnit\nou: people\n\n\
         dn: ou=groups,{BASE_DN}\nobjectClass: organizationalUnit\nou: groups\n\n\
         dn: ou=services,{BASE_DN}\nobjectClass: organizationalUnit\nou: services\n\n\
         dn: {BIND_DN}\nobjectClass: organizationalRole\nobjectClass: simpleSecurityObject\n\
         cn: scmp-bind\nuserPassword: {BIND_PASSWORD}\n\n"
    );
    for (uid, name) in [
        ("alice", "Alice Adams"),
        ("bob", "Bob Brown"),
        ("carol", "Carol Clark"),
    ] {
        ldif.push_str(&person(uid, name));
    }
    let filler: Vec<String> = (1..=FILLER_PEOPLE).map(|i| format!("user{i:03}")).collect();
    for uid in &filler {
        ldif.push_str(&person(uid, uid));
    }
    ldif.push_str(&group("leads", &[person_dn("carol")]));
    ldif.push_str(&group("devs", &[person_dn("alice"), group_dn("leads")]));
    ldif.push_str(&group("ops", &[person_dn("bob")]));
    let staff: Vec<String> = filler.iter().map(|u| person_dn(u)).collect();
    ldif.push_str(&group("staff", &staff));
    ldif
}
