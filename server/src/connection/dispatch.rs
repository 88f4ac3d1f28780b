//! What each client message does. A `signal`, the message that counts, is checked where it lies and relayed as
//! written (the splice of [`SignalEnvelope`]); everything else is decoded into its type: join, signal, leave,
//! ping. Every answer and error goes into the connection's own [`Outbox`].

use super::rate_limit::{Rate, Strikes};
use super::End;
use crate::outbox::{Closing, Outbox};
use crate::rooms::{JoinError, Joined, Membership, RelayError};
use crate::state::AppState;
use protocol::{
    ClientMessage, ErrorCode, LeaveReason, PeerId, ServerMessage, SignalEnvelope, VERSION,
};
use std::sync::Arc;
use tokio::time::Instant;
use tracing::{debug, info, warn, Span};
use tungstenite::{Message, Utf8Bytes};

/// The reader's state for one connection.
pub(super) struct Session {
    state: Arc<AppState>,
    outbox: Arc<Outbox>,
    membership: Option<Membership>,
    strikes: Strikes,
}

impl Drop for Session {
    fn drop(&mut self) {
        // Whatever ended the session (even a panic), the writer must finish. The first reason given wins.
        self.outbox.close(Closing::NORMAL);
    }
}

impl Session {
    pub fn new(state: Arc<AppState>, outbox: Arc<Outbox>) -> Session {
        Session {
            strikes: Strikes::new(state.limits()),
            state,
            outbox,
            membership: None,
        }
    }

    /// This connection's outgoing queue.
    pub fn outbox(&self) -> &Outbox {
        &self.outbox
    }

    /// Ends the session: closes the connection as `end` says (`None`: the client or the writer ended it), and
    /// leaves the room, telling the others `end`'s reason.
    pub fn end(mut self, end: Option<End>) {
        if let Some(End { closing, reason }) = end {
            self.outbox.close(closing);
            if let Some(membership) = &mut self.membership {
                membership.set_reason(reason);
                if closing == Closing::GOING_AWAY {
                    // Cluster: this instance is shutting down (a rolling restart), and its people reconnect to
                    // another one. Their entries stay until they rejoin there (replaced, nobody told) or this
                    // instance's alive key expires (peer-left for who does not come back), as after a crash.
                    membership.keep_cluster_entry();
                }
            }
        }
    }

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

    /// Reading the socket failed with `error`. `Some` ends the connection with a reason to give.
    pub fn read_failed(&self, error: tungstenite::Error) -> Option<End> {
        match error {
            tungstenite::Error::Capacity(e) => {
                info!(error = %e, "frame too large: closing");
                let max = self.state.limits().max_frame_bytes;
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
    pub async fn handle(&mut self, message: Message, now: Instant) -> Option<End> {
        match self.strikes.rate(now) {
            Rate::Allowed => {}
            Rate::Dropped => {
                self.drop_counted("rate-limited");
                let limit = self.state.limits().rate_limit;
                return self.error(
                    ErrorCode::RateLimited,
                    format!("more than {limit} messages per second: message dropped"),
                );
            }
            Rate::Exceeded { drops } => {
                self.drop_counted("rate-limited");
                warn!(drops, "rate limit exceeded again and again: closing");
                let _ = self.error(ErrorCode::RateLimited, "too many messages: closing");
                return Some(End::removed(Closing::RATE_LIMITED));
            }
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
        self.state.metrics().dropped(reason);
    }

    fn bad_message(&mut self, why: &str) -> Option<End> {
        let bad = self.strikes.bad_message();
        self.drop_counted("bad-message");
        debug!(count = bad.count, "bad message");
        let mut text = format!("bad message {} of {}: ", bad.count, bad.max);
        // The decoder's message may quote the frame; keep it short.
        text.extend(why.chars().take(160));
        if let Some(end) = self.error(ErrorCode::BadMessage, text) {
            return Some(end);
        }
        if bad.is_last() {
            warn!(count = bad.count, "too many bad messages: closing");
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

    /// Relays the `signal` frame that `frame` writes (given the sender's id) to `to` in the sender's room.
    /// `received` is when the frame came, for the relay time histogram.
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
        let relayed = self
            .state
            .rooms()
            .relay(membership, to, frame, received)
            .await;
        match relayed {
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
        let ice = state.ice();
        let ice_servers = ice.servers_for(&id);
        let welcome = |peers| ServerMessage::Welcome {
            version: VERSION,
            id: id.clone(),
            room: room.clone(),
            peers,
            ice_servers,
            ice_transport_policy: ice.policy(),
        };
        let rooms = state.rooms();
        match rooms.join(&room, &id, &self.outbox, welcome).await {
            Ok(Joined {
                membership,
                replaced,
            }) => {
                let span = Span::current();
                span.record("room", room.as_str());
                span.record("peer", id.short());
                info!(replaced, "joined");
                self.membership = Some(membership);
                None
            }
            Err(JoinError::RoomFull) => {
                let size = rooms.room_size();
                self.error(ErrorCode::RoomFull, format!("the room holds {size} people"))
            }
            Err(JoinError::ServerFull) => {
                warn!(
                    max_rooms = rooms.max_rooms(),
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
