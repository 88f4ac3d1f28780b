//! Helpers for tests of several instances sharing rooms: a real `redis-server` and server processes, each on
//! 127.0.0.1 at an ephemeral port, killed when dropped (SIGKILL, like a crash, when a test asks).
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A `redis-server` child on 127.0.0.1, with no persistence.
pub struct Redis {
    pub port: u16,
    child: Option<Child>,
}

/// `None` (and a printed reason) when Debian's `redis-server` is not installed.
pub fn redis_binary() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("redis-server"))
            .find(|p| p.is_file())
    });
    if found.is_none() {
        eprintln!("SKIPPED: redis-server is not installed (scripts/setup.sh installs it: apt-get install redis-server)");
    }
    found
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}

impl Redis {
    pub async fn start() -> Option<Redis> {
        redis_binary()?;
        let mut redis = Redis {
            port: free_port(),
            child: None,
        };
        redis.spawn().await;
        Some(redis)
    }

    /// A port for a Redis that is not started yet ([`Redis::restart`] starts it).
    pub fn not_yet() -> Option<Redis> {
        redis_binary()?;
        Some(Redis {
            port: free_port(),
            child: None,
        })
    }

    async fn spawn(&mut self) {
        let child = Command::new("redis-server")
            .args(["--port", &self.port.to_string()])
            .args(["--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.command("PING").await.as_deref() != Some("+PONG\r\n") {
            assert!(Instant::now() < deadline, "redis-server answers PING");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// SIGKILL, and wait until it is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts again on the same port, empty.
    pub async fn restart(&mut self) {
        self.kill();
        self.spawn().await;
    }

    /// One inline command; the raw reply (`None` if Redis cannot be reached).
    pub async fn command(&self, command: &str) -> Option<String> {
        let mut stream = TcpStream::connect(("127.0.0.1", self.port)).await.ok()?;
        stream
            .write_all(format!("{command}\r\n").as_bytes())
            .await
            .ok()?;
        let mut reply = Vec::new();
        let mut buffer = [0u8; 65536];
        let deadline = Instant::now() + Duration::from_secs(2);
        loop {
            let n = tokio::time::timeout(Duration::from_millis(200), stream.read(&mut buffer))
                .await
                .ok()
                .and_then(Result::ok)
                .unwrap_or(0);
            reply.extend_from_slice(&buffer[..n]);
            if complete(&reply) || Instant::now() > deadline || n == 0 && !reply.is_empty() {
                break;
            }
        }
        String::from_utf8(reply).ok()
    }

    /// `cmdstat_<name>` calls so far, from INFO commandstats.
    pub async fn calls(&self) -> std::collections::HashMap<String, u64> {
        let info = self.command("INFO commandstats").await.unwrap_or_default();
        info.lines()
            .filter_map(|line| {
                let (name, rest) = line.strip_prefix("cmdstat_")?.split_once(':')?;
                let calls = rest
                    .strip_prefix("calls=")?
                    .split(',')
                    .next()?
                    .parse()
                    .ok()?;
                Some((name.to_owned(), calls))
            })
            .collect()
    }
}

/// Whether a RESP reply is whole: a simple line, or a bulk string with all its bytes.
fn complete(reply: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(reply) else {
        return false;
    };
    match text.strip_prefix('$') {
        Some(rest) => rest
            .split_once("\r\n")
            .and_then(|(len, body)| Some(body.len() >= len.parse::<usize>().ok()? + 2))
            .unwrap_or(false),
        None => text.ends_with("\r\n"),
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        self.kill();
    }
}

/// A server process.
pub struct Instance {
    pub addr: SocketAddr,
    child: Option<Child>,
    dist: PathBuf,
}

impl Instance {
    /// Starts the server binary with `--redis url` and test-friendly settings, plus `args`.
    pub fn start(redis: &str, args: &[&str]) -> Instance {
        let mut all = vec!["--redis", redis, "--redis-heartbeat", "500ms"];
        all.extend_from_slice(args);
        Instance::start_with(&all)
    }

    /// Starts the server binary with test-friendly settings and `args` (no Redis unless they say so).
    pub fn start_with(args: &[&str]) -> Instance {
        let dist = super::common::make_dist();
        let mut child = Command::new(env!("CARGO_BIN_EXE_server"))
            .args(["--listen", "127.0.0.1:0", "--dist"])
            .arg(&dist)
            .args(["--heartbeat-interval", "1s", "--idle-timeout", "10s"])
            .args(args)
            .env(
                "RUST_LOG",
                std::env::var("SERVER_LOG").unwrap_or("warn".into()),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("its stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("its first line");
        let addr = line
            .trim()
            .strip_prefix("listening on http://")
            .and_then(|a| a.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {line:?}"));
        Instance {
            addr,
            child: Some(child),
            dist,
        }
    }

    /// SIGTERM: a graceful stop (every WebSocket closed with 1001 Going Away); waits for the exit.
    pub fn terminate(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = child.wait();
        }
    }

    /// SIGKILL: a crash, no goodbye to anyone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    pub async fn client(&self) -> super::common::Client {
        super::common::connect_to(self.addr).await
    }

    /// The status of `GET /readyz`.
    pub async fn readyz(&self) -> u16 {
        super::common::http_get(self.addr, "/readyz", &[]).await.0
    }

    /// Waits until `/readyz` answers `status`; returns how long it took.
    pub async fn wait_ready(&self, status: u16, within: Duration) -> Duration {
        let started = Instant::now();
        while self.readyz().await != status {
            assert!(
                started.elapsed() < within,
                "/readyz of {} did not turn {status} within {within:?}",
                self.addr
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        started.elapsed()
    }

    pub async fn metrics(&self) -> String {
        let (_, _, body) = super::common::http_get(self.addr, "/metrics", &[]).await;
        String::from_utf8_lossy(&body).into_owned()
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dist);
    }
}
