//! Short-lived TURN credentials (the "TURN REST API" scheme that coturn's `use-auth-secret` checks).
//!
//! The server and the TURN server share a secret. For each person who joins, the server makes a username
//! `<expiry unix time>:<peer id>` and a credential `base64(HMAC-SHA1(secret, username))`; the TURN server
//! recomputes the credential from the username and refuses it once the expiry has passed. So a credential copied
//! out of a page is useless after `--turn-ttl`, and the secret itself never leaves the server.

use base64::Engine;
use hmac::{Hmac, Mac};
use protocol::{IceServer, PeerId};
use sha1::Sha1;
use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The secret shared with the TURN server. Its `Debug` does not show it, so no log line can leak it.
#[derive(Clone, PartialEq, Eq)]
pub struct TurnSecret(String);

impl TurnSecret {
    pub fn new(secret: impl Into<String>) -> TurnSecret {
        TurnSecret(secret.into())
    }
}

impl fmt::Debug for TurnSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TurnSecret(hidden)")
    }
}

/// The TURN servers that take short-lived credentials, and how to make them.
#[derive(Debug, Clone)]
pub struct TurnRest {
    pub urls: Vec<String>,
    pub secret: TurnSecret,
    pub ttl: Duration,
}

impl TurnRest {
    /// One ICE server entry with every TURN URL and credentials for `peer`, valid `ttl` from `now`.
    pub fn ice_server_for(&self, peer: &PeerId, now: SystemTime) -> IceServer {
        let expiry = now
            .checked_add(self.ttl)
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        let username = format!("{expiry}:{peer}");
        IceServer {
            urls: self.urls.clone(),
            credential: Some(credential(&self.secret, &username)),
            username: Some(username),
        }
    }
}

/// `base64(HMAC-SHA1(secret, username))`, what coturn expects as the password for `username`.
pub fn credential(secret: &TurnSecret, username: &str) -> String {
    // HMAC takes a key of any length, so new_from_slice cannot fail.
    let mut mac = match Hmac::<Sha1>::new_from_slice(secret.0.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => unreachable!("HMAC accepts keys of every length"),
    };
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_credential_is_base64_of_hmac_sha1() {
        // From `printf %s 1700000000:abc | openssl dgst -sha1 -hmac s3cret -binary | base64`.
        assert_eq!(
            credential(&TurnSecret::new("s3cret"), "1700000000:abc"),
            "7fjbb9kXxh7Rto8MZNnWJnSP8uE="
        );
    }

    #[test]
    fn each_person_gets_a_username_with_their_id_and_the_expiry() {
        let turn = TurnRest {
            urls: vec!["turn:127.0.0.1:3478?transport=udp".into()],
            secret: TurnSecret::new("s3cret"),
            ttl: Duration::from_secs(3600),
        };
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let server = turn.ice_server_for(&PeerId("abc".into()), now);
        assert_eq!(server.urls, turn.urls);
        assert_eq!(server.username.as_deref(), Some("1700003600:abc"));
        assert_eq!(
            server.credential,
            Some(credential(&turn.secret, "1700003600:abc"))
        );
        let later = turn.ice_server_for(&PeerId("abc".into()), now + Duration::from_secs(60));
        assert_eq!(later.username.as_deref(), Some("1700003660:abc"));
        assert_ne!(later.credential, server.credential);
        assert!(!format!("{turn:?}").contains("s3cret"));
    }
}
