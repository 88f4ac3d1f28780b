//! The WebSocket to the signaling server: opening it (and sending **join** once open), sending on it, noticing
//! that it closed or went silent (a heartbeat), and **reconnecting** with backoff.

use leptos::prelude::*;
use protocol::{close, ClientMessage};

use super::{with, Connection, Inner};
use crate::webrtc::{json::to_json, now_ms, Closed, Socket, Timeout};

/// How often we ask the server whether it is still there; no `pong` by the next tick means it is gone.
pub const HEARTBEAT_MS: u32 = 5_000;
/// The longest wait between two reconnection attempts.
pub const MAX_BACKOFF_MS: u32 = 10_000;
/// The most signals held for the others while the server is away.
pub const MAX_HELD_SIGNALS: usize = 256;

impl Inner {
    /// Opens the WebSocket; once it is open we send `join`, and whatever the server says goes to `received`.
    pub(super) fn connect(&mut self) {
        self.retry = None;
        let (open, text, closed) = (self.this.clone(), self.this.clone(), self.this.clone());
        let socket = Socket::open(
            &self.url,
            move || with(&open, Inner::opened),
            move |frame| with(&text, |inner| inner.received(&frame)),
            move |reason| with(&closed, |inner| inner.closed(reason)),
        );
        match socket {
            Ok(socket) => self.socket = Some(socket),
            Err(error) => {
                self.log(format!("Could not open the server connection: {error}"));
                self.schedule_reconnect();
            }
        }
    }

    fn opened(&mut self) {
        self.log(format!(
            "Connected to the server; joining room {}",
            self.room
        ));
        if self.view.joined_at.try_get_untracked() == Some(None) {
            self.view.joined_at.try_set(Some(now_ms()));
        }
        self.send(ClientMessage::Join {
            version: protocol::VERSION,
            room: self.room.clone(),
            secret: self.secret.clone(),
        });
        self.awaiting_pong = false;
        self.schedule_heartbeat();
    }

    /// Sends `message` to the server. While the server is away, signals for the others are **held** (at most
    /// [`MAX_HELD_SIGNALS`], the oldest dropped first) and sent after the rejoin, in order: an ICE restart made
    /// during an outage then still completes. Anything else is not worth sending late.
    pub(super) fn send(&mut self, message: ClientMessage) {
        match &self.socket {
            Some(socket) if socket.is_open() => {
                if let Err(error) = to_json(&message).and_then(|text| socket.send(&text)) {
                    self.view
                        .log
                        .error(format!("Could not send to the server: {error}"));
                }
            }
            _ if matches!(message, ClientMessage::Signal { .. }) => {
                if self.held.is_empty() {
                    self.log("Not connected to the server: holding our messages for the others until we are back");
                }
                if self.held.len() == MAX_HELD_SIGNALS {
                    self.held.pop_front();
                    self.held_dropped += 1;
                }
                self.held.push_back(message);
            }
            _ => {}
        }
    }

    /// Sends what was held while the server was away (we just rejoined).
    pub(super) fn send_held(&mut self) {
        if self.held.is_empty() {
            return;
        }
        let held = std::mem::take(&mut self.held);
        self.log(format!(
            "Sending {} message(s) held while the server was away",
            held.len()
        ));
        if self.held_dropped > 0 {
            self.log(format!(
                "{} older message(s) did not fit and were dropped; ICE restarts redo what they carried",
                self.held_dropped
            ));
            self.held_dropped = 0;
        }
        for message in held {
            self.send(message);
        }
    }

    fn closed(&mut self, reason: Closed) {
        self.socket = None;
        self.heartbeat = None;
        if self.done {
            return;
        }
        let why = if reason.reason.is_empty() {
            format!("code {}", reason.code)
        } else {
            format!("{} (code {})", reason.reason, reason.code)
        };
        if reason.code == close::REPLACED {
            let text = "This page joined the room again on another connection; this one stopped."
                .to_owned();
            self.view
                .connection
                .try_set(Connection::Refused(text.clone()));
            self.view.log.problem(text);
            self.done = true;
            return;
        }
        self.log(if self.me.is_some() {
            format!("Lost the server connection: {why}")
        } else {
            format!("Could not connect to the server: {why}")
        });
        self.schedule_reconnect();
    }

    /// **Reconnect**: try again after a backoff that doubles from 500 ms up to [`MAX_BACKOFF_MS`], with jitter.
    fn schedule_reconnect(&mut self) {
        self.attempt += 1;
        let base = 500u32
            .saturating_mul(1 << self.attempt.min(6).saturating_sub(1))
            .min(MAX_BACKOFF_MS);
        // Up to 25% jitter, so that a room full of pages does not come back in lockstep.
        let in_ms = base + (f64::from(base) * 0.25 * js_sys::Math::random()) as u32;
        self.view.connection.try_set(Connection::Reconnecting {
            attempt: self.attempt,
            in_ms,
            lost: self.me.is_some(),
        });
        self.log(format!(
            "Reconnecting in {} ms (attempt {})",
            in_ms, self.attempt
        ));
        let this = self.this.clone();
        self.retry = Timeout::new(in_ms, move || with(&this, Inner::connect)).ok();
    }

    fn schedule_heartbeat(&mut self) {
        let this = self.this.clone();
        self.heartbeat = Timeout::new(HEARTBEAT_MS, move || with(&this, Inner::beat)).ok();
    }

    /// Ping the server; if the last ping went unanswered, the connection is dead: drop it and reconnect.
    fn beat(&mut self) {
        if self.awaiting_pong {
            if let Some(socket) = self.socket.take() {
                socket.close();
            }
            self.closed(Closed {
                code: 4002,
                reason: "the server stopped answering".into(),
            });
            return;
        }
        self.awaiting_pong = true;
        self.send(ClientMessage::Ping);
        self.schedule_heartbeat();
    }
}
