//! The rooms this process holds, by name: every member of every room in one process, or this instance's share
//! of each room with `--redis` (then [`super::cluster`] decides who gets in, through [`LocalRooms::reserve`],
//! [`LocalRooms::admit`] and [`LocalRooms::cancel`], and hands over what other instances send with
//! [`LocalRooms::deliver_frame`]). Each [`Room`] keeps its members and delivers to them.
//!
//! One mutex guards all rooms. Everything done under it is quick and never waits: messages are put into the
//! members' bounded queues without waiting, and a member whose queue is full is evicted on the spot.

use super::room::{frame, Room, Targets};
use super::{JoinError, RelayError};
use crate::outbox::Outbox;
use protocol::{LeaveReason, PeerId, ServerMessage};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tungstenite::Utf8Bytes;

/// The rooms of this process and the members it holds in them.
#[derive(Debug)]
pub(crate) struct LocalRooms {
    rooms: Mutex<HashMap<Box<str>, Room>>,
    room_size: usize,
    max_rooms: usize,
}

/// A room and whom this server holds in it: (peer, connection id).
pub(crate) type Held = (Box<str>, Vec<(PeerId, u64)>);

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
        self.lock().values().map(Room::len).sum()
    }

    /// Puts `id` into `room` with `outbox`, queues the welcome made by `welcome` from the other members' ids,
    /// and tells the others `peer-joined`. If `id` is already in the room on another connection, this one takes
    /// its place: the old connection is closed with REPLACED and the others are told nothing.
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
                if existing.replace(id, outbox) {
                    true
                } else if existing.len() >= self.room_size {
                    return Err(JoinError::RoomFull);
                } else {
                    existing.add(id, outbox);
                    false
                }
            }
            None => {
                if rooms.len() >= self.max_rooms {
                    return Err(JoinError::ServerFull);
                }
                let mut new = Room::default();
                new.add(id, outbox);
                rooms.insert(room.into(), new);
                false
            }
        };
        let members = rooms
            .get_mut(room)
            .expect("the room was just found or made");
        let others = members.others(id);
        members.deliver(room, Targets::One(&id.0), &frame(&welcome(others)));
        if !replaced {
            let joined = frame(&ServerMessage::PeerJoined { id: id.clone() });
            members.deliver(room, Targets::AllBut(&id.0), &joined);
        }
        if members.is_empty() {
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
        rooms
            .entry(room.into())
            .or_default()
            .add_pending(id, outbox);
        Ok(())
    }

    /// Cluster: takes back a place held by [`LocalRooms::reserve`] (the join was refused).
    pub(crate) fn cancel(&self, room: &str, conn_id: u64) {
        let mut rooms = self.lock();
        if let Some(members) = rooms.get_mut(room) {
            members.cancel(conn_id);
            if members.is_empty() {
                rooms.remove(room);
            }
        }
    }

    /// Cluster: the join held by [`LocalRooms::reserve`] was accepted. Queues `welcome`, then what arrived
    /// meanwhile; closes another connection of the same peer here with REPLACED; tells the others here
    /// `peer-joined` if `announce` and nobody was replaced here. Returns `None` if the connection was closed
    /// meanwhile.
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
        let replaced = members.admit(room, id, outbox.conn_id, welcome)?;
        if announce && !replaced {
            let joined = frame(&ServerMessage::PeerJoined { id: id.clone() });
            members.deliver(room, Targets::AllBut(&id.0), &joined);
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
        let count = members.count(targets);
        members.deliver(room, targets, &message);
        if members.is_empty() {
            rooms.remove(room);
        }
        count
    }

    /// Cluster: `id`, on connection `conn_id`, joined again elsewhere. Closes that connection with REPLACED,
    /// and tells nobody here: the person is still in the room.
    pub(crate) fn drop_replaced(&self, room: &str, id: &PeerId, conn_id: u64) -> bool {
        let mut rooms = self.lock();
        let Some(members) = rooms.get_mut(room) else {
            return false;
        };
        let dropped = members.drop_replaced(id, conn_id);
        if members.is_empty() {
            rooms.remove(room);
        }
        dropped
    }

    /// Everyone this server holds (admitted, not pending), by room: (peer, connection id).
    pub(crate) fn held(&self) -> Vec<Held> {
        self.lock()
            .iter()
            .map(|(name, room)| (name.clone(), room.admitted()))
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
        if !members.has(from, conn_id) {
            return Err(RelayError::NotJoined);
        }
        if !members.contains(to) {
            return Err(RelayError::UnknownPeer);
        }
        members.deliver(room, Targets::One(to), message);
        if members.is_empty() {
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
        if !members.remove(id, conn_id) {
            return false;
        }
        let left = frame(&ServerMessage::PeerLeft {
            id: id.clone(),
            reason,
        });
        members.deliver(room, Targets::All, &left);
        if members.is_empty() {
            rooms.remove(room);
        }
        true
    }
}
