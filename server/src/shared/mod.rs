//! Rooms shared by several instances through Redis (`--redis URL`).
//!
//! Redis holds who is in which room (a hash per room: peer -> owning instance and connection) and decides every
//! change in an atomic Lua script ([`scripts`]) that also publishes the news on the bus of each instance
//! concerned ([`bus`]). Each instance keeps its own members' sockets in its local [`Rooms`], delivers what its
//! bus brings, and relays a signal between two of its own members without Redis.
//!
//! Liveness: every beat each instance refreshes `sig:inst:<me>` (expiring after 4 beats) and sweeps the rooms
//! it holds, removing members whose instance key is gone (reported `peer-left timed-out`). When Redis comes back
//! after an outage, the instance writes again whom it holds ([`upkeep`]).
//!
//! While Redis cannot be reached, established calls go on (they are peer to peer, and signals between two
//! members of the same instance still flow); joins are refused with `unavailable`, and `/readyz` fails.

pub mod bus;
pub mod scripts;
mod upkeep;

use crate::metrics::Metrics;
use crate::outbox::Outbox;
use crate::rooms::{Directory, JoinError, Membership, RelayError, Rooms, Targets};
use axum::extract::ws::Utf8Bytes;
use fred::prelude::{ClientLike, Error as RedisError, LuaInterface, Value};
use fred::types::config::{Config as RedisConfig, Options, ReconnectPolicy};
use fred::types::scripts::Script;
use fred::types::Builder;
use protocol::{LeaveReason, PeerId, ServerMessage};
use scripts::{room_key, Scripts};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tracing::{debug, warn};

/// How long one Redis call may take before it counts as failed.
const CALL_TIMEOUT: Duration = Duration::from_secs(1);

/// Why the shared rooms could not be set up.
#[derive(Debug)]
pub enum SharedError {
    /// The `--redis` URL is not one the client understands.
    BadUrl(String),
    /// The client could not be built.
    Client(String),
}

impl std::fmt::Display for SharedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SharedError::BadUrl(e) => write!(f, "the --redis URL is not valid: {e}"),
            SharedError::Client(e) => write!(f, "could not make a Redis client: {e}"),
        }
    }
}

impl std::error::Error for SharedError {}

/// This instance's side of the shared rooms.
#[derive(Debug)]
pub struct Shared {
    /// This instance's id (random, new at every start).
    me: Box<str>,
    client: fred::prelude::Client,
    subscriber: fred::clients::SubscriberClient,
    scripts: Scripts,
    rooms: Arc<Rooms>,
    metrics: Metrics,
    room_size: usize,
    beat: Duration,
    /// Whether the last Redis call and the bus's subscription succeeded.
    up: AtomicBool,
    /// Rooms where a departure could not be written to Redis; written at the next resync.
    unsynced: std::sync::Mutex<std::collections::HashSet<Box<str>>>,
}

/// What a shared join found.
pub struct Joined {
    pub membership: Membership,
    pub replaced: bool,
}

impl Shared {
    /// Makes the clients and starts connecting, the bus and the heartbeat; does not wait for Redis (the server
    /// starts, not ready, while Redis is away).
    pub fn start(
        url: &str,
        rooms: Arc<Rooms>,
        metrics: Metrics,
        room_size: usize,
        beat: Duration,
    ) -> Result<Arc<Shared>, SharedError> {
        let config = RedisConfig::from_url(url).map_err(|e| SharedError::BadUrl(e.to_string()))?;
        let mut builder = Builder::from_config(config);
        builder
            // Try again every 250 ms forever: an instance must come back by itself when Redis does.
            .set_policy(ReconnectPolicy::new_constant(0, 250))
            .with_connection_config(|c| {
                c.connection_timeout = CALL_TIMEOUT;
                c.internal_command_timeout = CALL_TIMEOUT;
                c.max_command_attempts = 1;
            })
            .with_performance_config(|p| {
                p.default_command_timeout = CALL_TIMEOUT;
                // The bus: room for a burst of signals before the reader falls behind.
                p.broadcast_channel_capacity = 8192;
            });
        let client = builder
            .build()
            .map_err(|e| SharedError::Client(e.to_string()))?;
        let subscriber = builder
            .build_subscriber_client()
            .map_err(|e| SharedError::Client(e.to_string()))?;
        let me: Box<str> = format!("{:016x}", rand::random::<u64>()).into();
        let shared = Arc::new(Shared {
            me,
            client,
            subscriber,
            scripts: Scripts::new(),
            rooms,
            metrics,
            room_size,
            beat,
            up: AtomicBool::new(false),
            unsynced: Default::default(),
        });
        shared.metrics.redis_up.set(0);
        // Each returns the handle of a task that runs (and reconnects) on its own: detached.
        drop(shared.client.connect());
        drop(shared.subscriber.connect());
        drop(shared.subscriber.manage_subscriptions());
        tokio::spawn(upkeep::read_bus(shared.clone()));
        tokio::spawn(upkeep::keep_up(shared.clone()));
        Ok(shared)
    }

    /// This instance's id in Redis.
    pub fn instance(&self) -> &str {
        &self.me
    }

    /// Whether Redis answers (readiness).
    pub fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::Relaxed);
        self.metrics.redis_up.set(i64::from(up));
    }

    fn owner(&self, conn_id: u64) -> String {
        format!("{}/{conn_id}", self.me)
    }

    /// `EVALSHA`, loading the script first if Redis does not know it (a new or restarted Redis). Fails fast
    /// while disconnected.
    async fn eval(
        &self,
        script: &Script,
        key: String,
        args: Vec<Value>,
    ) -> Result<Value, RedisError> {
        let options = Options {
            fail_fast: true,
            timeout: Some(CALL_TIMEOUT),
            max_attempts: Some(1),
            ..Default::default()
        };
        let client = self.client.with_options(&options);
        self.metrics.redis_calls.inc();
        match client
            .evalsha::<Value, _, _, _>(script.sha1().clone(), key.clone(), args.clone())
            .await
        {
            Err(error) if error.details().starts_with("NOSCRIPT") => {
                let lua = script.lua().cloned().unwrap_or_default();
                self.metrics.redis_calls.inc_by(2);
                client.script_load::<(), _>(lua).await?;
                client.evalsha(script.sha1().clone(), key, args).await
            }
            result => result,
        }
    }

    /// A Redis call failed: say so once, and count Redis as down until the next beat succeeds.
    fn failed(&self, what: &str, error: &RedisError) {
        if self.up.swap(false, Ordering::Relaxed) {
            warn!(error = %error, what, "Redis cannot be reached: joins are refused until it is back");
        } else {
            debug!(error = %error, what, "Redis call failed");
        }
        self.metrics.redis_up.set(0);
    }

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
    fn tell_reaped<'a>(&self, room: &str, ids: impl Iterator<Item = &'a str>) {
        for id in ids {
            let id = PeerId(id.to_owned());
            let left = ServerMessage::PeerLeft {
                id: id.clone(),
                reason: LeaveReason::TimedOut,
            };
            self.rooms
                .deliver_frame(room, Targets::AllBut(id), left.encode().into());
        }
    }

    /// Relays a `signal` frame to `to` on another instance.
    pub async fn relay(
        &self,
        membership: &Membership,
        to: &PeerId,
        frame: String,
    ) -> Result<(), RelayError> {
        let args = vec![
            Value::from(membership.room()),
            Value::from(membership.id().0.as_str()),
            Value::from(self.owner(membership.conn_id())),
            Value::from(to.0.as_str()),
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

    /// How long a room's hash lives after the last refresh by an instance holding one of its members.
    fn room_ttl_ms(&self) -> i64 {
        (self.beat * 8).as_millis() as i64
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

impl Shared {
    fn remember_unsynced(&self, room: Box<str>) {
        let mut unsynced = self
            .unsynced
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        // Bounded: past this many, the rooms' TTL cleans up what the resync would have.
        if unsynced.len() < 100_000 {
            unsynced.insert(room);
        }
    }
}

/// A script's array reply as strings (integers and nil as their text, or empty).
fn strings(value: Value) -> Vec<String> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .map(|v| v.as_string().unwrap_or_default())
            .collect(),
        other => other.as_string().into_iter().collect(),
    }
}

/// Time since `start`, in seconds, for the histogram.
pub fn seconds_since(start: Instant) -> f64 {
    start.elapsed().as_secs_f64()
}
