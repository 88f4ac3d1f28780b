//! The cluster: rooms shared by several instances through Redis (`--redis URL`), behind the one rooms API of
//! [`super::Rooms`].
//!
//! Redis holds who is in which room (a hash per room: peer -> owning instance and connection) and decides every
//! change in an atomic Lua script ([`scripts`]) that also publishes the news on the bus of each instance
//! concerned ([`bus`]). Each instance keeps its own members' sockets in its [`LocalRooms`], delivers what its
//! bus brings, and relays a signal between two of its own members without Redis. [`ops`] is what a connection
//! asks of the cluster (join, relay, leave); [`upkeep`] is the instance's two tasks (bus reader, beat).
//!
//! Liveness: every beat each instance refreshes `sig:inst:<me>` (expiring after 4 beats) and sweeps the rooms
//! it holds, removing members whose instance key is gone (reported `peer-left timed-out`). When Redis comes back
//! after an outage, the instance writes again whom it holds ([`upkeep`]).
//!
//! While Redis cannot be reached, established calls go on (they are peer to peer, and signals between two
//! members of the same instance still flow); joins are refused with `unavailable`, and `/readyz` fails.

mod bus;
mod ops;
mod scripts;
mod upkeep;

use super::local::LocalRooms;
use crate::metrics::Metrics;
use fred::prelude::{ClientLike, Error as RedisError, LuaInterface, Value};
use fred::types::config::{Config as RedisConfig, Options, ReconnectPolicy};
use fred::types::scripts::Script;
use fred::types::Builder;
use scripts::Scripts;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tracing::{debug, warn};

/// How long one Redis call may take before it counts as failed.
const CALL_TIMEOUT: Duration = Duration::from_secs(1);

/// Why the cluster could not be set up.
#[derive(Debug)]
pub enum ClusterError {
    /// The `--redis` URL is not one the client understands.
    BadUrl(String),
    /// The client could not be built.
    Client(String),
}

impl std::fmt::Display for ClusterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClusterError::BadUrl(e) => write!(f, "the --redis URL is not valid: {e}"),
            ClusterError::Client(e) => write!(f, "could not make a Redis client: {e}"),
        }
    }
}

impl std::error::Error for ClusterError {}

/// This instance's side of the cluster.
#[derive(Debug)]
pub(super) struct Cluster {
    /// This instance's id (random, new at every start).
    me: Box<str>,
    client: fred::prelude::Client,
    subscriber: fred::clients::SubscriberClient,
    scripts: Scripts,
    /// This instance's members.
    local: Arc<LocalRooms>,
    metrics: Metrics,
    room_size: usize,
    beat: Duration,
    /// Whether the last Redis call and the bus's subscription succeeded.
    up: AtomicBool,
    /// Rooms where a departure could not be written to Redis; written at the next resync.
    unsynced: std::sync::Mutex<std::collections::HashSet<Box<str>>>,
}

impl Cluster {
    /// Makes the clients and starts connecting, the bus and the heartbeat; does not wait for Redis (the server
    /// starts, not ready, while Redis is away).
    pub(super) fn start(
        url: &str,
        local: Arc<LocalRooms>,
        metrics: Metrics,
        room_size: usize,
        beat: Duration,
    ) -> Result<Arc<Cluster>, ClusterError> {
        let mut config =
            RedisConfig::from_url(url).map_err(|e| ClusterError::BadUrl(e.to_string()))?;
        // Keep trying when Redis is not up yet at start, too (fred gives up after one attempt otherwise).
        config.fail_fast = false;
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
            .map_err(|e| ClusterError::Client(e.to_string()))?;
        let subscriber = builder
            .build_subscriber_client()
            .map_err(|e| ClusterError::Client(e.to_string()))?;
        let me: Box<str> = format!("{:016x}", rand::random::<u64>()).into();
        let cluster = Arc::new(Cluster {
            me,
            client,
            subscriber,
            scripts: Scripts::new(),
            local,
            metrics,
            room_size,
            beat,
            up: AtomicBool::new(false),
            unsynced: Default::default(),
        });
        cluster.metrics.set_redis_up(false);
        // Each returns the handle of a task that runs (and reconnects) on its own: detached.
        drop(cluster.client.connect());
        drop(cluster.subscriber.connect());
        drop(cluster.subscriber.manage_subscriptions());
        tokio::spawn(upkeep::read_bus(cluster.clone()));
        tokio::spawn(upkeep::keep_up(cluster.clone()));
        Ok(cluster)
    }

    /// This instance's id in Redis.
    pub(super) fn instance(&self) -> &str {
        &self.me
    }

    /// This instance's members.
    pub(super) fn local(&self) -> &LocalRooms {
        &self.local
    }

    /// Whether Redis answers (readiness).
    pub(super) fn is_up(&self) -> bool {
        self.up.load(Ordering::Relaxed)
    }

    fn set_up(&self, up: bool) {
        self.up.store(up, Ordering::Relaxed);
        self.metrics.set_redis_up(up);
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
        self.metrics.redis_calls(1);
        match client
            .evalsha::<Value, _, _, _>(script.sha1().clone(), key.clone(), args.clone())
            .await
        {
            Err(error) if error.details().starts_with("NOSCRIPT") => {
                let lua = script.lua().cloned().unwrap_or_default();
                self.metrics.redis_calls(2);
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
        self.metrics.set_redis_up(false);
    }

    /// How long a room's hash lives after the last refresh by an instance holding one of its members.
    pub(super) fn room_ttl_ms(&self) -> i64 {
        (self.beat * 8).as_millis() as i64
    }
}

impl Cluster {
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
