//! The signaling server: serves the built app (a single-page app) and relays signaling messages between the
//! peers of a room over a WebSocket at `/ws`. The wire protocol is the `protocol` crate.
//!
//! This file only wires the parts together: the flags ([`config`]) make the shared state ([`state`]), which the
//! router ([`http`]) hands to every request, and [`serve`] runs it until shutdown. The parts:
//! - [`http`]: the router: `/ws`, `/healthz`, `/readyz`, `/metrics`, and the app's files;
//! - [`connection`]: one WebSocket: admission, the read loop, the rate limit, dispatch, the write loop;
//! - [`rooms`]: who is in which room and delivery, in one process or shared through Redis;
//! - [`outbox`]: a connection's bounded outgoing queue;
//! - [`ws`]: the WebSocket upgrade over a read buffer that exists only while data flows;
//! - [`ice`] and [`turn`]: what a welcome says about ICE, with short-lived TURN credentials;
//! - [`origin`] and [`client_ip`]: who may open a WebSocket, and from which address;
//! - [`metrics`], [`tls`] (HTTPS and WSS), [`file_limit`] (the open-files limit).

// Public: what the binary, the examples and the tests use.
pub mod config;
pub mod tls;
pub mod turn;

mod client_ip;
mod connection;
mod file_limit;
mod http;
mod ice;
mod metrics;
mod origin;
mod outbox;
mod rooms;
mod state;
mod ws;

pub use config::Config;
pub use file_limit::{prepare as prepare_file_limit, raise_nofile_limit};

use axum::serve::ListenerExt;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::net::TcpListener;
use tracing::{error, info};

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
    let state = state::AppState::new(config).map_err(io::Error::other)?;
    info!(
        addr = %listener.local_addr()?,
        dist = %state.dist().display(),
        ice_servers = state.ice().static_count(),
        turn_urls = state.ice().turn_url_count(),
        ice_transport_policy = state.ice().policy().as_str(),
        room_size = state.rooms().room_size(),
        max_connections = state.admission().max_connections(),
        redis = state.rooms().instance(),
        "serving"
    );
    let app = http::router(state.clone()).into_make_service_with_connect_info::<SocketAddr>();
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
