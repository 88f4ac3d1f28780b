//! Rooms: who is in which room, and getting messages to them. One API whatever holds the rooms, this process
//! alone or several instances sharing them through Redis (`--redis`): a connection joins with
//! [`Rooms::join`], relays with [`Rooms::relay`], and leaves by dropping its [`Membership`].
//!
//! The rules, whatever the backend:
//! - a room holds at most `--room-size` people; one more is refused `room-full`;
//! - an instance holds members of at most `--max-rooms` rooms; a join that would open one more is refused
//!   `server-full`;
//! - the same peer (same secret) joining again takes the place of its older connection, which is closed with
//!   REPLACED; nobody is told, since the person is still in the room;
//! - a newcomer's welcome lists the others, who are told `peer-joined`; a departure is told as `peer-left`
//!   with its reason;
//! - messages go into the members' bounded outboxes without waiting; a member whose outbox is full is evicted
//!   as a slow consumer and the others are told `peer-left removed`.
//!
//! The backends: [`local`] holds the members this process serves, each [`room`] delivering to its own (every
//! member of every room, without Redis); [`cluster`] keeps every instance's members in Redis, whose scripts apply the room size
//! and the replacement, and hands this instance's own members to [`local`].

mod cluster;
mod local;
mod room;

pub use cluster::ClusterError;

use crate::metrics::Metrics;
use crate::outbox::Outbox;
use cluster::Cluster;
use futures_util::future::Either;
use local::LocalRooms;
use protocol::{LeaveReason, PeerId, ServerMessage};
use std::future::{ready, Future};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tracing::info;
use tungstenite::Utf8Bytes;

/// Every room this server takes part in, and what holds them.
#[derive(Debug)]
pub struct Rooms {
    backend: Backend,
    metrics: Metrics,
    room_size: usize,
    max_rooms: usize,
}

/// What holds the rooms. An enum rather than a trait object: the relay's hot path stays a direct call.
#[derive(Debug, Clone)]
enum Backend {
    /// Every room in this process.
    Local(Arc<LocalRooms>),
    /// Rooms shared with other instances through Redis; the cluster keeps this instance's members locally.
    Cluster(Arc<Cluster>),
}

impl Backend {
    /// The members this process holds.
    fn local(&self) -> &LocalRooms {
        match self {
            Backend::Local(local) => local,
            Backend::Cluster(cluster) => cluster.local(),
        }
    }
}

/// Where the rooms are kept: `--redis` and its heartbeat, or this process alone.
#[derive(Debug, Clone, Copy)]
pub struct Redis<'a> {
    pub url: &'a str,
    pub heartbeat: Duration,
}

/// A join that got in.
#[derive(Debug)]
pub struct Joined {
    pub membership: Membership,
    /// Whether it took the place of an older connection of the same peer.
    pub replaced: bool,
}

/// Why a join was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinError {
    RoomFull,
    ServerFull,
    /// The shared room directory (Redis) cannot be reached.
    Unavailable,
}

impl JoinError {
    /// The label of `signaling_joins_refused_total`.
    fn metric_label(self) -> &'static str {
        match self {
            JoinError::RoomFull => "room-full",
            JoinError::ServerFull => "server-full",
            JoinError::Unavailable => "unavailable",
        }
    }
}

/// Why a signal was not relayed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelayError {
    /// The sender is not (or no longer) in the room.
    NotJoined,
    /// The addressee is on another instance, and Redis cannot be reached.
    Unavailable,
    /// The addressee is not in the sender's room.
    UnknownPeer,
}

impl Rooms {
    /// Rooms kept by this process alone.
    pub fn local(room_size: usize, max_rooms: usize, metrics: Metrics) -> Rooms {
        Rooms {
            backend: Backend::Local(Arc::new(LocalRooms::new(room_size, max_rooms))),
            metrics,
            room_size,
            max_rooms,
        }
    }

    /// Rooms shared through `redis`; starts connecting to it (it need not be up yet).
    pub fn cluster(
        redis: Redis<'_>,
        room_size: usize,
        max_rooms: usize,
        metrics: Metrics,
    ) -> Result<Rooms, ClusterError> {
        let local = Arc::new(LocalRooms::new(room_size, max_rooms));
        let cluster = Cluster::start(
            redis.url,
            local,
            metrics.clone(),
            room_size,
            redis.heartbeat,
        )?;
        Ok(Rooms {
            backend: Backend::Cluster(cluster),
            metrics,
            room_size,
            max_rooms,
        })
    }

    /// Ready to take joins: always in one process; in a cluster, while Redis answers.
    pub fn is_ready(&self) -> bool {
        match &self.backend {
            Backend::Local(_) => true,
            Backend::Cluster(cluster) => cluster.is_up(),
        }
    }

    /// This instance's id in Redis, in a cluster.
    pub fn instance(&self) -> Option<&str> {
        match &self.backend {
            Backend::Local(_) => None,
            Backend::Cluster(cluster) => Some(cluster.instance()),
        }
    }

    /// Most people in one room.
    pub fn room_size(&self) -> usize {
        self.room_size
    }

    /// Most rooms this instance holds members of.
    pub fn max_rooms(&self) -> usize {
        self.max_rooms
    }

    /// How many rooms have members on this instance.
    pub fn room_count(&self) -> usize {
        self.backend.local().room_count()
    }

    /// How many people are in rooms on this instance.
    pub fn peer_count(&self) -> usize {
        self.backend.local().peer_count()
    }

    /// Puts `id` into `room` on the connection of `outbox`, queues the welcome made by `welcome` from the other
    /// members' ids (on every instance), and tells the others `peer-joined` unless this replaces an older
    /// connection of the same peer. The returned membership takes the peer out of the room when dropped.
    pub async fn join(
        &self,
        room: &str,
        id: &PeerId,
        outbox: &Arc<Outbox>,
        welcome: impl FnOnce(Vec<PeerId>) -> ServerMessage,
    ) -> Result<Joined, JoinError> {
        let joined = match &self.backend {
            Backend::Local(local) => local.join(room, id, outbox, welcome),
            // Boxed: the Redis call's future is large, and would otherwise be part of every connection's task
            // for its whole life, with or without Redis.
            Backend::Cluster(cluster) => Box::pin(cluster.join(room, id, outbox, welcome)).await,
        };
        match joined {
            Ok(replaced) => Ok(Joined {
                membership: Membership {
                    backend: self.backend.clone(),
                    room: room.into(),
                    id: id.clone(),
                    conn_id: outbox.conn_id,
                    reason: LeaveReason::Disconnected,
                    keep_cluster_entry: false,
                },
                replaced,
            }),
            Err(error) => {
                self.metrics.join_refused(error.metric_label());
                Err(error)
            }
        }
    }

    /// Relays the encoded `signal` frame from `from` to `to` in the same room: straight into its outbox if `to`
    /// is on this instance, else through Redis. `received` is when the frame came, for the relay time
    /// histogram.
    ///
    /// Not an `async fn`: the local relay is done at the call, so the future a connection's task holds is only
    /// the outcome or the boxed Redis call (16 bytes), not the arguments; every idle connection's task would
    /// otherwise be that much larger for its whole life.
    pub fn relay<'a>(
        &'a self,
        from: &'a Membership,
        to: &'a str,
        frame: Utf8Bytes,
        received: Instant,
    ) -> impl Future<Output = Result<(), RelayError>> + 'a {
        let local = self
            .backend
            .local()
            .relay(&from.room, &from.id, from.conn_id, to, &frame);
        match (local, &self.backend) {
            (Ok(()), _) => {
                self.metrics.relayed_here(received.elapsed().as_secs_f64());
                Either::Left(ready(Ok(())))
            }
            // Not here: maybe on another instance. Boxed for the same reason as the join's.
            (Err(RelayError::UnknownPeer), Backend::Cluster(cluster)) => {
                Either::Right(Box::pin(async move {
                    let (room, id) = (&from.room, &from.id);
                    cluster
                        .relay(room, id, from.conn_id, to, frame.as_str())
                        .await
                }))
            }
            (Err(error), _) => Either::Left(ready(Err(error))),
        }
    }
}

/// A peer's place in a room. Dropping it (also while unwinding from a panic) takes the peer out of the room
/// and tells the others `peer-left` with [`Membership::set_reason`]'s reason (default `disconnected`).
#[derive(Debug)]
pub struct Membership {
    backend: Backend,
    room: Box<str>,
    id: PeerId,
    conn_id: u64,
    reason: LeaveReason,
    /// Cluster: leave the entry in Redis when this membership ends.
    keep_cluster_entry: bool,
}

impl Membership {
    pub fn id(&self) -> &PeerId {
        &self.id
    }

    /// The reason the others will be told when this membership ends.
    pub fn set_reason(&mut self, reason: LeaveReason) {
        self.reason = reason;
    }

    /// Cluster: when this membership ends, leave the entry in Redis (the instance is going away; the person
    /// rejoins elsewhere). The members on this instance are still told.
    pub fn keep_cluster_entry(&mut self) {
        self.keep_cluster_entry = true;
    }
}

impl Drop for Membership {
    fn drop(&mut self) {
        let (room, id, conn_id, reason) = (&*self.room, &self.id, self.conn_id, self.reason);
        if self.backend.local().leave(room, id, conn_id, reason) {
            info!(conn = conn_id, room, peer = %id, reason = ?reason, "left");
        }
        // Even when this server no longer holds it (evicted as a slow consumer): the cluster only removes the
        // entry if it is still this connection's.
        if let Backend::Cluster(cluster) = &self.backend {
            if !self.keep_cluster_entry {
                cluster.left(room, id, conn_id, reason);
            }
        }
    }
}

#[cfg(test)]
mod tests;
