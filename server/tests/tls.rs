//! HTTPS and WSS on the listening port (`--tls-cert`/`--tls-key`): the page, the health check and a room join
//! over TLS, with a client that trusts only the test's own certificate.

mod common;

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use protocol::{ClientMessage, ServerMessage, VERSION};
use rustls::pki_types::{CertificateDer, ServerName};
use server::Config;
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::{client::TlsStream, TlsConnector};
use tokio_tungstenite::tungstenite::Message;

/// A certificate for `localhost` and 127.0.0.1, written to `dir` as cert.pem and key.pem.
fn make_cert(dir: &std::path::Path) -> CertificateDer<'static> {
    let key = rcgen::KeyPair::generate().unwrap();
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params
        .subject_alt_names
        .push(rcgen::SanType::IpAddress("127.0.0.1".parse().unwrap()));
    let cert = params.self_signed(&key).unwrap();
    std::fs::write(dir.join("cert.pem"), cert.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), key.serialize_pem()).unwrap();
    cert.der().clone()
}

async fn tls_connect(
    addr: std::net::SocketAddr,
    cert: &CertificateDer<'static>,
) -> TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(cert.clone()).unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let tcp = TcpStream::connect(addr).await.unwrap();
    TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .expect("a TLS handshake with the server's certificate")
}

#[tokio::test]
async fn https_and_wss_on_the_listening_port() {
    let dist = common::make_dist();
    let cert = make_cert(&dist);
    let cert_path = dist.join("cert.pem");
    let key_path = dist.join("key.pem");
    let config = Config::try_parse_from([
        "server",
        "--dist",
        dist.to_str().unwrap(),
        "--tls-cert",
        cert_path.to_str().unwrap(),
        "--tls-key",
        key_path.to_str().unwrap(),
    ])
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let tls = server::tls::from_config(&config, addr, &dist)
        .unwrap()
        .unwrap();
    assert!(!tls.created);
    assert_eq!(tls.fingerprint, server::tls::fingerprint(&cert));
    let task = tokio::spawn(server::serve_with(
        listener,
        config,
        Some(tls.acceptor),
        std::future::pending(),
    ));

    // The page over HTTPS.
    let mut stream = tls_connect(addr, &cert).await;
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.ok();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.ends_with("ok\n"), "{response}");

    // Plain HTTP on the same port gets no page.
    let mut plain = TcpStream::connect(addr).await.unwrap();
    plain
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .await
        .unwrap();
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(common::TIMEOUT, plain.read_to_end(&mut bytes)).await;
    assert!(!String::from_utf8_lossy(&bytes).contains("ok\n"));

    // A room join over WSS.
    let stream = tls_connect(addr, &cert).await;
    let (mut ws, _) = tokio_tungstenite::client_async("wss://localhost/ws", stream)
        .await
        .expect("a WebSocket over TLS");
    let join = ClientMessage::Join {
        version: VERSION,
        room: "tls-room".into(),
        secret: common::secret('t'),
    };
    ws.send(Message::text(join.encode())).await.unwrap();
    let frame = tokio::time::timeout(common::TIMEOUT, ws.next())
        .await
        .expect("a welcome in time")
        .expect("a frame")
        .unwrap();
    let welcome = ServerMessage::decode(frame.to_text().unwrap()).unwrap();
    assert!(matches!(welcome, ServerMessage::Welcome { room, .. } if room == "tls-room"));
    task.abort();
    let _ = std::fs::remove_dir_all(&dist);
}
