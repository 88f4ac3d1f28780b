//! One WebSocket connection: the upgrade (origin check, limits), a reader that handles the client's messages,
//! and a writer task that drains the connection's bounded [`Outbox`] and sends heartbeat pings.
//!
//! The reader owns the peer's [`Membership`], so however the connection ends (close, error, timeout, kick,
//! even a panic) the peer leaves its room and the others are told.

use crate::outbox::{Closing, Outbox};
use crate::rate::TokenBucket;
use crate::rooms::{JoinError, Membership, RelayError};
use crate::ws::{Upgrade, WebSocket};
use crate::{client_ip, origin, AppState, ConnectionSlot};
use axum::body::Bytes;
use axum::extract::{ConnectInfo, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use futures_util::stream::{SplitSink, SplitStream};
use futures_util::{SinkExt, StreamExt};
use protocol::{
    ClientMessage, ErrorCode, LeaveReason, PeerId, ServerMessage, SignalEnvelope, VERSION,
};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{Instant, MissedTickBehavior};
use tracing::{debug, field, info, info_span, warn, Instrument, Span};
use tungstenite::protocol::frame::coding::CloseCode;
use tungstenite::protocol::{CloseFrame, WebSocketConfig};
use tungstenite::{Message, Utf8Bytes};

/// tungstenite's read buffer, allocated up front for every connection, so it is kept small (a larger frame
/// grows it to its size). It is filled from the [`crate::ws::ReadBatch`] under it, which reads the socket
/// [`crate::ws::BATCH`] bytes at a time only while data flows: small here costs copies, not system calls.
const READ_BUFFER: usize = 128;
/// Bytes of frames the writer gathers before it writes them to the socket (the buffer grows only when used).
const WRITE_BATCH: usize = 16 * 1024;
/// How long the last messages and the close frame may take to go out.
const CLOSE_TIMEOUT: Duration = Duration::from_secs(1);

/// `GET /ws`: checks the origin, then upgrades to a WebSocket.
pub(crate) async fn upgrade(
    State(state): State<Arc<AppState>>,
    connect_info: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    ws: Upgrade,
) -> Response {
    let addr = connect_info.map(|Extension(ConnectInfo(addr))| addr);
    if !origin::allowed(&headers, &state.config.allow_origins) {
        let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        warn!(
            ?addr,
            origin, host, "refused a WebSocket from another origin (see --allow-origin)"
        );
        return (StatusCode::FORBIDDEN, "origin not allowed\n").into_response();
    }
    let ip = addr.map(|a| client_ip::client_ip(a.ip(), &headers, &state.config.trusted_proxies));
    let per_ip = state.config.max_connections_per_ip;
    let ip_slot = ip.map(|ip| state.per_ip.try_take(ip, per_ip).ok_or(ip));
    let slot = state.try_connect();
    let conn_id = state.next_conn_id();
    let span = info_span!(
        "conn",
        id = conn_id,
        room = field::Empty,
        peer = field::Empty
    );
    let max = state.config.max_frame_bytes as usize;
    let config = WebSocketConfig::default()
        .read_buffer_size(READ_BUFFER)
        // The writer gathers what is queued and flushes once (write_loop).
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
            match (slot, ip_slot) {
                (_, Some(Err(ip))) => {
                    warn!(%ip, max = per_ip, "too many connections from one address: refused");
                    state
                        .metrics
                        .disconnects
                        .with_label_values(&["per-ip-limit"])
                        .inc();
                    let text =
                        format!("your address holds {per_ip} connections already; close one");
                    refuse(sink, text).await;
                }
                (Some(slot), ip_slot) => {
                    debug!("connected");
                    let ip_slot = ip_slot.and_then(Result::ok);
                    serve(sink, stream, state, conn_id, (slot, ip_slot)).await;
                    debug!("closed");
                }
                (None, _) => {
                    warn!(
                        max = state.config.max_connections,
                        "server full: refused a connection"
                    );
                    state
                        .metrics
                        .disconnects
                        .with_label_values(&["server-full"])
                        .inc();
                    let text = "the server holds the most connections it may; try again later";
                    refuse(sink, text.into()).await;
                }
            }
        }
        .instrument(span)
    })
}

type Sink = SplitSink<WebSocket, Message>;

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

fn close_message(closing: Closing) -> Message {
    Message::Close(Some(CloseFrame {
        code: CloseCode::from(closing.code),
        reason: Utf8Bytes::from_static(closing.reason),
    }))
}

/// How the reader loop ended.
struct End {
    closing: Closing,
    reason: LeaveReason,
}

impl End {
    fn removed(closing: Closing) -> End {
        End {
            closing,
            reason: LeaveReason::Removed,
        }
    }
}

async fn serve(
    sink: Sink,
    mut stream: SplitStream<WebSocket>,
    state: Arc<AppState>,
    conn_id: u64,
    slot: (ConnectionSlot, Option<client_ip::IpSlot>),
) {
    let config = &state.config;
    let outbox = Outbox::new(
        conn_id,
        config.send_queue as usize,
        config.send_queue_bytes as usize,
    );
    let mut writer = tokio::spawn(
        write_loop(sink, outbox.clone(), config.heartbeat_interval).instrument(Span::current()),
    );
    let mut writer_done = false;
    let mut shutdown = state.shutdown.subscribe();
    let idle_timeout = config.idle_timeout;
    let mut session = Session {
        bucket: TokenBucket::new(config.rate_limit, config.rate_burst),
        state: state.clone(),
        outbox,
        membership: None,
        bad_messages: 0,
        rate_drops: 0,
    };
    // The idle timer is set again only when it fires, from the time the last frame came: a timer per frame
    // would cost more than the frame.
    let mut last_heard = Instant::now();
    let idle = tokio::time::sleep_until(last_heard + idle_timeout);
    tokio::pin!(idle);
    let end = loop {
        let next = tokio::select! {
            biased;
            _ = &mut writer => {
                // Closed by someone else (replaced, slow consumer), or the socket failed.
                writer_done = true;
                break None;
            }
            _ = shutdown.changed() => break Some(End { closing: Closing::GOING_AWAY, reason: LeaveReason::Disconnected }),
            () = &mut idle => {
                let deadline = last_heard + idle_timeout;
                if deadline > Instant::now() {
                    idle.as_mut().reset(deadline);
                    continue;
                }
                info!(timeout = ?idle_timeout, "no sign of life: closing");
                break Some(End {
                    closing: Closing::TIMED_OUT,
                    reason: LeaveReason::TimedOut,
                });
            }
            next = stream.next() => next,
        };
        last_heard = Instant::now();
        match next {
            None | Some(Ok(Message::Close(_))) => break None,
            Some(Err(e)) => break session.read_failed(e),
            Some(Ok(message)) => {
                if let Some(end) = session.handle(message, last_heard).await {
                    break Some(end);
                }
                // Frames come from a batch read with no system call between them, so the reader may go on for
                // long. When its replies fill its own queue, let its writer send them first.
                if session.outbox.is_filling() {
                    tokio::task::yield_now().await;
                }
            }
        }
    };
    let closing = end.as_ref().map(|e| e.closing).or(session.outbox.closing());
    let reason = closing.map_or("client", |c| c.metric_label());
    state.metrics.disconnects.with_label_values(&[reason]).inc();
    if let Some(End { closing, reason }) = end {
        session.outbox.close(closing);
        if let Some(membership) = &mut session.membership {
            membership.set_reason(reason);
            if closing == Closing::GOING_AWAY {
                // Shared rooms: this instance is shutting down (a rolling restart), and its people reconnect to
                // another one. Their entries stay until they rejoin there (replaced, nobody told) or this
                // instance's alive key expires (peer-left for who does not come back), as after a crash.
                membership.keep_shared_entry();
            }
        }
    }
    // Leaves the room (the others are told at once) and tells the writer to finish.
    drop(session);
    if !writer_done
        && tokio::time::timeout(2 * CLOSE_TIMEOUT, &mut writer)
            .await
            .is_err()
    {
        writer.abort();
    }
    drop(slot);
}

/// Sends what the outbox queues, and a ping every `heartbeat`, until the outbox is closed or the socket fails.
/// Then sends the queued messages (unless the client is too slow for them) and the close frame.
///
/// Everything queued is written at once: the frames go into tungstenite's write buffer (up to
/// [`WRITE_BATCH`] bytes) and out in one `send` call, so a busy connection costs fewer system calls than frames.
async fn write_loop(mut sink: Sink, outbox: Arc<Outbox>, heartbeat: Duration) {
    let mut ping = tokio::time::interval_at(Instant::now() + heartbeat, heartbeat);
    ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
    while outbox.closing().is_none() {
        let mut batch = false;
        while let Some(frame) = outbox.pop() {
            batch = true;
            match unless_closing(&outbox, sink.feed(Message::Text(frame))).await {
                Some(Ok(())) => {}
                Some(Err(e)) => return send_failed(&outbox, e),
                None => break,
            }
        }
        if !batch {
            tokio::select! {
                biased;
                () = outbox.woken() => continue,
                _ = ping.tick() => if let Err(e) = sink.feed(Message::Ping(Bytes::new())).await {
                    return send_failed(&outbox, e);
                },
            }
        }
        match unless_closing(&outbox, sink.flush()).await {
            Some(Ok(())) => {}
            Some(Err(e)) => return send_failed(&outbox, e),
            None => break,
        }
    }
    let closing = outbox.closing().unwrap_or(Closing::NORMAL);
    let farewell = async {
        if closing.flush {
            while let Some(frame) = outbox.pop() {
                sink.feed(Message::Text(frame)).await?;
            }
        }
        sink.send(close_message(closing)).await
    };
    let _ = tokio::time::timeout(CLOSE_TIMEOUT, farewell).await;
    outbox.finish();
}

/// Runs `send` to its end, unless the connection is told to close meanwhile (a send to a slow consumer may wait
/// for ever): then `None`. A frame queued meanwhile waits its turn.
async fn unless_closing<F: std::future::Future<Output = Result<(), tungstenite::Error>>>(
    outbox: &Outbox,
    send: F,
) -> Option<Result<(), tungstenite::Error>> {
    tokio::pin!(send);
    loop {
        tokio::select! {
            biased;
            sent = &mut send => return Some(sent),
            () = outbox.woken() => if outbox.closing().is_some() {
                return None;
            },
        }
    }
}

fn send_failed(outbox: &Outbox, error: tungstenite::Error) {
    debug!(%error, "send failed");
    outbox.finish();
}

/// The reader's state for one connection.
struct Session {
    state: Arc<AppState>,
    outbox: Arc<Outbox>,
    membership: Option<Membership>,
    bucket: TokenBucket,
    bad_messages: u32,
    rate_drops: u32,
}

impl Drop for Session {
    fn drop(&mut self) {
        // Whatever ended the session (even a panic), the writer must finish. The first reason given wins.
        self.outbox.close(Closing::NORMAL);
    }
}

impl Session {
    /// Queues a message for this client. A client whose own queue is full is a slow consumer.
    fn send(&self, message: &ServerMessage) -> Option<End> {
        match self.outbox.push(message.encode().into()) {
            Ok(()) => None,
            Err(_) => {
                warn!("slow consumer: outgoing queue full, disconnecting");
                Some(End::removed(Closing::SLOW_CONSUMER))
            }
        }
    }

    fn error(&self, code: ErrorCode, message: impl Into<String>) -> Option<End> {
        let message = message.into();
        self.send(&ServerMessage::Error { code, message })
    }

    fn read_failed(&self, error: tungstenite::Error) -> Option<End> {
        match error {
            tungstenite::Error::Capacity(e) => {
                info!(error = %e, "frame too large: closing");
                let max = self.state.config.max_frame_bytes;
                let text = format!("frames may be at most {max} bytes");
                Some(
                    self.error(ErrorCode::TooLarge, text)
                        .unwrap_or(End::removed(Closing::TOO_BIG)),
                )
            }
            _ => {
                debug!(error = %error, "read failed");
                None
            }
        }
    }

    /// Handles one frame from the client. `Some` ends the connection.
    async fn handle(&mut self, message: Message, now: Instant) -> Option<End> {
        let config = &self.state.config;
        if !self.bucket.take(now) {
            self.rate_drops += 1;
            self.drop_counted("rate-limited");
            if self.rate_drops >= config.max_rate_drops {
                warn!(
                    drops = self.rate_drops,
                    "rate limit exceeded again and again: closing"
                );
                let _ = self.error(ErrorCode::RateLimited, "too many messages: closing");
                return Some(End::removed(Closing::RATE_LIMITED));
            }
            let limit = config.rate_limit;
            return self.error(
                ErrorCode::RateLimited,
                format!("more than {limit} messages per second: message dropped"),
            );
        }
        match message {
            // The fast path for the message that counts: a signal is checked where it lies and relayed as
            // written (protocol::SignalEnvelope). Everything else is decoded into its type.
            Message::Text(text) => match SignalEnvelope::parse(&text) {
                Some(signal) => {
                    self.relay(&signal.to, |from| signal.relayed(from), now)
                        .await
                }
                None => match ClientMessage::decode(&text) {
                    // Boxed: joining is the largest step by far, and would otherwise make every connection's
                    // task that much larger for its whole life.
                    Ok(message) => Box::pin(self.dispatch(message, now)).await,
                    Err(e) => self.bad_message(&e.to_string()),
                },
            },
            Message::Binary(_) => self.bad_message("binary frames are not protocol messages"),
            // Pongs answer the heartbeat; receiving anything at all already reset the idle timeout.
            Message::Ping(_) | Message::Pong(_) | Message::Close(_) | Message::Frame(_) => None,
        }
    }

    fn drop_counted(&self, reason: &str) {
        let dropped = &self.state.metrics.dropped;
        dropped.with_label_values(&[reason]).inc();
    }

    fn bad_message(&mut self, why: &str) -> Option<End> {
        self.bad_messages += 1;
        self.drop_counted("bad-message");
        let max = self.state.config.max_bad_messages;
        debug!(count = self.bad_messages, "bad message");
        let mut text = format!("bad message {} of {max}: ", self.bad_messages);
        // The decoder's message may quote the frame; keep it short.
        text.extend(why.chars().take(160));
        if let Some(end) = self.error(ErrorCode::BadMessage, text) {
            return Some(end);
        }
        if self.bad_messages >= max {
            warn!(count = self.bad_messages, "too many bad messages: closing");
            return Some(End::removed(Closing::TOO_MANY_BAD_MESSAGES));
        }
        None
    }

    async fn dispatch(&mut self, message: ClientMessage, now: Instant) -> Option<End> {
        match message {
            ClientMessage::Join {
                version,
                room,
                secret,
            } => self.join(version, room, secret).await,
            ClientMessage::Signal { to, call, signal } => {
                let frame = |from: &PeerId| {
                    let from = from.clone();
                    ServerMessage::Signal { from, call, signal }.encode()
                };
                self.relay(&to.0, frame, now).await
            }
            ClientMessage::Leave => match self.membership.take() {
                Some(mut membership) => {
                    membership.set_reason(LeaveReason::Left);
                    None
                }
                None => self.error(ErrorCode::NotJoined, "not in a room"),
            },
            ClientMessage::Ping => self.send(&ServerMessage::Pong),
        }
    }

    /// Relays the `signal` frame that `frame` writes (given the sender's id) to `to`: to its outbox if `to` is on
    /// this instance, else through Redis. `received` is when the frame came, for the relay time histogram.
    async fn relay(
        &self,
        to: &str,
        frame: impl FnOnce(&PeerId) -> String,
        received: Instant,
    ) -> Option<End> {
        let Some(membership) = &self.membership else {
            self.drop_counted("not-joined");
            return self.error(ErrorCode::NotJoined, "join a room first");
        };
        let frame = Utf8Bytes::from(frame(membership.id()));
        let local = self.state.rooms.relay(
            membership.room(),
            membership.id(),
            membership.conn_id(),
            to,
            frame.clone(),
        );
        let metrics = &self.state.metrics;
        let result = match (local, &self.state.shared) {
            (Ok(()), _) => {
                metrics.relayed_local.inc();
                metrics
                    .relay_seconds
                    .observe(received.elapsed().as_secs_f64());
                Ok(())
            }
            // Not here: maybe on another instance.
            (Err(RelayError::UnknownPeer), Some(shared)) => {
                // Boxed for the same reason as the join's.
                Box::pin(shared.relay(membership, to, frame.as_str())).await
            }
            (Err(e), _) => Err(e),
        };
        match result {
            Ok(()) => None,
            Err(RelayError::NotJoined) => {
                self.drop_counted("not-joined");
                self.error(ErrorCode::NotJoined, "you are no longer in the room")
            }
            Err(RelayError::UnknownPeer) => {
                self.drop_counted("unknown-peer");
                self.error(ErrorCode::UnknownPeer, format!("no peer {to} in your room"))
            }
            Err(RelayError::Unavailable) => {
                self.drop_counted("unavailable");
                self.error(
                    ErrorCode::Unavailable,
                    format!("{to} is on another server, and the servers' directory (Redis) cannot be reached: message dropped"),
                )
            }
        }
    }

    async fn join(&mut self, version: u32, room: String, secret: String) -> Option<End> {
        if self.membership.is_some() {
            return self.error(
                ErrorCode::AlreadyJoined,
                "already in a room: leave it first",
            );
        }
        if version != VERSION {
            return self.error(
                ErrorCode::UnsupportedVersion,
                format!("this server speaks protocol version {VERSION}, not {version}"),
            );
        }
        if !protocol::is_valid_room_id(&room) {
            return self.error(
                ErrorCode::BadRoom,
                "a room id is 1 to 64 characters of A-Z a-z 0-9 _ -",
            );
        }
        if !protocol::is_valid_secret(&secret) {
            return self.error(
                ErrorCode::BadSecret,
                "a secret is 32 to 128 characters of A-Z a-z 0-9 _ -",
            );
        }
        let id = PeerId::from_secret(&secret);
        drop(secret);
        let state = &self.state;
        let ice_servers = state.ice_servers_for(&id);
        let welcome = |peers| ServerMessage::Welcome {
            version: VERSION,
            id: id.clone(),
            room: room.clone(),
            peers,
            ice_servers,
            ice_transport_policy: state.config.ice_transport_policy,
        };
        let joined = match &state.shared {
            None => state.rooms.join(&room, id.clone(), &self.outbox, welcome),
            // Boxed: the Redis call's future is large, and would otherwise be part of every connection's task
            // for its whole life, with or without Redis.
            Some(shared) => Box::pin(shared.join(&room, &id, &self.outbox, welcome))
                .await
                .map(|j| (j.membership, j.replaced)),
        };
        if let Err(e) = &joined {
            let reason = match e {
                JoinError::RoomFull => "room-full",
                JoinError::ServerFull => "server-full",
                JoinError::Unavailable => "unavailable",
            };
            state
                .metrics
                .refused_joins
                .with_label_values(&[reason])
                .inc();
        }
        match joined {
            Ok((membership, replaced)) => {
                let span = Span::current();
                span.record("room", room.as_str());
                span.record("peer", id.short());
                info!(replaced, "joined");
                self.membership = Some(membership);
                None
            }
            Err(JoinError::RoomFull) => {
                let size = state.config.room_size;
                self.error(ErrorCode::RoomFull, format!("the room holds {size} people"))
            }
            Err(JoinError::ServerFull) => {
                warn!(
                    max_rooms = state.config.max_rooms,
                    "too many rooms: join refused"
                );
                // Closed (1013 Try Again Later) after the refusal: the page reconnects with backoff, as
                // for the connection limit, and gets in once a room is free.
                self.error(
                    ErrorCode::ServerFull,
                    "the server holds the most rooms it may; try again later",
                )
                .or(Some(End::removed(Closing::SERVER_FULL)))
            }
            Err(JoinError::Unavailable) => {
                warn!("join refused: the shared room directory (Redis) cannot be reached");
                self.error(
                    ErrorCode::Unavailable,
                    "the server cannot reach its room directory (Redis); try again later",
                )
                .or(Some(End::removed(Closing::SERVER_FULL)))
            }
        }
    }
}
