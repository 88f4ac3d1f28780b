//! Test helpers: a server in-process on 127.0.0.1:0 with a temporary dist directory, and a WebSocket client
//! whose every receive has a timeout.
//!
//! Long because every suite shares it: the server, its dist directory, the WebSocket client and plain HTTP.
#![allow(dead_code)]

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use protocol::{ClientMessage, ErrorCode, PeerId, ServerMessage, VERSION};
use server::Config;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

/// How long any single receive may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(5);

pub struct Server {
    pub addr: SocketAddr,
    pub dist: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Server {
    pub fn url(&self) -> String {
        format!("ws://{}/ws", self.addr)
    }

    /// Shuts the server down (1001 to every connection) and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            tokio::time::timeout(TIMEOUT, task)
                .await
                .expect("the server stops")
                .unwrap()
                .unwrap();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(task) = &self.task {
            task.abort();
        }
        let _ = std::fs::remove_dir_all(&self.dist);
    }
}

/// A fresh dist directory: index.html, app.js and a (fake) precompressed app.js.gz.
pub fn make_dist() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "signaling-test-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(dir.join("assets")).unwrap();
    std::fs::write(dir.join("index.html"), INDEX).unwrap();
    std::fs::write(dir.join("app.js"), APP_JS).unwrap();
    std::fs::write(dir.join("app.js.gz"), APP_JS_GZ).unwrap();
    std::fs::write(dir.join("assets/app-0123456789abcdef_bg.wasm"), b"\0asm").unwrap();
    dir
}

pub const INDEX: &str = "<!doctype html><title>test app</title>";
pub const APP_JS: &str = "console.log('plain');";
pub const APP_JS_GZ: &[u8] = b"pretend this is gzip";

/// Starts a server with test-friendly settings, overridden by `args`.
pub async fn start(args: &[&str]) -> Server {
    let dist = make_dist();
    start_with_dist(dist, args).await
}

pub async fn start_with_dist(dist: PathBuf, args: &[&str]) -> Server {
    let dist_arg = dist.to_str().unwrap().to_owned();
    let mut all = vec![
        "server",
        "--listen",
        "127.0.0.1:0",
        "--dist",
        &dist_arg,
        "--heartbeat-interval",
        "1s",
        "--idle-timeout",
        "10s",
    ];
    all.extend_from_slice(args);
    let config = Config::try_parse_from(all).expect("valid test flags");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server::serve(listener, config, async {
        let _ = stopped.await;
    }));
    Server {
        addr,
        dist,
        stop: Some(stop),
        task: Some(task),
    }
}

/// A secret made of one repeated character.
pub fn secret(c: char) -> String {
    c.to_string().repeat(64)
}

pub fn id_of(secret: &str) -> PeerId {
    PeerId::from_secret(secret)
}

pub type Ws = WebSocketStream<TcpStream>;

/// What a receive found instead of a message.
#[derive(Debug, PartialEq)]
pub enum Ended {
    /// A close frame with this code.
    Closed(u16, String),
    /// The stream ended without a close frame, or failed.
    Gone,
}

pub struct Client {
    pub ws: Ws,
}

fn client_config() -> WebSocketConfig {
    WebSocketConfig::default()
        .read_buffer_size(4096)
        .max_message_size(Some(1 << 20))
        .max_frame_size(Some(1 << 20))
}

impl Client {
    pub async fn connect(server: &Server) -> Client {
        Client::connect_with(server, None, None)
            .await
            .expect("connects")
    }

    /// Connects with an optional Origin header and an optional small receive buffer (for a slow reader).
    pub async fn connect_with(
        server: &Server,
        origin: Option<&str>,
        recv_buffer: Option<u32>,
    ) -> Result<Client, WsError> {
        let socket = TcpSocket::new_v4().unwrap();
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size).unwrap();
        }
        let tcp = socket.connect(server.addr).await.unwrap();
        let mut request = server.url().into_client_request().unwrap();
        if let Some(origin) = origin {
            request
                .headers_mut()
                .insert("origin", origin.parse().unwrap());
        }
        let (ws, _) = tokio::time::timeout(
            TIMEOUT,
            tokio_tungstenite::client_async_with_config(request, tcp, Some(client_config())),
        )
        .await
        .expect("handshake in time")?;
        Ok(Client { ws })
    }

    pub async fn send(&mut self, message: &ClientMessage) {
        self.send_text(&message.encode()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::text(text)).await.expect("send");
    }

    pub async fn send_raw(&mut self, message: Message) -> Result<(), WsError> {
        self.ws.send(message).await
    }

    /// The next protocol message or how the connection ended, skipping pings and pongs.
    pub async fn next(&mut self) -> Result<ServerMessage, Ended> {
        loop {
            let frame = tokio::time::timeout(TIMEOUT, self.ws.next())
                .await
                .expect("a message or close within the timeout");
            match frame {
                Some(Ok(Message::Text(text))) => {
                    return Ok(ServerMessage::decode(&text).expect("a protocol message"))
                }
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|CloseFrame { code, reason }| (u16::from(code), reason.to_string()))
                        .unwrap_or((1005, String::new()));
                    return Err(Ended::Closed(code, reason));
                }
                Some(Ok(Message::Binary(_))) => panic!("the server sent a binary frame"),
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return Err(Ended::Gone),
            }
        }
    }

    pub async fn recv(&mut self) -> ServerMessage {
        match self.next().await {
            Ok(message) => message,
            Err(ended) => panic!("expected a message, the connection ended: {ended:?}"),
        }
    }

    pub async fn recv_error(&mut self) -> ErrorCode {
        match self.recv().await {
            ServerMessage::Error { code, .. } => code,
            other => panic!("expected an error, got {other:?}"),
        }
    }

    /// Reads until the connection ends, skipping messages; returns the close code (None: no close frame).
    pub async fn closed(&mut self) -> Option<u16> {
        loop {
            match self.next().await {
                Ok(_) => continue,
                Err(Ended::Closed(code, _)) => return Some(code),
                Err(Ended::Gone) => return None,
            }
        }
    }

    /// Fails if anything reaches this client before the answer to a ping sent now: whatever the server had queued
    /// for it earlier (a relay, a peer-left, a close) would come first, so the pong proves nothing was.
    pub async fn heard_nothing(&mut self) {
        self.send(&ClientMessage::Ping).await;
        match self.next().await {
            Ok(ServerMessage::Pong) => {}
            other => panic!("expected nothing before the pong, got {other:?}"),
        }
    }

    /// Reads for `duration` and fails if a protocol message or close arrives. Only for news that would come from
    /// another instance through Redis, which [`Client::heard_nothing`]'s pong cannot prove had its chance.
    pub async fn silent_for(&mut self, duration: Duration) {
        let deadline = tokio::time::Instant::now() + duration;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return,
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                Ok(other) => panic!("expected silence, got {other:?}"),
            }
        }
    }

    /// Joins and returns (own id, peers) from the welcome.
    pub async fn join(&mut self, room: &str, secret: &str) -> (PeerId, Vec<PeerId>) {
        self.send(&ClientMessage::Join {
            version: VERSION,
            room: room.into(),
            secret: secret.into(),
        })
        .await;
        match self.recv().await {
            ServerMessage::Welcome {
                version,
                id,
                room: welcome_room,
                peers,
                ..
            } => {
                assert_eq!(version, VERSION);
                assert_eq!(welcome_room, room);
                assert_eq!(id, id_of(secret));
                (id, peers)
            }
            other => panic!("expected welcome, got {other:?}"),
        }
    }

    /// Closes with a close frame.
    pub async fn close(mut self) {
        let _ = self
            .ws
            .close(Some(CloseFrame {
                code: CloseCode::Normal,
                reason: "bye".into(),
            }))
            .await;
        let _ =
            tokio::time::timeout(TIMEOUT, async { while self.ws.next().await.is_some() {} }).await;
    }
}

/// A plain HTTP/1.1 GET; returns (status, headers lower-cased, body).
pub async fn http_get(
    addr: SocketAddr,
    path: &str,
    extra_headers: &[(&str, &str)],
) -> (u16, Vec<(String, String)>, Vec<u8>) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in extra_headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    tokio::time::timeout(TIMEOUT, stream.read_to_end(&mut response))
        .await
        .expect("a response in time")
        .unwrap();
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("a header block");
    let head = String::from_utf8(response[..split].to_vec()).unwrap();
    let body = response[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body)
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A client of the server at `addr` (a server started elsewhere, e.g. a child process).
pub async fn connect_to(addr: SocketAddr) -> Client {
    let tcp = TcpStream::connect(addr).await.expect("connects");
    // As a browser does: no Nagle delay on small frames (round trips are measured).
    tcp.set_nodelay(true).expect("TCP_NODELAY");
    let request = format!("ws://{addr}/ws").into_client_request().unwrap();
    let (ws, _) = tokio::time::timeout(
        TIMEOUT,
        tokio_tungstenite::client_async_with_config(request, tcp, Some(client_config())),
    )
    .await
    .expect("handshake in time")
    .expect("handshake");
    Client { ws }
}
