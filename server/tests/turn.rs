//! TURN with short-lived credentials: every welcome carries credentials made for that person, and the relay-only
//! policy when it is set.

mod common;

use common::{id_of, secret, start, Client};
use protocol::{ClientMessage, IceServer, IceTransportPolicy, ServerMessage, VERSION};
use server::turn::{credential, TurnSecret};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

const SECRET: &str = "a-secret-shared-with-coturn";

/// Joins `room` with secret `who` and returns the welcome's ICE servers and policy.
async fn welcome(
    client: &mut Client,
    room: &str,
    who: char,
) -> (Vec<IceServer>, IceTransportPolicy) {
    client
        .send(&ClientMessage::Join {
            version: VERSION,
            room: room.into(),
            secret: secret(who),
        })
        .await;
    match client.recv().await {
        message @ ServerMessage::Welcome { .. } => {
            assert!(
                !message.encode().contains(SECRET),
                "the TURN secret left the server"
            );
            match message {
                ServerMessage::Welcome {
                    ice_servers,
                    ice_transport_policy,
                    ..
                } => (ice_servers, ice_transport_policy),
                _ => unreachable!(),
            }
        }
        other => panic!("expected welcome, got {other:?}"),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

#[tokio::test]
async fn each_welcome_carries_credentials_made_for_that_person() {
    let server = start(&[
        "--ice-server",
        "stun:stun.example:3478",
        "--turn-url",
        "turn:turn.example:3478?transport=udp",
        "--turn-url",
        "turns:turn.example:5349?transport=tcp",
        "--turn-secret",
        SECRET,
        "--turn-ttl",
        "10m",
        "--ice-transport-policy",
        "relay",
    ])
    .await;
    let mut a = Client::connect(&server).await;
    let mut b = Client::connect(&server).await;
    let (servers_a, policy) = welcome(&mut a, "turn-room", 'a').await;
    let (servers_b, _) = welcome(&mut b, "turn-room", 'b').await;
    assert_eq!(policy, IceTransportPolicy::Relay);
    assert_eq!(servers_a.len(), 2, "{servers_a:?}");
    assert_eq!(
        servers_a[0].urls,
        vec!["stun:stun.example:3478".to_string()]
    );
    let turn_a = &servers_a[1];
    let turn_b = &servers_b[1];
    assert_eq!(
        turn_a.urls,
        vec![
            "turn:turn.example:3478?transport=udp".to_string(),
            "turns:turn.example:5349?transport=tcp".to_string()
        ]
    );
    for (turn, who) in [(turn_a, 'a'), (turn_b, 'b')] {
        let username = turn.username.as_deref().unwrap();
        let (expiry, peer) = username.split_once(':').unwrap();
        assert_eq!(peer, id_of(&secret(who)).0, "{username}");
        let expiry: u64 = expiry.parse().unwrap();
        let ttl = expiry as i64 - now() as i64;
        assert!((595..=601).contains(&ttl), "expires in {ttl} s, not 10 min");
        assert_eq!(
            turn.credential.as_deref(),
            Some(credential(&TurnSecret::new(SECRET), username).as_str())
        );
    }
    assert_ne!(turn_a.credential, turn_b.credential);

    // A rejoin (a new connection, the same person) gets fresh credentials.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut again = Client::connect(&server).await;
    let (servers, _) = welcome(&mut again, "turn-room", 'a').await;
    let fresh = &servers[1];
    assert_ne!(fresh.username, turn_a.username);
    assert!(fresh
        .username
        .as_deref()
        .unwrap()
        .ends_with(&id_of(&secret('a')).0));
    assert_eq!(
        fresh.credential.as_deref(),
        Some(credential(&TurnSecret::new(SECRET), fresh.username.as_deref().unwrap()).as_str())
    );
}

#[tokio::test]
async fn without_turn_flags_the_welcome_is_as_before() {
    let server = start(&[]).await;
    let mut a = Client::connect(&server).await;
    let (servers, policy) = welcome(&mut a, "plain-room", 'a').await;
    assert!(servers.is_empty());
    assert_eq!(policy, IceTransportPolicy::All);
}
