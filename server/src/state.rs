//! What every request and connection shares, divided by job: who may connect ([`Admission`]), what a
//! connection may do ([`Limits`]), the rooms, what a welcome says about ICE, the metrics, and the shutdown
//! switch. Each part keeps its own fields; the state only hands out the parts.

use crate::config::Config;
use crate::connection::{Admission, Limits};
use crate::ice::Ice;
use crate::metrics::{Gauges, Metrics};
use crate::rooms::{ClusterError, Redis, Rooms};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::watch;

/// What all connections share.
#[derive(Debug)]
pub struct AppState {
    admission: Admission,
    limits: Limits,
    rooms: Rooms,
    ice: Ice,
    metrics: Metrics,
    /// Set once, when the server begins to shut down: every connection closes with 1001 Going Away.
    shutdown: watch::Sender<bool>,
    /// The built app, served at every path that is not an endpoint.
    dist: PathBuf,
}

impl AppState {
    /// The state for `config`; with `--redis`, starts connecting to Redis (it need not be up yet).
    pub fn new(config: Config) -> Result<Arc<AppState>, ClusterError> {
        let metrics = Metrics::new();
        let room_size = config.room_size as usize;
        let rooms = match &config.redis {
            Some(url) => {
                let heartbeat = config.redis_heartbeat;
                let redis = Redis { url, heartbeat };
                Rooms::cluster(redis, room_size, config.max_rooms, metrics.clone())?
            }
            None => Rooms::local(room_size, config.max_rooms, metrics.clone()),
        };
        Ok(Arc::new(AppState {
            admission: Admission::new(&config),
            limits: Limits::new(&config),
            rooms,
            ice: Ice::new(&config),
            metrics,
            shutdown: watch::Sender::new(false),
            dist: config.dist,
        }))
    }

    pub fn admission(&self) -> &Admission {
        &self.admission
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    pub fn rooms(&self) -> &Rooms {
        &self.rooms
    }

    pub fn ice(&self) -> &Ice {
        &self.ice
    }

    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    pub fn dist(&self) -> &Path {
        &self.dist
    }

    /// Ready to take joins: always without `--redis`; with it, while Redis answers.
    pub fn is_ready(&self) -> bool {
        self.rooms.is_ready()
    }

    /// How many WebSocket connections are open.
    pub fn connection_count(&self) -> usize {
        self.admission.open_count()
    }

    /// Every metric, with the gauges read from the state now.
    pub fn render_metrics(&self) -> String {
        self.metrics.render(Gauges {
            connections: self.connection_count(),
            rooms: self.rooms.room_count(),
            people: self.rooms.peer_count(),
        })
    }

    /// Asks every WebSocket connection to close with 1001 Going Away.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Changes once, when the server begins to shut down.
    pub fn subscribe_shutdown(&self) -> watch::Receiver<bool> {
        self.shutdown.subscribe()
    }
}
