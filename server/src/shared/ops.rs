//! What a connection asks of the shared rooms: join, relay to another instance, and leave (through
//! [`Directory`], when its membership ends).

use super::scripts::room_key;
use super::{bus, strings, Shared};
use crate::outbox::Outbox;
use crate::rooms::{Directory, JoinError, Membership, RelayError, Targets};
use fred::prelude::Value;
use protocol::{LeaveReason, PeerId, ServerMessage};
use std::sync::Arc;
use tracing::warn;
use tungstenite::Utf8Bytes;

/// What a shared join found.
pub struct Joined {
    pub membership: Membership,
    pub replaced: bool,
}

impl Shared {
    /// Joins `id` to `room` on this connection, across every instance. The welcome lists every member on
    /// every instance; the others are told `peer-joined` unless this replaces a connection of the same peer.
    pub async fn join(
        self: &Arc<Self>,
        room: &str,
        id: &PeerId,
        outbox: &Arc<Outbox>,
        welcome: impl FnOnce(Vec<PeerId>) -> ServerMessage,
    ) -> Result<Joined, JoinError> {
        if !self.is_up() {
            return Err(JoinError::Unavailable);
        }
        self.rooms.reserve(room, id, outbox)?;
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
                self.rooms.cancel(room, outbox.conn_id);
                return Err(JoinError::Unavailable);
            }
        };
        let fields = strings(reply);
        let status = fields.first().map(String::as_str).unwrap_or("");
        if let Some(reaped) = fields.get(2) {
            self.tell_reaped(room, reaped.split(',').filter(|s| !s.is_empty()));
        }
        if status != "ok" {
            self.rooms.cancel(room, outbox.conn_id);
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
        let directory: Arc<dyn Directory> = self.clone();
        match self
            .rooms
            .admit(room, id, outbox, welcome, !replaced, directory)
        {
            Some(membership) => Ok(Joined {
                membership,
                replaced,
            }),
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
            self.rooms
                .deliver_frame(room, Targets::AllBut(&id.0), left.encode().into());
        }
    }

    /// Relays a `signal` frame to `to` on another instance.
    pub async fn relay(
        &self,
        membership: &Membership,
        to: &str,
        frame: &str,
    ) -> Result<(), RelayError> {
        let args = vec![
            Value::from(membership.room()),
            Value::from(membership.id().0.as_str()),
            Value::from(self.owner(membership.conn_id())),
            Value::from(to),
            Value::from(frame),
            Value::from(bus::now_us().to_string()),
        ];
        let reply = self
            .eval(&self.scripts.relay, room_key(membership.room()), args)
            .await;
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
}

impl Directory for Shared {
    /// Removes the entry (if it is still this connection's) and tells the other instances, in a task: a
    /// departure never waits for Redis.
    fn left(self: Arc<Self>, room: &str, id: &PeerId, conn_id: u64, reason: LeaveReason) {
        let args = vec![
            Value::from(room),
            Value::from(id.0.as_str()),
            Value::from(self.owner(conn_id)),
            Value::from(&*self.me),
            Value::from(bus::reason_word(reason)),
        ];
        let room: Box<str> = room.into();
        let this = self;
        tokio::spawn(async move {
            if let Err(error) = this.eval(&this.scripts.leave, room_key(&room), args).await {
                this.failed("leave", &error);
                this.remember_unsynced(room);
            }
        });
    }
}
