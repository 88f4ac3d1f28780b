//! One room as this process holds it: its members in order of arrival, each with its outbox, and delivery to
//! them. Delivery never waits: a member whose outbox is full is evicted on the spot as a slow consumer, and the
//! rest of the room is told `peer-left removed`.

use crate::outbox::{Closing, Outbox};
use protocol::{LeaveReason, PeerId, ServerMessage};
use std::sync::Arc;
use tracing::warn;
use tungstenite::Utf8Bytes;

/// Most frames held for a member whose cluster join is not answered yet; past it, it is a slow consumer.
const MAX_PENDING: usize = 256;

/// The members of one room on this process.
#[derive(Debug, Default)]
pub(super) struct Room {
    /// In order of arrival. At most the room size, so a vector is the quickest map.
    members: Vec<Member>,
}

#[derive(Debug)]
struct Member {
    id: PeerId,
    outbox: Arc<Outbox>,
    /// Set while a cluster join waits for Redis: what arrives for the member meanwhile waits here, to be sent
    /// after its welcome. Always `None` in one process.
    pending: Option<Vec<Utf8Bytes>>,
}

/// Who gets a message, by peer id.
#[derive(Clone, Copy)]
pub(crate) enum Targets<'a> {
    All,
    AllBut(&'a str),
    One(&'a str),
}

impl Targets<'_> {
    fn includes(&self, id: &PeerId) -> bool {
        match *self {
            Targets::All => true,
            Targets::AllBut(but) => id.0 != but,
            Targets::One(one) => id.0 == one,
        }
    }
}

/// `message` as a text frame.
pub(super) fn frame(message: &ServerMessage) -> Utf8Bytes {
    Utf8Bytes::from(message.encode())
}

impl Room {
    /// How many members it holds, pending ones included.
    #[inline]
    pub fn len(&self) -> usize {
        self.members.len()
    }

    #[inline]
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Adds `id` on the connection of `outbox`, admitted at once.
    pub fn add(&mut self, id: &PeerId, outbox: &Arc<Outbox>) {
        self.members.push(Member {
            id: id.clone(),
            outbox: outbox.clone(),
            pending: None,
        });
    }

    /// Cluster: adds `id` on the connection of `outbox`, holding what arrives for it until [`Room::admit`].
    pub fn add_pending(&mut self, id: &PeerId, outbox: &Arc<Outbox>) {
        self.members.push(Member {
            id: id.clone(),
            outbox: outbox.clone(),
            pending: Some(Vec::new()),
        });
    }

    /// If `id` is here, its place goes to the connection of `outbox` (keeping its place in the order) and the
    /// older connection is closed with [`Closing::REPLACED`]. Returns whether `id` was here.
    pub fn replace(&mut self, id: &PeerId, outbox: &Arc<Outbox>) -> bool {
        match self.members.iter_mut().find(|m| m.id == *id) {
            Some(member) => {
                let old = std::mem::replace(&mut member.outbox, outbox.clone());
                old.close(Closing::REPLACED);
                true
            }
            None => false,
        }
    }

    /// Every member's id but `id`, in order of arrival.
    pub fn others(&self, id: &PeerId) -> Vec<PeerId> {
        self.members
            .iter()
            .filter(|m| m.id != *id)
            .map(|m| m.id.clone())
            .collect()
    }

    /// Cluster: takes out the member on connection `conn_id`, saying nothing (its join was refused).
    pub fn cancel(&mut self, conn_id: u64) {
        self.members.retain(|m| m.outbox.conn_id != conn_id);
    }

    /// Cluster: the pending member on connection `conn_id` (peer `id`) is admitted. Closes another connection
    /// of `id` here with [`Closing::REPLACED`], then queues `welcome` and what was held meanwhile (past the
    /// outbox's room, the member is a slow consumer). Returns whether another connection was replaced, or
    /// `None` if `conn_id` is no longer here.
    pub fn admit(
        &mut self,
        name: &str,
        id: &PeerId,
        conn_id: u64,
        welcome: Utf8Bytes,
    ) -> Option<bool> {
        let mut replaced = false;
        self.members.retain(|m| {
            if m.id == *id && m.outbox.conn_id != conn_id {
                m.outbox.close(Closing::REPLACED);
                replaced = true;
                return false;
            }
            true
        });
        let member = self
            .members
            .iter_mut()
            .find(|m| m.outbox.conn_id == conn_id)?;
        let held = member.pending.take().unwrap_or_default();
        let fits = std::iter::once(welcome)
            .chain(held)
            .all(|frame| member.outbox.push(frame).is_ok());
        if !fits {
            warn!(
                conn = conn_id,
                room = name,
                "slow consumer: outgoing queue full at welcome, disconnecting"
            );
            member.outbox.close(Closing::SLOW_CONSUMER);
        }
        Some(replaced)
    }

    /// How many members `targets` names.
    pub fn count(&self, targets: Targets) -> usize {
        self.members
            .iter()
            .filter(|m| targets.includes(&m.id))
            .count()
    }

    /// Cluster: `id` on connection `conn_id` joined again on another instance: closes that connection with
    /// [`Closing::REPLACED`] and takes it out, telling nobody. Returns whether it was here.
    pub fn drop_replaced(&mut self, id: &PeerId, conn_id: u64) -> bool {
        let before = self.members.len();
        self.members.retain(|m| {
            let out = m.id == *id && m.outbox.conn_id == conn_id;
            if out {
                m.outbox.close(Closing::REPLACED);
            }
            !out
        });
        self.members.len() < before
    }

    /// The admitted members (not pending): (peer, connection id).
    pub fn admitted(&self) -> Vec<(PeerId, u64)> {
        self.members
            .iter()
            .filter(|m| m.pending.is_none())
            .map(|m| (m.id.clone(), m.outbox.conn_id))
            .collect()
    }

    /// Whether `id` is here on connection `conn_id`.
    #[inline]
    pub fn has(&self, id: &PeerId, conn_id: u64) -> bool {
        self.members
            .iter()
            .any(|m| m.id == *id && m.outbox.conn_id == conn_id)
    }

    /// Whether a member has the id `id`.
    #[inline]
    pub fn contains(&self, id: &str) -> bool {
        self.members.iter().any(|m| m.id.0 == id)
    }

    /// Takes out `id` on connection `conn_id`, saying nothing yet. Returns whether it was here.
    pub fn remove(&mut self, id: &PeerId, conn_id: u64) -> bool {
        let at = self
            .members
            .iter()
            .position(|m| m.id == *id && m.outbox.conn_id == conn_id);
        match at {
            Some(at) => {
                self.members.remove(at);
                true
            }
            None => false,
        }
    }

    /// Queues `message` for `targets` in the room called `name`. Members whose queue is full are evicted and
    /// closed as slow consumers, and the remaining members are told `peer-left removed` (which may evict more).
    pub fn deliver(&mut self, name: &str, targets: Targets, message: &Utf8Bytes) {
        // Evictions are rare: the usual delivery allocates nothing.
        let mut evicted = self.queue(name, targets, message);
        while let Some(id) = evicted.pop() {
            let reason = LeaveReason::Removed;
            let left = frame(&ServerMessage::PeerLeft { id, reason });
            evicted.extend(self.queue(name, Targets::All, &left));
        }
    }

    /// Queues `message` for `targets`; returns the members evicted as slow consumers.
    fn queue(&mut self, name: &str, targets: Targets, message: &Utf8Bytes) -> Vec<PeerId> {
        let mut evicted = Vec::new();
        self.members.retain_mut(|member| {
            if !targets.includes(&member.id) {
                return true;
            }
            let queued = match &mut member.pending {
                Some(held) if held.len() < MAX_PENDING => {
                    held.push(message.clone());
                    true
                }
                Some(_) => false,
                None => member.outbox.push(message.clone()).is_ok(),
            };
            if queued {
                return true;
            }
            warn!(
                conn = member.outbox.conn_id,
                room = name,
                peer = %member.id,
                "slow consumer: outgoing queue full, disconnecting"
            );
            member.outbox.close(Closing::SLOW_CONSUMER);
            evicted.push(member.id.clone());
            false
        });
        evicted
    }
}
