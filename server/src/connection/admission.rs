//! Who may open a WebSocket: pages of an allowed origin, while the server holds fewer than
//! `--max-connections` and the client's address fewer than `--max-connections-per-ip`. Those over a limit are
//! upgraded all the same and told `server-full` before the close, so the page knows to try again later.

use super::writer::WRITE_BATCH;
use super::{close_message, reader, Sink, CLOSE_TIMEOUT};
use crate::client_ip::{self, IpSlot, PerIp};
use crate::config::Config;
use crate::origin;
use crate::outbox::Closing;
use crate::state::AppState;
use crate::ws::Upgrade;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::{SinkExt, StreamExt};
use protocol::{ErrorCode, ServerMessage};
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use tracing::{debug, field, info_span, warn, Instrument};
use tungstenite::protocol::WebSocketConfig;
use tungstenite::Message;

/// tungstenite's read buffer, allocated up front for every connection, so it is kept small (a larger frame
/// grows it to its size). It is filled from the [`crate::ws::ReadBatch`] under it, which reads the socket
/// [`crate::ws::BATCH`] bytes at a time only while data flows: small here costs copies, not system calls.
const READ_BUFFER: usize = 128;

/// The connection slots and who may take one.
#[derive(Debug)]
pub struct Admission {
    /// Open WebSocket connections.
    open: Arc<AtomicUsize>,
    max: usize,
    /// Open connections per client address.
    per_ip: PerIp,
    max_per_ip: usize,
    next_id: AtomicU64,
    allow_origins: Vec<String>,
    trusted_proxies: Vec<IpAddr>,
}

/// A connection's places in the limits, given back when dropped.
#[derive(Debug)]
pub(super) struct Pass {
    _open: OpenSlot,
    _ip: Option<IpSlot>,
}

/// One of the `--max-connections` places.
#[derive(Debug)]
struct OpenSlot(Arc<AtomicUsize>);

impl Drop for OpenSlot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Why a connection is refused.
enum Refusal {
    PerIp { ip: IpAddr, max: usize },
    ServerFull { max: usize },
}

impl Admission {
    pub fn new(config: &Config) -> Admission {
        Admission {
            open: Arc::new(AtomicUsize::new(0)),
            max: config.max_connections,
            per_ip: PerIp::default(),
            max_per_ip: config.max_connections_per_ip,
            next_id: AtomicU64::new(1),
            allow_origins: config.allow_origins.clone(),
            trusted_proxies: config.trusted_proxies.clone(),
        }
    }

    /// How many WebSocket connections are open.
    pub fn open_count(&self) -> usize {
        self.open.load(Ordering::Relaxed)
    }

    /// The most connections at once.
    pub fn max_connections(&self) -> usize {
        self.max
    }

    /// Takes a place for a connection from `addr`, or says which limit refuses it (the per-address one first).
    fn admit(&self, addr: Option<SocketAddr>, headers: &HeaderMap) -> Result<Pass, Refusal> {
        let ip = addr.map(|a| client_ip::client_ip(a.ip(), headers, &self.trusted_proxies));
        let max_per_ip = self.max_per_ip;
        let ip_slot = ip.map(|ip| self.per_ip.try_take(ip, max_per_ip).ok_or(ip));
        let open = self.try_open();
        match (open, ip_slot) {
            (_, Some(Err(ip))) => Err(Refusal::PerIp {
                ip,
                max: max_per_ip,
            }),
            (Some(open), ip_slot) => Ok(Pass {
                _open: open,
                _ip: ip_slot.and_then(Result::ok),
            }),
            (None, _) => Err(Refusal::ServerFull { max: self.max }),
        }
    }

    /// Takes a connection slot, unless [`Config::max_connections`] are open.
    fn try_open(&self) -> Option<OpenSlot> {
        let max = self.max;
        self.open
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| OpenSlot(self.open.clone()))
    }

    fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }
}

/// `GET /ws`: checks the origin, then upgrades to a WebSocket.
pub(crate) async fn upgrade(
    State(state): State<Arc<AppState>>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    ws: Upgrade,
) -> Response {
    let addr = connect_info.map(|Extension(ConnectInfo(addr))| addr);
    let admission = state.admission();
    if !origin::allowed(&headers, &admission.allow_origins) {
        let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        warn!(
            ?addr,
            origin, host, "refused a WebSocket from another origin (see --allow-origin)"
        );
        return (StatusCode::FORBIDDEN, "origin not allowed\n").into_response();
    }
    // Taken before the upgrade, so that a burst of upgrades cannot overshoot the limits.
    let pass = admission.admit(addr, &headers);
    let conn_id = admission.next_id();
    let span = info_span!(
        "conn",
        id = conn_id,
        room = field::Empty,
        peer = field::Empty
    );
    let max = state.limits().max_frame_bytes as usize;
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        // The writer gathers what is queued and flushes once (writer::write_loop).
        .write_buffer_size(WRITE_BATCH)
        // Room for a batch, the largest relayed message and a close frame; past it a send fails and the
        // connection ends.
        .max_write_buffer_size(WRITE_BATCH + 2 * max + 4096)
        .max_message_size(Some(max))
        .max_frame_size(Some(max));
    ws.on_upgrade(config, move |socket| {
        // Split before the async block, so that its future holds two pointers and not the whole socket.
        let (sink, stream) = socket.split();
        async move {
            match pass {
                Ok(pass) => {
                    debug!("connected");
                    reader::serve(sink, stream, state, conn_id, pass).await;
                    debug!("closed");
                }
                Err(refusal) => {
                    refusal.log();
                    state.metrics().disconnected(refusal.metric_label());
                    refuse(sink, refusal.message()).await;
                }
            }
        }
        .instrument(span)
    })
}

impl Refusal {
    fn log(&self) {
        match self {
            Refusal::PerIp { ip, max } => {
                warn!(%ip, max, "too many connections from one address: refused");
            }
            Refusal::ServerFull { max } => warn!(max, "server full: refused a connection"),
        }
    }

    /// The label of `signaling_disconnects_total`.
    fn metric_label(&self) -> &'static str {
        match self {
            Refusal::PerIp { .. } => "per-ip-limit",
            Refusal::ServerFull { .. } => "server-full",
        }
    }

    /// What the client is told.
    fn message(&self) -> String {
        match self {
            Refusal::PerIp { max, .. } => {
                format!("your address holds {max} connections already; close one")
            }
            Refusal::ServerFull { .. } => {
                "the server holds the most connections it may; try again later".into()
            }
        }
    }
}

/// Tells a connection over a limit `server-full` (with `message`) and closes it.
async fn refuse(mut sink: Sink, message: String) {
    let error = ServerMessage::Error {
        code: ErrorCode::ServerFull,
        message,
    };
    let closing = Closing::SERVER_FULL;
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, async {
        sink.feed(Message::Text(error.encode().into())).await?;
        sink.send(close_message(closing)).await
    })
    .await;
}
