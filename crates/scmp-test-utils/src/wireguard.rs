//! Two WireGuard ends in network namespaces of their own, joined by a veth pair, each a
//! userspace `wireguard-go` device (the kernel may lack WireGuard) configured from a rendered
//! `wg-quick` file through `wg-quick strip` and `wg setconf`; then a TCP exchange through the
//! tunnel. Everything made is taken down when dropped. Where the machine cannot make namespaces
//! or tunnel devices, `Pair::new` answers why, and the caller says so.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The WireGuard tools the tests use.
const TOOLS: &[&str] = &["wg", "wg-quick", "wireguard-go", "ip"];

/// Whether `tool` is on the PATH.
pub fn has(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The tools missing here.
pub fn missing_tools() -> Vec<&'static str> {
    TOOLS.iter().copied().filter(|t| !has(t)).collect()
}

fn run(args: &[&str]) -> Result<Output, String> {
    let out = Command::new(args[0])
        .args(&args[1..])
        .output()
        .map_err(|e| format!("{}: {e}", args.join(" ")))?;
    if out.status.success() {
        Ok(out)
    } else {
        Err(format!(
            "{}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// `wg-quick strip FILE`: the file as `wg setconf` takes it (fails on a malformed file).
pub fn strip(conf: &Path) -> Result<String, String> {
    let out = run(&["wg-quick", "strip", &conf.display().to_string()])?;
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// One end: a namespace and its WireGuard device (the `wireguard-go` serving it).
struct End {
    ns: String,
    dev: String,
    device: Option<std::process::Child>,
}

/// Two ends joined by a veth pair (`192.0.2.1` and `192.0.2.2`).
pub struct Pair {
    a: End,
    b: End,
}

impl Pair {
    /// Makes the namespaces, the veth pair and both devices, or answers why it cannot here.
    pub fn new(tag: &str) -> Result<Pair, String> {
        let n = std::process::id() % 100_000;
        let a = End {
            ns: format!("scmp-{tag}-a-{n}"),
            dev: format!("wga{n}"),
            device: None,
        };
        let b = End {
            ns: format!("scmp-{tag}-b-{n}"),
            dev: format!("wgb{n}"),
            device: None,
        };
        run(&["ip", "netns", "add", &a.ns])?;
        let mut pair = Pair { a, b };
        run(&["ip", "netns", "add", &pair.b.ns])?;
        let (va, vb) = (format!("va{n}"), format!("vb{n}"));
        run(&[
            "ip", "link", "add", &va, "type", "veth", "peer", "name", &vb,
        ])?;
        run(&["ip", "link", "set", &va, "netns", &pair.a.ns])?;
        run(&["ip", "link", "set", &vb, "netns", &pair.b.ns])?;
        for (end, v, addr) in [
            (&mut pair.a, &va, "192.0.2.1/24"),
            (&mut pair.b, &vb, "192.0.2.2/24"),
        ] {
            run(&["ip", "-n", &end.ns, "addr", "add", addr, "dev", v])?;
            run(&["ip", "-n", &end.ns, "link", "set", v, "up"])?;
            run(&["ip", "-n", &end.ns, "link", "set", "lo", "up"])?;
            // In the foreground, so that it is this process's child and stops with the pair.
            let child = Command::new("ip")
                .args(["netns", "exec", &end.ns, "wireguard-go", "-f", &end.dev])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .map_err(|e| format!("wireguard-go: {e}"))?;
            end.device = Some(child);
            let sock = Path::new("/var/run/wireguard").join(format!("{}.sock", end.dev));
            let mut ready = false;
            for _ in 0..100 {
                if sock.exists() {
                    ready = true;
                    break;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            if !ready {
                return Err(format!("wireguard-go made no device {}", end.dev));
            }
        }
        Ok(pair)
    }

    fn end(&self, first: bool) -> &End {
        if first {
            &self.a
        } else {
            &self.b
        }
    }

    /// Configures one end (`first`: the one at 192.0.2.1) from a stripped configuration, its
    /// private key file and its tunnel address (`10.255.0.1/24`).
    pub fn configure(
        &self,
        first: bool,
        stripped: &str,
        key_file: &Path,
        address: &str,
    ) -> Result<(), String> {
        let e = self.end(first);
        let conf = std::env::temp_dir().join(format!("{}.wg", e.dev));
        std::fs::write(&conf, stripped).map_err(|x| x.to_string())?;
        let conf_s = conf.display().to_string();
        let key = key_file.display().to_string();
        let result = (|| {
            run(&[
                "ip", "netns", "exec", &e.ns, "wg", "setconf", &e.dev, &conf_s,
            ])?;
            run(&[
                "ip",
                "netns",
                "exec",
                &e.ns,
                "wg",
                "set",
                &e.dev,
                "private-key",
                &key,
            ])?;
            run(&["ip", "-n", &e.ns, "addr", "add", address, "dev", &e.dev])?;
            run(&["ip", "-n", &e.ns, "link", "set", &e.dev, "up"])?;
            Ok(())
        })();
        let _ = std::fs::remove_file(&conf);
        result
    }

    /// `wg show` of one end.
    pub fn show(&self, first: bool) -> String {
        let e = self.end(first);
        run(&["ip", "netns", "exec", &e.ns, "wg", "show", &e.dev])
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_else(|e| e)
    }

    /// Sends `text` from the first end to a TCP echo at `to` (an address of the second end,
    /// through the tunnel) and answers what came back (upper-cased by the echo), within 10 s.
    pub fn exchange(&self, to: &str, text: &str) -> Result<String, String> {
        let server = format!(
            "import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n\
             s.bind(('{to}',7000))\ns.listen(1)\ns.settimeout(10)\nc,_=s.accept()\n\
             c.sendall(c.recv(100).upper())\n"
        );
        let mut echo = Command::new("ip")
            .args(["netns", "exec", &self.b.ns, "python3", "-c", &server])
            .spawn()
            .map_err(|e| e.to_string())?;
        let client = format!(
            "import socket,time\nfor i in range(50):\n    try:\n        \
             s=socket.create_connection(('{to}',7000),timeout=2)\n        break\n    \
             except OSError:\n        time.sleep(0.1)\ns.sendall(b'{text}')\nprint(s.recv(100).decode())\n"
        );
        let out = run(&["ip", "netns", "exec", &self.a.ns, "python3", "-c", &client]);
        let _ = echo.kill();
        let _ = echo.wait();
        out.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        for e in [&mut self.a, &mut self.b] {
            if let Some(mut child) = e.device.take() {
                let _ = child.kill();
                let _ = child.wait();
            }
            let _ = run(&["ip", "netns", "del", &e.ns]);
            let _ = std::fs::remove_file(format!("/var/run/wireguard/{}.sock", e.dev));
        }
    }
}

/// A WireGuard key pair made by `wg` (private key file written in `dir`): the public key.
pub fn genkey(dir: &Path, name: &str) -> Result<(String, std::path::PathBuf), String> {
    let private = run(&["wg", "genkey"])?;
    let path = dir.join(name);
    std::fs::write(&path, &private.stdout).map_err(|e| e.to_string())?;
    let mut child = Command::new("wg")
        .arg("pubkey")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    use std::io::Write;
    child
        .stdin
        .take()
        .ok_or("no stdin")?
        .write_all(&private.stdout)
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    Ok((
        String::from_utf8_lossy(&out.stdout).trim().to_string(),
        path,
    ))
}
