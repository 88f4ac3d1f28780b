//! The members this process holds, room by room, with their outboxes: every member of every room in one process,
//! or this instance's share of each room with `--redis` (then [`super::cluster`] decides who gets in, through
//! [`LocalRooms::reserve`], [`LocalRooms::admit`] and [`LocalRooms::cancel`], and hands over what other
//! instances send with [`LocalRooms::deliver_frame`]).
//!
//! One mutex guards all rooms. Everything done under it is quick and never waits: messages are put into the
//! members' bounded queues without waiting, and a member whose queue is full is evicted on the spot (a slow
//! consumer), which the rest of the room is told as `peer-left removed`.

use super::{JoinError, RelayError};
use crate::outbox::{Closing, Outbox};
use protocol::{LeaveReason, PeerId, ServerMessage};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tracing::warn;
use tungstenite::Utf8Bytes;

/// The rooms of this process and the members it holds in them.
#[derive(Debug)]
pub(crate) struct LocalRooms {
    rooms: Mutex<HashMap<Box<str>, Room>>,
    room_size: usize,
    max_rooms: usize,
}

#[derive(Debug, Default)]
struct Room {
    /// In order of arrival. At most `room_size`, so a vector is the quickest map.
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

/// Most frames held for a member whose cluster join is not answered yet; past it, it is a slow consumer.
const MAX_PENDING: usize = 256;

/// A room and whom this server holds in it: (peer, connection id).
pub(crate) type Held = (Box<str>, Vec<(PeerId, u64)>);

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

fn frame(message: &ServerMessage) -> Utf8Bytes {
    Utf8Bytes::from(message.encode())
}

impl LocalRooms {
    pub(crate) fn new(room_size: usize, max_rooms: usize) -> LocalRooms {
        LocalRooms {
            rooms: Mutex::new(HashMap::new()),
            room_size,
            max_rooms,
        }
    }

    /// A panic elsewhere while holding the lock must not stop every later connection: the map is never left
    /// half-updated by the code below, so a poisoned lock is still usable.
    fn lock(&self) -> MutexGuard<'_, HashMap<Box<str>, Room>> {
        self.rooms.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// How many rooms exist.
    pub(crate) fn room_count(&self) -> usize {
        self.lock().len()
    }

    /// How many peers are in all rooms.
    pub(crate) fn peer_count(&self) -> usize {
        self.lock().values().map(|room| room.members.len()).sum()
    }

    /// Puts `id` into `room` with `outbox`, queues the welcome made by `welcome` from the other members' ids,
    /// and tells the others `peer-joined`. If `id` is already in the room on another connection, this one takes
    /// its place: the old connection is closed with [`Closing::REPLACED`] and the others are told nothing.
    /// Returns whether it replaced one.
    pub(crate) fn join(
        &self,
        room: &str,
        id: &PeerId,
        outbox: &Arc<Outbox>,
        welcome: impl FnOnce(Vec<PeerId>) -> ServerMessage,
    ) -> Result<bool, JoinError> {
        let mut rooms = self.lock();
        let replaced = match rooms.get_mut(room) {
            Some(existing) => {
                if let Some(member) = existing.members.iter_mut().find(|m| m.id == *id) {
                    let old = std::mem::replace(&mut member.outbox, outbox.clone());
                    old.close(Closing::REPLACED);
                    true
                } else if existing.members.len() >= self.room_size {
                    return Err(JoinError::RoomFull);
                } else {
                    existing.members.push(Member {
                        id: id.clone(),
                        outbox: outbox.clone(),
                        pending: None,
                    });
                    false
                }
            }
            None => {
                if rooms.len() >= self.max_rooms {
                    return Err(JoinError::ServerFull);
                }
                let members = vec![Member {
                    id: id.clone(),
                    outbox: outbox.clone(),
                    pending: None,
                }];
                rooms.insert(room.into(), Room { members });
                false
            }
        };
        let members = rooms
            .get_mut(room)
            .expect("the room was just found or made");
        let others = members
            .members
            .iter()
            .filter(|m| m.id != *id)
            .map(|m| m.id.clone())
            .collect();
        deliver(room, members, Targets::One(&id.0), &frame(&welcome(others)));
        if !replaced {
            let joined = frame(&ServerMessage::PeerJoined { id: id.clone() });
            deliver(room, members, Targets::AllBut(&id.0), &joined);
        }
        if members.members.is_empty() {
            rooms.remove(room);
        }
        Ok(replaced)
    }

    /// Cluster: holds a place for `id` on this connection while Redis decides. Refuses a room this server
    /// does not hold yet when it holds [`Config::max_rooms`](crate::Config::max_rooms) already.
    pub(crate) fn reserve(
        &self,
        room: &str,
        id: &PeerId,
        outbox: &Arc<Outbox>,
    ) -> Result<(), JoinError> {
        let mut rooms = self.lock();
        if !rooms.contains_key(room) && rooms.len() >= self.max_rooms {
            return Err(JoinError::ServerFull);
        }
        rooms.entry(room.into()).or_default().members.push(Member {
            id: id.clone(),
            outbox: outbox.clone(),
            pending: Some(Vec::new()),
        });
        Ok(())
    }

    /// Cluster: takes back a place held by [`LocalRooms::reserve`] (the join was refused).
    pub(crate) fn cancel(&self, room: &str, conn_id: u64) {
        let mut rooms = self.lock();
        if let Some(members) = rooms.get_mut(room) {
            members.members.retain(|m| m.outbox.conn_id != conn_id);
            if members.members.is_empty() {
                rooms.remove(room);
            }
        }
    }

    /// Cluster: the join held by [`LocalRooms::reserve`] was accepted. Queues `welcome`, then what arrived
    /// meanwhile; closes another connection of the same peer here with [`Closing::REPLACED`]; tells the others
    /// here `peer-joined` if `announce` and nobody was replaced here. Returns `None` if the connection was
    /// closed meanwhile.
    pub(crate) fn admit(
        &self,
        room: &str,
        id: &PeerId,
        outbox: &Arc<Outbox>,
        welcome: Utf8Bytes,
        announce: bool,
    ) -> Option<()> {
        let mut rooms = self.lock();
        let members = rooms.get_mut(room)?;
        let conn_id = outbox.conn_id;
        let mut replaced = false;
        members.members.retain(|m| {
            if m.id == *id && m.outbox.conn_id != conn_id {
                m.outbox.close(Closing::REPLACED);
                replaced = true;
                return false;
            }
            true
        });
        let member = members
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
                room, "slow consumer: outgoing queue full at welcome, disconnecting"
            );
            member.outbox.close(Closing::SLOW_CONSUMER);
        }
        if announce && !replaced {
            let joined = frame(&ServerMessage::PeerJoined { id: id.clone() });
            deliver(room, members, Targets::AllBut(&id.0), &joined);
        }
        Some(())
    }

    /// Queues `message` for `targets` among this server's members of `room` (cluster: what another
    /// server sent). Returns how many got it.
    pub(crate) fn deliver_frame(&self, room: &str, targets: Targets, message: Utf8Bytes) -> usize {
        let mut rooms = self.lock();
        let Some(members) = rooms.get_mut(room) else {
            return 0;
        };
        let count = members
            .members
            .iter()
            .filter(|m| targets.includes(&m.id))
            .count();
        deliver(room, members, targets, &message);
        if members.members.is_empty() {
            rooms.remove(room);
        }
        count
    }

    /// Cluster: `id`, on connection `conn_id`, joined again elsewhere. Closes that connection with
    /// [`Closing::REPLACED`], and tells nobody here: the person is still in the room.
    pub(crate) fn drop_replaced(&self, room: &str, id: &PeerId, conn_id: u64) -> bool {
        let mut rooms = self.lock();
        let Some(members) = rooms.get_mut(room) else {
            return false;
        };
        let before = members.members.len();
        members.members.retain(|m| {
            let out = m.id == *id && m.outbox.conn_id == conn_id;
            if out {
                m.outbox.close(Closing::REPLACED);
            }
            !out
        });
        let dropped = members.members.len() < before;
        if members.members.is_empty() {
            rooms.remove(room);
        }
        dropped
    }

    /// Everyone this server holds (admitted, not pending), by room: (peer, connection id).
    pub(crate) fn held(&self) -> Vec<Held> {
        self.lock()
            .iter()
            .map(|(name, room)| {
                let members = room
                    .members
                    .iter()
                    .filter(|m| m.pending.is_none())
                    .map(|m| (m.id.clone(), m.outbox.conn_id))
                    .collect();
                (name.clone(), members)
            })
            .collect()
    }

    /// Relays an encoded `signal` frame from `from` (on connection `conn_id`) to `to`, both in `room`. `message`
    /// is borrowed so that the caller keeps it for another instance when `to` is not here.
    pub(crate) fn relay(
        &self,
        room: &str,
        from: &PeerId,
        conn_id: u64,
        to: &str,
        message: &Utf8Bytes,
    ) -> Result<(), RelayError> {
        let mut rooms = self.lock();
        let Some(members) = rooms.get_mut(room) else {
            return Err(RelayError::NotJoined);
        };
        if !members
            .members
            .iter()
            .any(|m| m.id == *from && m.outbox.conn_id == conn_id)
        {
            return Err(RelayError::NotJoined);
        }
        if !members.members.iter().any(|m| m.id.0 == to) {
            return Err(RelayError::UnknownPeer);
        }
        deliver(room, members, Targets::One(to), message);
        if members.members.is_empty() {
            rooms.remove(room);
        }
        Ok(())
    }

    /// Takes `id` on connection `conn_id` out of `room` and tells the others why. Does nothing if that
    /// connection is not there (any more): it was replaced or evicted. Returns whether it was there.
    pub(crate) fn leave(&self, room: &str, id: &PeerId, conn_id: u64, reason: LeaveReason) -> bool {
        let mut rooms = self.lock();
        let Some(members) = rooms.get_mut(room) else {
            return false;
        };
        let Some(at) = members
            .members
            .iter()
            .position(|m| m.id == *id && m.outbox.conn_id == conn_id)
        else {
            return false;
        };
        members.members.remove(at);
        let left = frame(&ServerMessage::PeerLeft {
            id: id.clone(),
            reason,
        });
        deliver(room, members, Targets::All, &left);
        if members.members.is_empty() {
            rooms.remove(room);
        }
        true
    }
}

/// Queues `message` for `targets` in `room`. Members whose queue is full are evicted and closed as slow
/// consumers, and the remaining members are told `peer-left removed` (which may evict more).
fn deliver(name: &str, room: &mut Room, targets: Targets, message: &Utf8Bytes) {
    // Evictions are rare: the usual delivery allocates nothing.
    let mut evicted = queue(name, room, targets, message);
    while let Some(id) = evicted.pop() {
        let reason = LeaveReason::Removed;
        let left = frame(&ServerMessage::PeerLeft { id, reason });
        evicted.extend(queue(name, room, Targets::All, &left));
    }
}

/// Queues `message` for `targets`; returns the members evicted as slow consumers.
fn queue(name: &str, room: &mut Room, targets: Targets, message: &Utf8Bytes) -> Vec<PeerId> {
    let mut evicted = Vec::new();
    room.members.retain_mut(|member| {
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
