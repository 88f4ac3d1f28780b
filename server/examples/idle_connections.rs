//! Measures the server's memory per idle WebSocket connection.
//!
//! Starts the server binary on 127.0.0.1:0 with an empty dist directory, opens `--connections` WebSockets
//! that each join a room (`--room-size` per room) and then sit idle, and compares the server's VmRSS before
//! and after.
//!
//! ```text
//! cargo build --release -p server --examples
//! target/release/examples/idle_connections --connections 10000
//! ```

use clap::Parser;
use futures_util::{SinkExt, StreamExt};
use protocol::{ClientMessage, ServerMessage, VERSION};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

#[derive(Parser, Debug)]
#[command(about = "Measures the signaling server's memory per idle WebSocket connection")]
struct Args {
    /// The server binary. Default: `server` next to this example's directory (same profile), else
    /// target/release/server.
    #[arg(long)]
    server: Option<PathBuf>,

    /// How many connections to open.
    #[arg(long, default_value_t = 10_000)]
    connections: usize,

    /// Connections per room.
    #[arg(long, default_value_t = 2)]
    room_size: usize,

    /// Connections being opened at once.
    #[arg(long, default_value_t = 256)]
    concurrency: usize,

    /// RUST_LOG for the server (its stderr is discarded).
    #[arg(long, default_value = "info")]
    server_log: String,

    /// How long to wait after the last join before measuring.
    #[arg(long, default_value = "2s", value_parser = humantime::parse_duration)]
    settle: Duration,
}

fn default_server() -> PathBuf {
    let next_to_us = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.parent()?.join("server")));
    match next_to_us {
        Some(path) if path.is_file() => path,
        _ => PathBuf::from("target/release/server"),
    }
}

/// The server's process, killed and waited for when dropped: also when a panic unwinds out of `main`, so that
/// a failed measurement never leaves a server running.
struct ServerProcess(Child);

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// VmRSS of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/PID/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a VmRSS line")
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    match server::raise_nofile_limit() {
        Ok(limit) if (limit as usize) < args.connections + 64 => eprintln!(
            "warning: open-files limit {limit} is below {} connections",
            args.connections
        ),
        Ok(_) => {}
        Err(e) => eprintln!("warning: cannot raise the open-files limit: {e}"),
    }
    let dist = std::env::temp_dir().join(format!("idle-connections-{}", std::process::id()));
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html>").unwrap();
    let binary = args.server.clone().unwrap_or_else(default_server);
    let n = args.connections;
    let mut server = ServerProcess(
        Command::new(&binary)
            .args(["--listen", "127.0.0.1:0", "--dist"])
            .arg(&dist)
            .args(["--max-connections", &(n + 16).to_string()])
            .args(["--max-rooms", &n.to_string()])
            .args(["--room-size", &args.room_size.max(1).to_string()])
            // The clients never read, so they never answer pings: do not reap them while measuring.
            .args(["--idle-timeout", "1h"])
            // Every client comes from 127.0.0.1.
            .args(["--max-connections-per-ip", "0"])
            .env("RUST_LOG", &args.server_log)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display())),
    );
    let pid = server.0.id();
    let mut line = String::new();
    BufReader::new(server.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_owned();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let before = rss_kib(pid);

    let started = Instant::now();
    let url = format!("ws://{addr}/ws");
    let gate = Arc::new(Semaphore::new(args.concurrency.max(1)));
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let gate = gate.clone();
        let url = url.clone();
        let room = format!("room-{}", i / args.room_size.max(1));
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.unwrap();
            let config = WebSocketConfig::default().read_buffer_size(1024);
            let (mut ws, _) =
                tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), true)
                    .await
                    .expect("connect");
            let join = ClientMessage::Join {
                version: VERSION,
                room,
                secret: format!("{i:064}"),
            };
            ws.send(Message::text(join.encode()))
                .await
                .expect("send join");
            loop {
                let frame = tokio::time::timeout(Duration::from_secs(30), ws.next())
                    .await
                    .expect("welcome in time")
                    .expect("open")
                    .expect("a frame");
                if let Message::Text(text) = frame {
                    match ServerMessage::decode(&text) {
                        Ok(ServerMessage::Welcome { .. }) => break,
                        other => panic!("expected welcome, got {other:?}"),
                    }
                }
            }
            ws
        }));
    }
    let mut sockets = Vec::with_capacity(n);
    for task in tasks {
        sockets.push(task.await.expect("a connection"));
    }
    let opened = started.elapsed();
    tokio::time::sleep(args.settle).await;
    let after = rss_kib(pid);
    let per = (after.saturating_sub(before)) as f64 / n as f64;
    println!(
        "idle connections: {n}, server RSS before {before} KiB, after {after} KiB, per connection {per:.2} KiB"
    );
    eprintln!("({n} connections opened and joined in {opened:.2?})");

    drop(sockets);
    drop(server);
    let _ = std::fs::remove_dir_all(&dist);
}
