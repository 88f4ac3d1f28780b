//! The signaling server: serves the built app (a single-page app) and relays signaling messages between the
//! peers of a room over a WebSocket at `/ws`. The wire protocol is the `protocol` crate.
//!
//! Modules: [`config`] (flags), [`rooms`] (who is where, delivery), [`connection`] (one WebSocket: reader and
//! writer tasks, limits), [`outbox`] (a connection's bounded queue), [`origin`], [`rate`], [`static_files`],
//! [`turn`] (short-lived TURN credentials), [`tls`] (HTTPS and WSS); with `--redis`, [`shared`] (rooms shared
//! by several instances); [`metrics`] and [`client_ip`] (the per-address connection cap behind a trusted proxy).

pub mod client_ip;
pub mod config;
pub mod connection;
pub mod metrics;
pub mod origin;
pub mod outbox;
pub mod rate;
pub mod rooms;
pub mod shared;
pub mod static_files;
pub mod tls;
pub mod turn;
pub mod ws;

pub use config::Config;

use axum::routing::{any, get};
use axum::serve::ListenerExt;
use axum::Router;
use protocol::IceServer;
use rooms::Rooms;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{error, info, warn};

/// What all connections share.
#[derive(Debug)]
pub struct AppState {
    pub config: Config,
    pub rooms: Arc<Rooms>,
    /// With `--redis`: the rooms shared with other instances (`rooms` then holds this instance's members).
    pub shared: Option<Arc<shared::Shared>>,
    pub metrics: metrics::Metrics,
    /// Open connections per client address, for `--max-connections-per-ip`.
    per_ip: client_ip::PerIp,
    ice_servers: Vec<IceServer>,
    turn: Option<turn::TurnRest>,
    connections: AtomicUsize,
    next_conn_id: AtomicU64,
    shutdown: watch::Sender<bool>,
}

impl AppState {
    /// The state for `config`; with `--redis`, starts connecting to Redis (it need not be up yet).
    pub fn new(config: Config) -> Result<Arc<AppState>, shared::SharedError> {
        let metrics = metrics::Metrics::new();
        let rooms = Arc::new(Rooms::new(config.room_size as usize, config.max_rooms));
        let shared = match &config.redis {
            Some(url) => Some(shared::Shared::start(
                url,
                rooms.clone(),
                metrics.clone(),
                config.room_size as usize,
                config.redis_heartbeat,
            )?),
            None => None,
        };
        Ok(Arc::new(AppState {
            rooms,
            shared,
            metrics,
            per_ip: client_ip::PerIp::default(),
            ice_servers: config.ice_servers(),
            turn: config.turn_rest(),
            connections: AtomicUsize::new(0),
            next_conn_id: AtomicU64::new(1),
            shutdown: watch::Sender::new(false),
            config,
        }))
    }

    /// Ready to take joins: always without `--redis`; with it, while Redis answers.
    pub fn is_ready(&self) -> bool {
        self.shared.as_ref().is_none_or(|shared| shared.is_up())
    }

    /// How many WebSocket connections are open.
    pub fn connection_count(&self) -> usize {
        self.connections.load(Ordering::Relaxed)
    }

    /// Asks every WebSocket connection to close with 1001 Going Away.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// Takes a connection slot, unless [`Config::max_connections`] are open.
    fn try_connect(self: &Arc<Self>) -> Option<ConnectionSlot> {
        let max = self.config.max_connections;
        self.connections
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| {
                (n < max).then_some(n + 1)
            })
            .ok()
            .map(|_| ConnectionSlot(self.clone()))
    }

    /// Sets the gauges that are read from the state, and renders every metric.
    fn render_metrics(&self) -> String {
        let m = &self.metrics;
        m.connections.set(self.connection_count() as i64);
        m.rooms.set(self.rooms.room_count() as i64);
        m.people.set(self.rooms.peer_count() as i64);
        m.render()
    }

    /// The ICE servers for `peer`'s welcome: the static ones, then the TURN servers with credentials made for
    /// `peer` now (so a rejoin gets fresh ones).
    fn ice_servers_for(&self, peer: &protocol::PeerId) -> Vec<IceServer> {
        let mut servers = self.ice_servers.clone();
        if let Some(turn) = &self.turn {
            servers.push(turn.ice_server_for(peer, std::time::SystemTime::now()));
        }
        servers
    }

    fn next_conn_id(&self) -> u64 {
        self.next_conn_id.fetch_add(1, Ordering::Relaxed)
    }
}

/// One of the [`Config::max_connections`] places, given back when dropped.
#[derive(Debug)]
struct ConnectionSlot(Arc<AppState>);

impl Drop for ConnectionSlot {
    fn drop(&mut self) {
        self.0.connections.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The whole HTTP service: the WebSocket at `/ws`, a health check at `/healthz`, and the app from `dist`.
pub fn router(state: Arc<AppState>) -> Router {
    let files = static_files::router(&state.config.dist);
    Router::new()
        .route("/ws", any(connection::upgrade))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
        .merge(files)
}

/// `GET /readyz`: 200 while joins can be served, 503 while the configured Redis cannot be reached (a load
/// balancer then sends new people elsewhere). `/healthz` stays liveness only.
async fn readyz(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> (axum::http::StatusCode, &'static str) {
    if state.is_ready() {
        (axum::http::StatusCode::OK, "ready\n")
    } else {
        (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "not ready: Redis cannot be reached\n",
        )
    }
}

/// `GET /metrics`, in the Prometheus text format.
async fn metrics(
    axum::extract::State(state): axum::extract::State<Arc<AppState>>,
) -> ([(axum::http::header::HeaderName, &'static str); 1], String) {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.render_metrics(),
    )
}

/// Serves on `listener` until the process ends.
pub async fn run(listener: TcpListener, config: Config) -> io::Result<()> {
    serve(listener, config, std::future::pending()).await
}

/// Serves on `listener` until `shutdown` resolves, then closes the WebSocket connections (1001 Going Away)
/// and waits up to two seconds for them to finish.
pub async fn serve(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    serve_with(listener, config, None, shutdown).await
}

/// [`serve`], over HTTPS and WSS when `tls` is given.
pub async fn serve_with(
    listener: TcpListener,
    config: Config,
    tls: Option<tokio_rustls::TlsAcceptor>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let index = config.dist.join("index.html");
    if !index.is_file() {
        error!(
            path = %index.display(),
            "no index.html in the dist directory: the app will not be served (signaling still works); \
             build the app or pass --dist"
        );
    }
    let state = AppState::new(config).map_err(io::Error::other)?;
    info!(
        addr = %listener.local_addr()?,
        dist = %state.config.dist.display(),
        ice_servers = state.ice_servers.len(),
        turn_urls = state.turn.as_ref().map_or(0, |turn| turn.urls.len()),
        ice_transport_policy = state.config.ice_transport_policy.as_str(),
        room_size = state.config.room_size,
        max_connections = state.config.max_connections,
        redis = state.shared.as_ref().map(|s| s.instance()),
        "serving"
    );
    let app = router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
    let signal = {
        let state = state.clone();
        async move {
            shutdown.await;
            info!("shutting down");
            state.begin_shutdown();
        }
    };
    match tls {
        None => {
            let listener = listener.tap_io(|tcp| {
                // Signaling messages are small and someone waits for each one.
                let _ = tcp.set_nodelay(true);
            });
            axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await?
        }
        Some(acceptor) => {
            // tap_io only so that ConnectInfo<SocketAddr> works for this listener (TlsListener sets nodelay).
            let listener = tls::TlsListener::new(listener, acceptor)?.tap_io(|_| {});
            axum::serve(listener, app)
                .with_graceful_shutdown(signal)
                .await?
        }
    }
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    while state.connection_count() > 0 && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// Raises this process's soft limit of open files to the hard limit (each connection is a file), and returns
/// the new soft limit.
#[cfg(unix)]
pub fn raise_nofile_limit() -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return Err(io::Error::last_os_error());
        }
        // An unlimited hard limit still cannot be set as the soft one beyond the kernel's nr_open.
        let target = if limit.rlim_max == libc::RLIM_INFINITY {
            1 << 20
        } else {
            limit.rlim_max
        };
        if limit.rlim_cur < target {
            let raised = libc::rlimit {
                rlim_cur: target,
                rlim_max: limit.rlim_max,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &raised) != 0 {
                return Err(io::Error::last_os_error());
            }
            limit = raised;
        }
    }
    Ok(limit.rlim_cur)
}

/// Raises the open-files limit and warns when it is lower than `--max-connections` needs.
pub fn prepare_file_limit(config: &Config) {
    #[cfg(unix)]
    match raise_nofile_limit() {
        Ok(limit) if (limit as usize) < config.max_connections.saturating_add(64) => warn!(
            limit,
            max_connections = config.max_connections,
            "the open-files limit is below --max-connections: connections beyond it will be refused"
        ),
        Ok(_) => {}
        Err(e) => warn!(error = %e, "could not raise the open-files limit"),
    }
    #[cfg(not(unix))]
    let _ = config;
}
