//! Rooms: who is where, and delivery of messages to the members of a room.
//!
//! One mutex guards all rooms. Everything done under it is quick and never waits: messages are put into the
//! members' bounded queues with `try_send`, and a member whose queue is full is evicted on the spot (a slow
//! consumer), which the rest of the room is told as `peer-left removed`.

use crate::outbox::{Closing, Outbox};
use axum::extract::ws::Utf8Bytes;
use protocol::{LeaveReason, PeerId, ServerMessage};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tracing::{info, warn};

/// All rooms of the server.
#[derive(Debug)]
pub struct Rooms {
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
}

/// Why a join was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinError {
    RoomFull,
    ServerFull,
}

/// Why a signal was not relayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayError {
    /// The sender is not (or no longer) in the room.
    NotJoined,
    /// The addressee is not in the sender's room.
    UnknownPeer,
}

/// Who gets a message.
enum Targets {
    All,
    AllBut(PeerId),
    One(PeerId),
}

impl Targets {
    fn includes(&self, id: &PeerId) -> bool {
        match self {
            Targets::All => true,
            Targets::AllBut(but) => but != id,
            Targets::One(one) => one == id,
        }
    }
}

fn frame(message: &ServerMessage) -> Utf8Bytes {
    Utf8Bytes::from(message.encode())
}

impl Rooms {
    pub fn new(room_size: usize, max_rooms: usize) -> Rooms {
        Rooms {
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
    pub fn room_count(&self) -> usize {
        self.lock().len()
    }

    /// How many peers are in all rooms.
    pub fn peer_count(&self) -> usize {
        self.lock().values().map(|room| room.members.len()).sum()
    }

    /// Puts `id` into `room` with `outbox`, queues the welcome made by `welcome` from the other members' ids,
    /// and tells the others `peer-joined`. If `id` is already in the room on another connection, this one takes
    /// its place: the old connection is closed with [`Closing::REPLACED`] and the others are told nothing.
    ///
    /// The returned membership takes the peer out of the room when dropped.
    pub fn join(
        self: &Arc<Self>,
        room: &str,
        id: PeerId,
        outbox: &Arc<Outbox>,
        welcome: impl FnOnce(Vec<PeerId>) -> ServerMessage,
    ) -> Result<(Membership, bool), JoinError> {
        let mut rooms = self.lock();
        let replaced = match rooms.get_mut(room) {
            Some(existing) => {
                if let Some(member) = existing.members.iter_mut().find(|m| m.id == id) {
                    let old = std::mem::replace(&mut member.outbox, outbox.clone());
                    old.close(Closing::REPLACED);
                    true
                } else if existing.members.len() >= self.room_size {
                    return Err(JoinError::RoomFull);
                } else {
                    existing.members.push(Member {
                        id: id.clone(),
                        outbox: outbox.clone(),
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
            .filter(|m| m.id != id)
            .map(|m| m.id.clone())
            .collect();
        deliver(
            room,
            members,
            Targets::One(id.clone()),
            frame(&welcome(others)),
        );
        if !replaced {
            let joined = frame(&ServerMessage::PeerJoined { id: id.clone() });
            deliver(room, members, Targets::AllBut(id.clone()), joined);
        }
        if members.members.is_empty() {
            rooms.remove(room);
        }
        let membership = Membership {
            rooms: self.clone(),
            room: room.into(),
            id,
            conn_id: outbox.conn_id,
            reason: LeaveReason::Disconnected,
        };
        Ok((membership, replaced))
    }

    /// Relays an encoded `signal` frame from `from` (on connection `conn_id`) to `to`, both in `room`.
    pub fn relay(
        &self,
        room: &str,
        from: &PeerId,
        conn_id: u64,
        to: &PeerId,
        message: Utf8Bytes,
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
        if !members.members.iter().any(|m| m.id == *to) {
            return Err(RelayError::UnknownPeer);
        }
        deliver(room, members, Targets::One(to.clone()), message);
        if members.members.is_empty() {
            rooms.remove(room);
        }
        Ok(())
    }

    /// Takes `id` on connection `conn_id` out of `room` and tells the others why. Does nothing if that
    /// connection is not there (any more): it was replaced or evicted.
    fn leave(&self, room: &str, id: &PeerId, conn_id: u64, reason: LeaveReason) -> bool {
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
        deliver(room, members, Targets::All, left);
        if members.members.is_empty() {
            rooms.remove(room);
        }
        true
    }
}

/// Queues `message` for `targets` in `room`. Members whose queue is full are evicted and closed as slow
/// consumers, and the remaining members are told `peer-left removed` (which may evict more).
fn deliver(name: &str, room: &mut Room, targets: Targets, message: Utf8Bytes) {
    let mut work = vec![(targets, message)];
    while let Some((targets, message)) = work.pop() {
        let mut evicted = Vec::new();
        room.members.retain(|member| {
            if !targets.includes(&member.id) || member.outbox.push(message.clone()).is_ok() {
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
        for id in evicted {
            let reason = LeaveReason::Removed;
            work.push((Targets::All, frame(&ServerMessage::PeerLeft { id, reason })));
        }
    }
}

/// A peer's place in a room. Dropping it (also while unwinding from a panic) takes the peer out of the room
/// and tells the others `peer-left` with [`Membership::set_reason`]'s reason (default `disconnected`).
#[derive(Debug)]
pub struct Membership {
    rooms: Arc<Rooms>,
    room: Box<str>,
    id: PeerId,
    conn_id: u64,
    reason: LeaveReason,
}

impl Membership {
    pub fn room(&self) -> &str {
        &self.room
    }

    pub fn id(&self) -> &PeerId {
        &self.id
    }

    pub fn conn_id(&self) -> u64 {
        self.conn_id
    }

    /// The reason the others will be told when this membership ends.
    pub fn set_reason(&mut self, reason: LeaveReason) {
        self.reason = reason;
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        if self
            .rooms
            .leave(&self.room, &self.id, self.conn_id, self.reason)
        {
            info!(conn = self.conn_id, room = %self.room, peer = %self.id, reason = ?self.reason, "left");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn welcome(peers: Vec<PeerId>) -> ServerMessage {
        ServerMessage::Welcome {
            version: protocol::VERSION,
            id: PeerId("me".into()),
            room: "r".into(),
            peers,
            ice_servers: vec![],
            ice_transport_policy: Default::default(),
        }
    }

    fn next(outbox: &Outbox) -> ServerMessage {
        ServerMessage::decode(&outbox.pop().expect("a queued message")).unwrap()
    }

    #[test]
    fn join_welcome_peer_joined_and_leave() {
        let rooms = Arc::new(Rooms::new(2, 10));
        let a = Outbox::new(1, 8, 1 << 20);
        let b = Outbox::new(2, 8, 1 << 20);
        let c = Outbox::new(3, 8, 1 << 20);
        let (ma, _) = rooms.join("r", PeerId("a".into()), &a, welcome).unwrap();
        assert!(matches!(next(&a), ServerMessage::Welcome { peers, .. } if peers.is_empty()));
        let (mb, replaced) = rooms.join("r", PeerId("b".into()), &b, welcome).unwrap();
        assert!(!replaced);
        assert!(
            matches!(next(&b), ServerMessage::Welcome { peers, .. } if peers == [PeerId("a".into())])
        );
        assert_eq!(
            next(&a),
            ServerMessage::PeerJoined {
                id: PeerId("b".into())
            }
        );
        assert_eq!(
            rooms
                .join("r", PeerId("c".into()), &c, welcome)
                .unwrap_err(),
            JoinError::RoomFull
        );
        drop(mb);
        assert_eq!(
            next(&a),
            ServerMessage::PeerLeft {
                id: PeerId("b".into()),
                reason: LeaveReason::Disconnected
            }
        );
        drop(ma);
        assert_eq!(rooms.room_count(), 0);
    }

    #[test]
    fn a_full_queue_evicts_the_slow_member() {
        let rooms = Arc::new(Rooms::new(4, 10));
        let a = Outbox::new(1, 8, 1 << 20);
        let b = Outbox::new(2, 1, 1 << 20);
        let (ma, _) = rooms.join("r", PeerId("a".into()), &a, welcome).unwrap();
        let (_mb, _) = rooms.join("r", PeerId("b".into()), &b, welcome).unwrap();
        let _ = next(&a);
        let _ = next(&a);
        // b's queue (capacity 1) holds its welcome: one more message is one too many.
        let signal = Utf8Bytes::from("x");
        let to = PeerId("b".into());
        assert_eq!(rooms.relay("r", ma.id(), 1, &to, signal.clone()), Ok(()));
        assert_eq!(b.closing(), Some(Closing::SLOW_CONSUMER));
        assert_eq!(
            next(&a),
            ServerMessage::PeerLeft {
                id: to.clone(),
                reason: LeaveReason::Removed
            }
        );
        assert_eq!(
            rooms.relay("r", ma.id(), 1, &to, signal),
            Err(RelayError::UnknownPeer)
        );
        assert_eq!(rooms.peer_count(), 1);
    }

    #[tokio::test]
    async fn a_panicking_connection_still_leaves_its_room() {
        let rooms = Arc::new(Rooms::new(4, 10));
        let a = Outbox::new(1, 8, 1 << 20);
        let (_ma, _) = rooms.join("r", PeerId("a".into()), &a, welcome).unwrap();
        let task = {
            let rooms = rooms.clone();
            tokio::spawn(async move {
                let b = Outbox::new(2, 8, 1 << 20);
                let _mb = rooms.join("r", PeerId("b".into()), &b, welcome).unwrap();
                panic!("a bug in one connection");
            })
        };
        assert!(task.await.unwrap_err().is_panic());
        let _ = next(&a);
        let _ = next(&a);
        assert_eq!(
            next(&a),
            ServerMessage::PeerLeft {
                id: PeerId("b".into()),
                reason: LeaveReason::Disconnected
            }
        );
        assert_eq!(rooms.peer_count(), 1);
    }
}
