//! Command-line flags (and a few environment variables) of the server.
//!
//! Long because each flag's doc comment is its `--help` text; its tests are a third of the file.

use crate::turn::{TurnRest, TurnSecret};
use clap::Parser;
use protocol::{IceServer, IceTransportPolicy};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Signaling server for the WebRTC app: serves the built app and relays signaling messages between the peers
/// of a room over a WebSocket at /ws.
#[derive(Parser, Debug, Clone)]
#[command(name = "server", version, about, long_about = None, args_override_self = true)]
pub struct Config {
    /// Address to listen on. Port 0 picks a free port; the first line on stdout says which.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Directory of the built app. Paths that are not files get its index.html (single-page app).
    #[arg(long, default_value = "dist")]
    pub dist: PathBuf,

    /// A STUN/TURN server URL handed to clients (repeatable). Default: none.
    #[arg(long = "ice-server", env = "ICE_SERVERS", value_delimiter = ',')]
    pub ice_servers: Vec<String>,

    /// Username for all ICE servers (TURN).
    #[arg(long, env = "ICE_USERNAME")]
    pub ice_username: Option<String>,

    /// Credential for all ICE servers (TURN).
    #[arg(long, env = "ICE_CREDENTIAL", hide_env_values = true)]
    pub ice_credential: Option<String>,

    /// A TURN server URL that takes short-lived credentials made with --turn-secret (repeatable), e.g.
    /// `turn:turn.example.org:3478?transport=udp`. Each person gets their own, valid for --turn-ttl.
    #[arg(
        long = "turn-url",
        env = "TURN_URLS",
        value_delimiter = ',',
        requires = "turn_secret"
    )]
    pub turn_urls: Vec<String>,

    /// The secret shared with the TURN server (coturn: `use-auth-secret`, `static-auth-secret`). It never
    /// leaves this server.
    #[arg(long, env = "TURN_SECRET", hide_env_values = true, value_parser = parse_secret, requires = "turn_urls")]
    pub turn_secret: Option<TurnSecret>,

    /// How long TURN credentials stay valid after a join (a duration: `1h`, `20m`). A rejoin gets new ones.
    #[arg(long, env = "TURN_TTL", default_value = "1h", value_parser = parse_duration)]
    pub turn_ttl: Duration,

    /// `relay` makes every page use only relayed (TURN) candidates: every connection goes through the TURN
    /// server and no peer learns another's address. `all` (the default) also tries direct connections.
    #[arg(long, env = "ICE_TRANSPORT_POLICY", default_value = "all", value_parser = parse_policy)]
    pub ice_transport_policy: IceTransportPolicy,

    /// Serve HTTPS and WSS with this certificate chain (PEM), for example the `fullchain.pem` an ACME client
    /// writes. Needs --tls-key.
    #[arg(
        long,
        env = "TLS_CERT",
        requires = "tls_key",
        conflicts_with = "tls_self_signed"
    )]
    pub tls_cert: Option<PathBuf>,

    /// The private key (PEM) of --tls-cert, for example `privkey.pem`.
    #[arg(long, env = "TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,

    /// Serve HTTPS and WSS with a self-signed certificate for localhost, the listen address and this machine's
    /// addresses. It is made once and kept in `self-signed.pem` in the working directory (delete it for a new
    /// one); its SHA-256 fingerprint is printed on stdout.
    #[arg(long, env = "TLS_SELF_SIGNED")]
    pub tls_self_signed: bool,

    /// Most people in one room.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub room_size: u32,

    /// Most rooms at once; a join that would open one more gets `server-full`.
    #[arg(long, default_value_t = 10_000)]
    pub max_rooms: usize,

    /// Most WebSocket connections at once; one more is accepted, told `server-full` and closed.
    #[arg(long, default_value_t = 10_000)]
    pub max_connections: usize,

    /// Largest WebSocket frame or message a client may send, in bytes; a larger one closes the connection
    /// with code 1009.
    #[arg(long, default_value_t = 65_536, value_parser = clap::value_parser!(u32).range(128..))]
    pub max_frame_bytes: u32,

    /// Bad messages (not JSON, unknown type, binary) a connection may send before it is closed.
    #[arg(long, default_value_t = 10)]
    pub max_bad_messages: u32,

    /// Messages per second a connection may send on average (token bucket refill rate).
    #[arg(long, default_value_t = 50.0)]
    pub rate_limit: f64,

    /// Messages a connection may send in a burst (token bucket size).
    #[arg(long, default_value_t = 200)]
    pub rate_burst: u32,

    /// Messages dropped for the rate limit before the connection is closed.
    #[arg(long, default_value_t = 100)]
    pub max_rate_drops: u32,

    /// Outgoing messages queued per connection; a client that lets its queue fill up is disconnected.
    #[arg(long, default_value_t = 256, value_parser = clap::value_parser!(u32).range(1..))]
    pub send_queue: u32,

    /// Outgoing bytes queued per connection (a single message may exceed it); past it, as for --send-queue.
    #[arg(long, default_value_t = 1 << 20)]
    pub send_queue_bytes: u32,

    /// How often the server sends a WebSocket ping (a duration: `10s`, `200ms`, `1m`).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub heartbeat_interval: Duration,

    /// A connection that sends nothing (no message, no pong) for this long is closed, and its room is told
    /// `peer-left timed-out` (a duration: `30s`, `400ms`).
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub idle_timeout: Duration,

    /// An Origin allowed to open the WebSocket besides the page's own (repeatable), e.g.
    /// `https://example.com`, or `*` for any. Default: same origin only (Origin's host:port equals Host).
    /// Requests without an Origin header (not a browser) are allowed.
    #[arg(long = "allow-origin")]
    pub allow_origins: Vec<String>,

    // --- Several servers ---
    /// Share rooms with other instances through this Redis, e.g. `redis://127.0.0.1:6379`. Default: none,
    /// every room in this process's memory.
    #[arg(long, env = "REDIS_URL")]
    pub redis: Option<String>,

    /// With --redis: how often this instance says it is alive and checks its rooms for members of dead
    /// instances. An instance silent for 4 beats is dead, and its people are reported `peer-left`.
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub redis_heartbeat: Duration,

    /// Most WebSocket connections from one client address (0: no limit).
    #[arg(long, default_value_t = 64)]
    pub max_connections_per_ip: usize,

    /// A proxy (HAProxy) whose `X-Forwarded-For` names the client (repeatable). From any other address the
    /// header is ignored.
    #[arg(long = "trusted-proxy")]
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Config {
    /// The ICE servers for `welcome`: one entry per URL, each with the shared username and credential.
    pub fn ice_servers(&self) -> Vec<IceServer> {
        self.ice_servers
            .iter()
            .map(|url| url.trim())
            .filter(|url| !url.is_empty())
            .map(|url| IceServer {
                urls: vec![url.to_owned()],
                username: self.ice_username.clone(),
                credential: self.ice_credential.clone(),
            })
            .collect()
    }

    /// The TURN servers with short-lived credentials, if --turn-url and --turn-secret are set.
    pub fn turn_rest(&self) -> Option<TurnRest> {
        let urls: Vec<String> = self
            .turn_urls
            .iter()
            .map(|url| url.trim().to_owned())
            .filter(|url| !url.is_empty())
            .collect();
        let secret = self.turn_secret.clone()?;
        (!urls.is_empty()).then_some(TurnRest {
            urls,
            secret,
            ttl: self.turn_ttl,
        })
    }
}

fn parse_secret(text: &str) -> Result<TurnSecret, String> {
    if text.is_empty() {
        return Err("must not be empty".into());
    }
    Ok(TurnSecret::new(text))
}

fn parse_policy(text: &str) -> Result<IceTransportPolicy, String> {
    match text {
        "all" => Ok(IceTransportPolicy::All),
        "relay" => Ok(IceTransportPolicy::Relay),
        _ => Err("must be `all` or `relay`".into()),
    }
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let duration = humantime::parse_duration(text).map_err(|e| e.to_string())?;
    if duration < Duration::from_millis(10) {
        return Err("must be at least 10ms".into());
    }
    Ok(duration)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let config = Config::try_parse_from(["server"]).unwrap();
        assert_eq!(config.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(config.dist, PathBuf::from("dist"));
        assert_eq!(config.room_size, 4);
        assert_eq!(config.heartbeat_interval, Duration::from_secs(10));
        assert_eq!(config.idle_timeout, Duration::from_secs(30));
        assert!(config.allow_origins.is_empty());
    }

    #[test]
    fn ice_servers_share_the_credentials() {
        let config = Config::try_parse_from([
            "server",
            "--ice-server",
            "stun:a:3478",
            "--ice-server",
            "turn:b:3478,turns:c:5349",
            "--ice-username",
            "u",
            "--ice-credential",
            "p",
            "--heartbeat-interval",
            "150ms",
        ])
        .unwrap();
        let servers = config.ice_servers();
        assert_eq!(servers.len(), 3);
        assert_eq!(servers[2].urls, vec!["turns:c:5349".to_string()]);
        assert_eq!(servers[1].username.as_deref(), Some("u"));
        assert_eq!(servers[0].credential.as_deref(), Some("p"));
        assert_eq!(config.heartbeat_interval, Duration::from_millis(150));
    }

    #[test]
    fn several_servers_flags() {
        let config = Config::try_parse_from(["server"]).unwrap();
        assert_eq!(config.redis, None);
        assert_eq!(config.redis_heartbeat, Duration::from_secs(2));
        assert_eq!(config.max_connections_per_ip, 64);
        let config = Config::try_parse_from([
            "server",
            "--redis",
            "redis://127.0.0.1:6379",
            "--trusted-proxy",
            "10.0.0.2",
            "--trusted-proxy",
            "::1",
        ])
        .unwrap();
        assert_eq!(config.redis.as_deref(), Some("redis://127.0.0.1:6379"));
        assert_eq!(config.trusted_proxies.len(), 2);
        assert!(Config::try_parse_from(["server", "--trusted-proxy", "proxy.example"]).is_err());
    }

    #[test]
    fn turn_rest_needs_both_url_and_secret() {
        let config = Config::try_parse_from([
            "server",
            "--turn-url",
            "turn:t:3478?transport=udp",
            "--turn-url",
            "turn:t:3478?transport=tcp",
            "--turn-secret",
            "s",
            "--turn-ttl",
            "10m",
            "--ice-transport-policy",
            "relay",
        ])
        .unwrap();
        let turn = config.turn_rest().unwrap();
        assert_eq!(turn.urls.len(), 2);
        assert_eq!(turn.ttl, Duration::from_secs(600));
        assert_eq!(config.ice_transport_policy, IceTransportPolicy::Relay);
        assert!(!format!("{config:?}").contains("\"s\""));
        let defaults = Config::try_parse_from(["server"]).unwrap();
        assert!(defaults.turn_rest().is_none());
        assert_eq!(defaults.turn_ttl, Duration::from_secs(3600));
        assert_eq!(defaults.ice_transport_policy, IceTransportPolicy::All);
        assert!(Config::try_parse_from(["server", "--turn-url", "turn:t"]).is_err());
        assert!(Config::try_parse_from(["server", "--turn-secret", "s"]).is_err());
        assert!(Config::try_parse_from(["server", "--ice-transport-policy", "none"]).is_err());
    }

    #[test]
    fn tls_needs_a_cert_and_its_key_or_self_signed() {
        let files = Config::try_parse_from(["server", "--tls-cert", "c.pem", "--tls-key", "k.pem"])
            .unwrap();
        assert_eq!(files.tls_cert, Some(PathBuf::from("c.pem")));
        assert!(
            Config::try_parse_from(["server", "--tls-self-signed"])
                .unwrap()
                .tls_self_signed
        );
        assert!(Config::try_parse_from(["server", "--tls-cert", "c.pem"]).is_err());
        assert!(Config::try_parse_from(["server", "--tls-key", "k.pem"]).is_err());
        assert!(Config::try_parse_from([
            "server",
            "--tls-self-signed",
            "--tls-cert",
            "c.pem",
            "--tls-key",
            "k.pem"
        ])
        .is_err());
    }

    #[test]
    fn nonsense_is_refused() {
        assert!(Config::try_parse_from(["server", "--idle-timeout", "soon"]).is_err());
        assert!(Config::try_parse_from(["server", "--room-size", "0"]).is_err());
    }
}
