//! Bad answers give typed errors, never a panic: arbitrary bytes, truncated JSON and wrong types into
//! every response type (property tests), and on the wire a truncated body, a body over the limit, a
//! connection closed mid-answer and garbage instead of HTTP.
#![allow(clippy::unwrap_used)] // A test or a bench may unwrap: a panic fails it.

use std::sync::Arc;
use std::time::Duration;

use proptest::prelude::*;
use pve_client::{
    answer_data, decode_data, ClientConfig, Credentials, ErrorKind, PveApi, PveClient, Trust,
};
use pve_types::api::{access, cluster, guest, ha, nodes, pools, storage, tasks};
use pve_types::{Endpoint, HttpMethod};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const E: Endpoint = Endpoint::new(HttpMethod::Get, "/x");

/// Decodes `data` into every response type; each must answer Ok or Err.
fn decode_everything(data: &Value) {
    let _ = decode_data::<access::VersionInfo>(E, data.clone());
    let _ = decode_data::<access::Ticket>(E, data.clone());
    let _ = decode_data::<access::Permissions>(E, data.clone());
    let _ = decode_data::<Vec<cluster::ClusterResource>>(E, data.clone());
    let _ = decode_data::<Vec<cluster::ClusterStatusItem>>(E, data.clone());
    let _ = decode_data::<pve_types::Vmid>(E, data.clone());
    let _ = decode_data::<Vec<nodes::NodeListItem>>(E, data.clone());
    let _ = decode_data::<nodes::NodeStatus>(E, data.clone());
    let _ = decode_data::<Vec<nodes::RrdPoint>>(E, data.clone());
    let _ = decode_data::<Vec<guest::GuestStatus>>(E, data.clone());
    let _ = decode_data::<guest::GuestConfig>(E, data.clone());
    let _ = decode_data::<Vec<guest::Snapshot>>(E, data.clone());
    let _ = decode_data::<pve_types::Upid>(E, data.clone());
    let _ = decode_data::<tasks::TaskStatus>(E, data.clone());
    let _ = decode_data::<Vec<tasks::TaskListItem>>(E, data.clone());
    let _ = decode_data::<Vec<tasks::TaskLogLine>>(E, data.clone());
    let _ = decode_data::<Vec<pools::PoolListItem>>(E, data.clone());
    let _ = decode_data::<pools::PoolConfig>(E, data.clone());
    let _ = decode_data::<Vec<storage::StorageContent>>(E, data.clone());
    let _ = decode_data::<Vec<storage::NodeStorage>>(E, data.clone());
    let _ = decode_data::<Vec<ha::HaResource>>(E, data.clone());
    let _ = decode_data::<Vec<ha::HaStatusEntry>>(E, data.clone());
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
        prop::sample::select(vec![
            "vmid", "node", "status", "upid", "type", "id", "data", "1", "0"
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "vmid",
                    "node",
                    "status",
                    "upid",
                    "type",
                    "id",
                    "name",
                    "cpu",
                    "maxmem",
                    "loadavg",
                    "memory",
                    "cpuinfo",
                    "exitstatus",
                    "pid",
                    "pstart",
                    "starttime",
                    "user",
                    "version",
                    "release",
                    "repoid",
                    "sid",
                    "members",
                    "poolid",
                    "volid",
                    "size",
                    "format",
                    "total",
                    "used",
                    "free",
                ])
                .prop_map(str::to_string),
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512), status in 100u16..700) {
        if let Ok(data) = answer_data(E, status, None, &body) {
            decode_everything(&data);
        }
        let _ = pve_client::decode_answer::<Vec<pve_types::api::cluster::ClusterResource>>(E, &body);
        let _ = pve_client::decode_answer::<pve_types::api::nodes::NodeStatus>(E, &body);
    }

    #[test]
    fn arbitrary_json_never_panics(data in json_value()) {
        decode_everything(&data);
        let wrapped = serde_json::to_vec(&serde_json::json!({"data": data})).unwrap();
        prop_assert!(answer_data(E, 200, None, &wrapped).is_ok());
    }

    #[test]
    fn truncated_answers_are_decode_errors(cut in 1usize..200) {
        let full = br#"{"data":{"upid":"UPID:pve1:000A1B2C:0123ABCD:684802A0:qmcreate:100:root@pam:","node":"pve1","pid":1,"pstart":2,"starttime":3,"type":"qmcreate","id":"100","user":"root@pam","status":"stopped","exitstatus":"OK"}}"#;
        let cut = cut.min(full.len() - 1);
        let err = answer_data(E, 200, None, &full[..cut]).unwrap_err();
        prop_assert_eq!(err.kind(), ErrorKind::Decode);
    }

    #[test]
    fn error_answers_are_typed(status in 400u16..600, reason in proptest::option::of("\\PC{0,40}"),
                               body in prop::collection::vec(any::<u8>(), 0..128)) {
        let err = answer_data(E, status, reason.as_deref(), &body).unwrap_err();
        prop_assert!(err.kind() != ErrorKind::Decode);
    }
}

#[test]
fn wrong_types_are_decode_errors() {
    for bad in [
        r#"{"data":"text"}"#,
        r#"{"data":{"version":1}}"#,
        r#"{"nodata":1}"#,
        r#"[1,2]"#,
        "\u{feff}{}",
    ] {
        let data = answer_data(E, 200, None, bad.as_bytes());
        if let Ok(d) = data {
            let err = decode_data::<access::VersionInfo>(E, d).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Decode);
        }
    }
    let err = answer_data(E, 200, None, b"\xff\xfe\x00").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode);
}

/// A TLS server that answers every connection with the same raw bytes, then closes.
async fn raw_server(answer: Vec<u8>) -> (String, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["127.0.0.1".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let fingerprint = pve_client::Fingerprint::of_der(cert.der()).to_string();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(cfg));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let answer = Arc::new(answer);
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let acceptor = acceptor.clone();
            let answer = answer.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                let mut buf = vec![0u8; 8192];
                let _ = tls.read(&mut buf).await;
                let _ = tls.write_all(&answer).await;
                let _ = tls.shutdown().await;
            });
        }
    });
    (format!("https://{addr}"), fingerprint)
}

async fn client_for(answer: Vec<u8>, max_body: usize) -> PveClient {
    let (url, fp) = raw_server(answer).await;
    let mut cfg = ClientConfig::new(
        url.parse().unwrap(),
        Trust::Fingerprint(fp.parse().unwrap()),
        Credentials::parse_token("root@pam!scmp=secret").unwrap(),
    );
    cfg.max_body_bytes = max_body;
    cfg.timeout = Duration::from_secs(5);
    cfg.retry = pve_client::RetryPolicy::none();
    PveClient::new(cfg).unwrap()
}

#[tokio::test]
async fn on_the_wire() {
    let truncated = b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nContent-Type: application/json\r\n\r\n{\"data\":{\"ver".to_vec();
    let err = client_for(truncated, 1 << 20)
        .await
        .version()
        .await
        .unwrap_err();
    assert!(
        matches!(err.kind(), ErrorKind::Transport | ErrorKind::Decode),
        "{err}"
    );

    let mut huge =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 20000\r\n\r\n"
            .to_vec();
    huge.extend(std::iter::repeat_n(b' ', 20_000));
    let err = client_for(huge, 4096).await.version().await.unwrap_err();
    assert!(
        matches!(err, pve_client::Error::BodyTooLarge { limit: 4096, .. }),
        "{err}"
    );

    let mut chunked =
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            .to_vec();
    for _ in 0..10 {
        chunked.extend(b"3e8\r\n");
        chunked.extend(std::iter::repeat_n(b' ', 1000));
        chunked.extend(b"\r\n");
    }
    chunked.extend(b"0\r\n\r\n");
    let err = client_for(chunked, 4096).await.version().await.unwrap_err();
    assert!(
        matches!(err, pve_client::Error::BodyTooLarge { .. }),
        "a body without a length is limited too: {err}"
    );

    let garbage = b"\x00\x01 this is not HTTP at all\r\n\r\n".to_vec();
    let err = client_for(garbage, 1 << 20)
        .await
        .version()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transport, "{err}");

    let wrong = b"HTTP/1.1 200 OK\r\nContent-Length: 21\r\n\r\n{\"data\":[1,2,3,4,5]}\n".to_vec();
    let err = client_for(wrong, 1 << 20)
        .await
        .version()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Decode, "{err}");

    let status = b"HTTP/1.1 500 VM 100 is locked (clone)\r\nContent-Length: 0\r\n\r\n".to_vec();
    let err = client_for(status, 1 << 20)
        .await
        .version()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("VM 100 is locked (clone)"),
        "the reason phrase is read: {err}"
    );
}
