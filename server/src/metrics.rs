//! `GET /metrics`: what the server counts, in the Prometheus text format (the `prometheus` crate).

use prometheus::{
    Encoder, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

/// Every metric of one server process. Each job counts through a method named for what happened.
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    /// Open WebSocket connections (set when scraped).
    connections: IntGauge,
    /// Rooms with at least one member on this instance (set when scraped).
    rooms: IntGauge,
    /// People in rooms on this instance (set when scraped).
    people: IntGauge,
    /// `signaling_messages_relayed_total{path="local"}` and `{path="redis"}`, looked up once: they count every
    /// signal.
    relayed_local: IntCounter,
    relayed_redis: IntCounter,
    /// Client messages not relayed or not acted on, by `reason`.
    dropped: IntCounterVec,
    /// Connections ended, by `reason` (the close reason, or `client` when the client closed).
    disconnects: IntCounterVec,
    /// Joins refused, by `reason` (room-full, server-full, unavailable).
    refused_joins: IntCounterVec,
    /// 1 while the configured Redis answers (always 1 without --redis).
    redis_up: IntGauge,
    /// Redis calls made (scripts and heartbeats).
    redis_calls: IntCounter,
    /// From a signal's arrival at the sender's instance to its queueing for the addressee, in seconds.
    relay_seconds: Histogram,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let gauge = |name: &str, help: &str| {
            let gauge = IntGauge::new(name, help).unwrap_or_else(|_| unreachable_metric());
            let _ = registry.register(Box::new(gauge.clone()));
            gauge
        };
        let counter_vec = |name: &str, help: &str, label: &str| {
            let counter = IntCounterVec::new(Opts::new(name, help), &[label])
                .unwrap_or_else(|_| unreachable_metric());
            let _ = registry.register(Box::new(counter.clone()));
            counter
        };
        let connections = gauge("signaling_connections", "Open WebSocket connections.");
        let rooms = gauge("signaling_rooms", "Rooms with members on this instance.");
        let people = gauge("signaling_people", "People in rooms on this instance.");
        let redis_up = gauge(
            "signaling_redis_up",
            "1 while the shared room directory (Redis) answers.",
        );
        let relayed = counter_vec(
            "signaling_messages_relayed_total",
            "Signals relayed.",
            "path",
        );
        let dropped = counter_vec(
            "signaling_messages_dropped_total",
            "Client messages dropped.",
            "reason",
        );
        let disconnects = counter_vec(
            "signaling_disconnects_total",
            "Connections ended.",
            "reason",
        );
        let refused_joins =
            counter_vec("signaling_joins_refused_total", "Joins refused.", "reason");
        let redis_calls = IntCounter::new("signaling_redis_calls_total", "Redis calls made.")
            .unwrap_or_else(|_| unreachable_metric());
        let _ = registry.register(Box::new(redis_calls.clone()));
        let buckets = vec![
            0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1,
        ];
        let relay_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "signaling_relay_seconds",
                "Time from a signal's arrival to its queueing for the addressee.",
            )
            .buckets(buckets),
        )
        .unwrap_or_else(|_| unreachable_metric());
        let _ = registry.register(Box::new(relay_seconds.clone()));
        redis_up.set(1);
        let relayed_local = relayed.with_label_values(&["local"]);
        let relayed_redis = relayed.with_label_values(&["redis"]);
        Metrics {
            registry,
            connections,
            rooms,
            people,
            relayed_local,
            relayed_redis,
            dropped,
            disconnects,
            refused_joins,
            redis_up,
            redis_calls,
            relay_seconds,
        }
    }

    /// A signal was queued for its addressee on this instance, `seconds` after it came.
    pub fn relayed_here(&self, seconds: f64) {
        self.relayed_local.inc();
        self.relay_seconds.observe(seconds);
    }

    /// A signal from another instance was queued for its addressee here, `seconds` after it came there.
    pub fn relayed_through_redis(&self, seconds: f64) {
        self.relay_seconds.observe(seconds);
        self.relayed_redis.inc();
    }

    /// A client message was not relayed or not acted on, for `reason`.
    pub fn dropped(&self, reason: &str) {
        self.dropped.with_label_values(&[reason]).inc();
    }

    /// `count` messages were lost, for `reason`.
    pub fn dropped_many(&self, reason: &str, count: u64) {
        self.dropped.with_label_values(&[reason]).inc_by(count);
    }

    /// A connection ended, for `reason`.
    pub fn disconnected(&self, reason: &str) {
        self.disconnects.with_label_values(&[reason]).inc();
    }

    /// A join was refused, for `reason`.
    pub fn join_refused(&self, reason: &str) {
        self.refused_joins.with_label_values(&[reason]).inc();
    }

    /// Whether the configured Redis answers.
    pub fn set_redis_up(&self, up: bool) {
        self.redis_up.set(i64::from(up));
    }

    /// `count` Redis calls were made.
    pub fn redis_calls(&self, count: u64) {
        self.redis_calls.inc_by(count);
    }

    /// The text exposition of every metric, with the gauges that are read when scraped set from `now`.
    pub fn render(&self, now: Gauges) -> String {
        self.connections.set(now.connections as i64);
        self.rooms.set(now.rooms as i64);
        self.people.set(now.people as i64);
        let mut out = Vec::new();
        // Writing to a Vec cannot fail; a metric that cannot be encoded is left out.
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }
}

/// What the gauges read when scraped: open connections, rooms and people on this instance.
#[derive(Debug, Clone, Copy)]
pub struct Gauges {
    pub connections: usize,
    pub rooms: usize,
    pub people: usize,
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}

/// The names and options above are constants that the crate accepts; this cannot be reached.
fn unreachable_metric() -> ! {
    unreachable!("a metric defined in this file was refused by the prometheus crate")
}
