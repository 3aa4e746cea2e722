//! `scmp login --sso REALM`: single sign-on from the command line through the browser (RFC 8252):
//! a listener on a loopback port of its own is the redirect URI; the provider's URL is printed
//! (and opened where a desktop can open it); the one redirect that comes back with the login's
//! state is completed with the server, which answers the session.

use std::time::Duration;

use anyhow::Context as _;
use reqwest::Method;
use scmp_api::{SessionView, SsoBegin, SsoBegun, SsoComplete};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::client::Api;

/// How long the browser may take.
const WAIT: Duration = Duration::from_secs(300);

/// Signs on through `realm` and answers the session.
pub async fn sign_on(anon: &Api, realm: &str, totp: Option<String>) -> anyhow::Result<SessionView> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .context("listening on a loopback port for the provider's redirect")?;
    let redirect_uri = format!("http://{}/callback", listener.local_addr()?);
    let begun: SsoBegun = anon
        .call(
            Method::POST,
            &format!("/realms/{realm}/sso/begin"),
            &SsoBegin { redirect_uri },
        )
        .await?;
    println!(
        "Open this URL in your browser to sign on:\n{}",
        begun.authorization_url
    );
    // Best effort: a desktop opens it; a server prints it only.
    let _ = std::process::Command::new("xdg-open")
        .arg(&begun.authorization_url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let (code, state) = tokio::time::timeout(WAIT, redirect(&listener, &begun.state))
        .await
        .context("no sign-on came back within 5 minutes")??;
    let body = SsoComplete {
        state,
        code,
        binding: begun.binding,
        totp,
        recovery_code: None,
    };
    anon.call(
        Method::POST,
        &format!("/realms/{realm}/sso/complete"),
        &body,
    )
    .await
}

/// Waits for the redirect with this login's state; answers its code and state. Other requests
/// (a browser's favicon, a stray visitor) get a 404 and are waited past.
async fn redirect(
    listener: &tokio::net::TcpListener,
    state: &str,
) -> anyhow::Result<(String, String)> {
    loop {
        let (mut stream, _) = listener.accept().await?;
        let mut line = String::new();
        BufReader::new(&mut stream).read_line(&mut line).await?;
        let target = line.split_whitespace().nth(1).unwrap_or("/");
        let url = url::Url::parse(&format!("http://127.0.0.1{target}"))?;
        let get = |k: &str| {
            url.query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
        };
        if url.path() != "/callback" || get("state").as_deref() != Some(state) {
            let _ = stream
                .write_all(
                    b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                )
                .await;
            continue;
        }
        let (page, found) = match (get("code"), get("error")) {
            (Some(code), _) => (
                "Signed on: you can close this window and go back to the terminal.",
                Ok((code, state.to_string())),
            ),
            (None, e) => (
                "The sign-on failed: see the terminal.",
                Err(anyhow::anyhow!(
                    "the provider refused the sign-on: {}",
                    e.unwrap_or_else(|| "no code".into())
                )),
            ),
        };
        let answer = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: {}\r\n\
             connection: close\r\n\r\n{page}",
            page.len()
        );
        let _ = stream.write_all(answer.as_bytes()).await;
        return found;
    }
}
