//! What a connection asks of the cluster, through [`crate::rooms::Rooms`]: join, relay to another instance, and
//! leave (when its membership ends).

use super::scripts::room_key;
use super::{bus, strings, Cluster};
use crate::outbox::Outbox;
use crate::rooms::room::Targets;
use crate::rooms::{JoinError, RelayError};
use fred::prelude::Value;
use protocol::{LeaveReason, PeerId, ServerMessage};
use std::sync::Arc;
use tracing::warn;
use tungstenite::Utf8Bytes;

impl Cluster {
    /// Joins `id` to `room` on this connection, across every instance. The welcome lists every member on
    /// every instance; the others are told `peer-joined` unless this replaces a connection of the same peer.
    /// Returns whether it replaced one.
    pub(in crate::rooms) async fn join(
        &self,
        room: &str,
        id: &PeerId,
        outbox: &Arc<Outbox>,
        welcome: impl FnOnce(Vec<PeerId>) -> ServerMessage,
    ) -> Result<bool, JoinError> {
        if !self.is_up() {
            return Err(JoinError::Unavailable);
        }
        self.local.reserve(room, id, outbox)?;
        let args = vec![
            Value::from(room),
            Value::from(id.0.as_str()),
            Value::from(self.owner(outbox.conn_id)),
            Value::from(&*self.me),
            Value::from(self.room_size as i64),
            Value::from(self.room_ttl_ms()),
        ];
        let reply = match self.eval(&self.scripts.join, room_key(room), args).await {
            Ok(reply) => reply,
            Err(error) => {
                self.failed("join", &error);
                self.local.cancel(room, outbox.conn_id);
                return Err(JoinError::Unavailable);
            }
        };
        let fields = strings(reply);
        let status = fields.first().map(String::as_str).unwrap_or("");
        if let Some(reaped) = fields.get(2) {
            self.tell_reaped(room, reaped.split(',').filter(|s| !s.is_empty()));
        }
        if status != "ok" {
            self.local.cancel(room, outbox.conn_id);
            return Err(if status == "full" {
                JoinError::RoomFull
            } else {
                warn!(status, "the join script answered something unexpected");
                JoinError::Unavailable
            });
        }
        let replaced = fields.get(1).is_some_and(|old| !old.is_empty());
        let others = fields.iter().skip(3).map(|p| PeerId(p.clone())).collect();
        let welcome = Utf8Bytes::from(welcome(others).encode());
        match self.local.admit(room, id, outbox, welcome, !replaced) {
            Some(()) => Ok(replaced),
            None => Err(JoinError::Unavailable),
        }
    }

    /// Tells this instance's members of `room` that members of a dead instance were removed.
    pub(super) fn tell_reaped<'a>(&self, room: &str, ids: impl Iterator<Item = &'a str>) {
        for id in ids {
            let id = PeerId(id.to_owned());
            let left = ServerMessage::PeerLeft {
                id: id.clone(),
                reason: LeaveReason::TimedOut,
            };
            self.local
                .deliver_frame(room, Targets::AllBut(&id.0), left.encode().into());
        }
    }

    /// Relays a `signal` frame from `from` (on connection `conn_id`) to `to` on another instance.
    pub(in crate::rooms) async fn relay(
        &self,
        room: &str,
        from: &PeerId,
        conn_id: u64,
        to: &str,
        frame: &str,
    ) -> Result<(), RelayError> {
        let args = vec![
            Value::from(room),
            Value::from(from.0.as_str()),
            Value::from(self.owner(conn_id)),
            Value::from(to),
            Value::from(frame),
            Value::from(bus::now_us().to_string()),
        ];
        let reply = self.eval(&self.scripts.relay, room_key(room), args).await;
        match reply.as_ref().map(|v| v.as_str()) {
            // Counted as relayed by the instance that hands it to the addressee.
            Ok(Some(s)) if s == "ok" => Ok(()),
            Ok(Some(s)) if s == "unknown" => Err(RelayError::UnknownPeer),
            Ok(_) => Err(RelayError::NotJoined),
            Err(error) => {
                self.failed("relay", error);
                Err(RelayError::Unavailable)
            }
        }
    }

    /// `id` on connection `conn_id` left `room`: removes the entry (if it is still this connection's) and tells
    /// the other instances, in a task: a departure never waits for Redis.
    pub(in crate::rooms) fn left(
        self: &Arc<Self>,
        room: &str,
        id: &PeerId,
        conn_id: u64,
        reason: LeaveReason,
    ) {
        let args = vec![
            Value::from(room),
            Value::from(id.0.as_str()),
            Value::from(self.owner(conn_id)),
            Value::from(&*self.me),
            Value::from(bus::reason_word(reason)),
        ];
        let room: Box<str> = room.into();
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(error) = this.eval(&this.scripts.leave, room_key(&room), args).await {
                this.failed("leave", &error);
                this.remember_unsynced(room);
            }
        });
    }
}
