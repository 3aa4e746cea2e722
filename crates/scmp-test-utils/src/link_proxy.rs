//! A TCP proxy on loopback between a site's agent and the centre, to break the link the ways real
//! links break: cut (every connection reset and new ones refused until it is mended), delayed (each
//! chunk held back a while in each direction), or mended again.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;

/// The proxy's state, shared with its connections.
struct Shared {
    cut: AtomicBool,
    delay_ms: AtomicU64,
    /// Bumped on every cut: connections older than the cut end.
    generation: watch::Sender<u64>,
    connections: AtomicU64,
}

/// A proxy to `target`, listening on `addr`.
pub struct LinkProxy {
    /// Where it listens.
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl LinkProxy {
    /// Starts a proxy on 127.0.0.1 to `target`.
    pub async fn start(target: SocketAddr) -> LinkProxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            cut: AtomicBool::new(false),
            delay_ms: AtomicU64::new(0),
            generation: watch::channel(0).0,
            connections: AtomicU64::new(0),
        });
        let s = shared.clone();
        let task = tokio::spawn(async move {
            while let Ok((inbound, _)) = listener.accept().await {
                if s.cut.load(Ordering::SeqCst) {
                    drop(inbound);
                    continue;
                }
                s.connections.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(carry(inbound, target, s.clone()));
            }
        });
        LinkProxy { addr, shared, task }
    }

    /// `https://127.0.0.1:PORT`, for an agent's `--server`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// Resets every connection and refuses new ones until [`LinkProxy::mend`].
    pub fn cut(&self) {
        self.shared.cut.store(true, Ordering::SeqCst);
        self.shared.generation.send_modify(|g| *g += 1);
    }

    /// Takes connections again, without delay.
    pub fn mend(&self) {
        self.shared.delay_ms.store(0, Ordering::SeqCst);
        self.shared.cut.store(false, Ordering::SeqCst);
    }

    /// Holds every chunk back this long, both ways.
    pub fn delay(&self, d: Duration) {
        self.shared
            .delay_ms
            .store(d.as_millis() as u64, Ordering::SeqCst);
    }

    /// How many connections it took so far.
    pub fn connections(&self) -> u64 {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

impl Drop for LinkProxy {
    fn drop(&mut self) {
        self.cut();
        self.task.abort();
    }
}

async fn carry(inbound: TcpStream, target: SocketAddr, shared: Arc<Shared>) {
    let Ok(outbound) = TcpStream::connect(target).await else {
        return;
    };
    let mut cuts = shared.generation.subscribe();
    let (ri, wi) = inbound.into_split();
    let (ro, wo) = outbound.into_split();
    let up = pipe(ri, wo, shared.clone());
    let down = pipe(ro, wi, shared.clone());
    tokio::select! {
        _ = up => {}
        _ = down => {}
        _ = cuts.changed() => {}
    }
}

async fn pipe(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    shared: Arc<Shared>,
) {
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        let delay = shared.delay_ms.load(Ordering::SeqCst);
        if delay > 0 {
            tokio::time::sleep(Duration::from_millis(delay)).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            return;
        }
    }
}
