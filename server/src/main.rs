//! `server --listen ADDR --dist DIR`: prints `listening on http://ADDR` (or `https://`, after the certificate's
//! fingerprint) on stdout once bound, logs to stderr.

use clap::Parser;
use server::Config;
use std::io::{IsTerminal, Write};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let config = Config::parse();
    server::prepare_file_limit(&config);
    let listener = match tokio::net::TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(e) => {
            tracing::error!(addr = %config.listen, error = %e, "cannot listen");
            return std::process::ExitCode::FAILURE;
        }
    };
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => {
            tracing::error!(error = %e, "no local address");
            return std::process::ExitCode::FAILURE;
        }
    };
    let tls = match server::tls::from_config(&config, addr, std::path::Path::new(".")) {
        Ok(tls) => tls,
        Err(e) => {
            tracing::error!(error = %e, "cannot serve HTTPS");
            return std::process::ExitCode::FAILURE;
        }
    };
    {
        let mut stdout = std::io::stdout().lock();
        if let Some(tls) = &tls {
            let made = if tls.created { "made" } else { "kept" };
            let _ = writeln!(
                stdout,
                "certificate {} ({made}); SHA-256 fingerprint {}",
                tls.source.display(),
                tls.fingerprint
            );
        }
        let scheme = if tls.is_some() { "https" } else { "http" };
        let _ = writeln!(stdout, "listening on {scheme}://{addr}");
        let _ = stdout.flush();
    }
    let acceptor = tls.map(|tls| tls.acceptor);
    match server::serve_with(listener, config, acceptor, shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server failed");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
