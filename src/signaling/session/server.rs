//! The WebSocket to the signaling server: opening it (and sending **join** once open), sending on it (or
//! queueing signals while it is away), noticing that it closed or went silent (the heartbeat), and
//! **reconnecting** with backoff.

use protocol::{close, ClientMessage};

use super::{
    reconnect::{Beat, HEARTBEAT_MS},
    with, Connection, Room, RoomEvent,
};
use crate::webrtc::{json::to_json, Closed, Socket, Timeout};

impl Room {
    /// Opens the WebSocket; once it is open we send `join`, and whatever the server says goes to `received`.
    pub(super) fn connect(&mut self) {
        self.backoff.cancel();
        let (open, text, closed) = (self.this.clone(), self.this.clone(), self.this.clone());
        let socket = Socket::open(
            &self.ticket.url,
            move || with(&open, Room::opened),
            move |frame| with(&text, |room| room.received(&frame)),
            move |reason| with(&closed, |room| room.closed(reason)),
        );
        match socket {
            Ok(socket) => self.socket = Some(socket),
            Err(error) => {
                self.log(format!("Could not open the server connection: {error}"));
                self.schedule_reconnect();
            }
        }
    }

    /// **Join**, as soon as the socket is open.
    fn opened(&mut self) {
        self.log(format!(
            "Connected to the server; joining room {}",
            self.ticket.room
        ));
        self.emit(RoomEvent::JoinSent);
        self.send(ClientMessage::Join {
            version: protocol::VERSION,
            room: self.ticket.room.clone(),
            secret: self.ticket.secret.clone(),
        });
        let this = self.this.clone();
        self.heartbeat
            .start(Timeout::new(HEARTBEAT_MS, move || with(&this, Room::beat)));
    }

    /// Sends `message` to the server. While the server is away, signals for the others are queued and sent
    /// after the rejoin, in order: an ICE restart made during an outage then still completes. Anything else is
    /// not worth sending late.
    pub(super) fn send(&mut self, message: ClientMessage) {
        match &self.socket {
            Some(socket) if socket.is_open() => {
                if let Err(error) = to_json(&message).and_then(|text| socket.send(&text)) {
                    self.emit(RoomEvent::Error(format!(
                        "Could not send to the server: {error}"
                    )));
                }
            }
            _ if matches!(message, ClientMessage::Signal { .. }) => self.queue_signal(message),
            _ => {}
        }
    }

    /// Keeps `signal` for after the rejoin, saying so when the first one waits.
    fn queue_signal(&mut self, signal: ClientMessage) {
        if self.queue.push(signal) {
            self.log("Not connected to the server: holding our messages for the others until we are back");
        }
    }

    /// Sends the signals queued while the server was away (we just rejoined).
    pub(super) fn send_queued(&mut self) {
        let (queued, dropped) = self.queue.take();
        if queued.is_empty() {
            return;
        }
        self.log(format!(
            "Sending {} message(s) held while the server was away",
            queued.len()
        ));
        if dropped > 0 {
            self.log(format!(
                "{dropped} older message(s) did not fit and were dropped; ICE restarts redo what they carried"
            ));
        }
        for message in queued {
            self.send(message);
        }
    }

    fn closed(&mut self, reason: Closed) {
        self.socket = None;
        self.heartbeat.stop();
        if self.connection.is_over() {
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
            self.set_connection(Connection::Refused(text.clone()));
            self.emit(RoomEvent::Problem(text));
            return;
        }
        self.log(if self.me.is_some() {
            format!("Lost the server connection: {why}")
        } else {
            format!("Could not connect to the server: {why}")
        });
        self.schedule_reconnect();
    }

    /// **Reconnect**: try again after the backoff's wait.
    fn schedule_reconnect(&mut self) {
        let (attempt, in_ms) = self.backoff.failed(js_sys::Math::random());
        self.set_connection(Connection::Reconnecting {
            attempt,
            in_ms,
            lost: self.me.is_some(),
        });
        self.log(format!("Reconnecting in {in_ms} ms (attempt {attempt})"));
        let this = self.this.clone();
        self.backoff
            .wait(Timeout::new(in_ms, move || with(&this, Room::connect)));
    }

    /// Ping the server; if the last ping went unanswered, the connection is dead: drop it and reconnect.
    fn beat(&mut self) {
        match self.heartbeat.beat() {
            Beat::Dead => {
                if let Some(socket) = self.socket.take() {
                    socket.close();
                }
                self.closed(Closed {
                    code: 4002,
                    reason: "the server stopped answering".into(),
                });
            }
            Beat::Ping => {
                self.send(ClientMessage::Ping);
                let this = self.this.clone();
                self.heartbeat
                    .next(Timeout::new(HEARTBEAT_MS, move || with(&this, Room::beat)));
            }
        }
    }
}
