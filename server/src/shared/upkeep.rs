//! The two tasks of a shared instance: reading its bus, and the beat (say it is alive, keep the bus subscribed,
//! sweep its rooms for members of dead instances, and write again whom it holds after Redis was away).

use super::bus::{apply, Event};
use super::scripts::{bus_channel, instance_key, room_key};
use super::Shared;
use fred::prelude::{ClientLike, EventInterface, KeysInterface, PubsubInterface, Value};
use fred::types::Expiration;
use protocol::PeerId;
use std::sync::Arc;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tracing::{info, warn};

/// Hands every bus message to this instance's members, in the order Redis published them.
pub(super) async fn read_bus(shared: Arc<Shared>) {
    let mut messages = shared.subscriber.message_rx();
    loop {
        match messages.recv().await {
            Ok(message) => {
                let Some(text) = message.value.as_string() else {
                    continue;
                };
                match Event::parse(&text) {
                    Some(event) => {
                        if let Some(seconds) = apply(&shared.rooms, event) {
                            shared.metrics.relay_seconds.observe(seconds);
                            shared.metrics.relayed_redis.inc();
                        }
                    }
                    None => warn!(message = %text, "an unknown message on the bus: ignored"),
                }
            }
            Err(RecvError::Lagged(missed)) => {
                warn!(
                    missed,
                    "the bus reader fell behind: messages for this instance's members were lost"
                );
                shared
                    .metrics
                    .dropped
                    .with_label_values(&["bus-lagged"])
                    .inc_by(missed);
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Every beat: the heartbeat, the subscription, the sweep; after an outage, the resync first.
pub(super) async fn keep_up(shared: Arc<Shared>) {
    let mut tick = tokio::time::interval(shared.beat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let channel = bus_channel(&shared.me);
    let mut synced = true;
    let mut reconnects = shared.client.reconnect_rx();
    loop {
        tick.tick().await;
        // A new connection may be to a Redis that restarted empty: write everything again.
        while !matches!(
            reconnects.try_recv(),
            Err(TryRecvError::Empty | TryRecvError::Closed)
        ) {
            synced = false;
        }
        let was_up = shared.is_up();
        match beat(&shared, &channel).await {
            Ok(alive) => {
                if !alive {
                    synced = false;
                }
                // After an outage the data may be gone (a restarted Redis) or stale (a split): write it again.
                if !synced && !resync(&shared).await {
                    continue;
                }
                synced = true;
                if !was_up {
                    info!(instance = %shared.me, "Redis is reachable: joins are accepted again");
                }
                shared.set_up(true);
                sweep(&shared).await;
            }
            Err(error) => {
                synced = false;
                shared.failed("heartbeat", &error);
            }
        }
    }
}

/// Says this instance is alive (for 4 beats), and subscribes to its bus if it is not. Returns whether the key
/// was still there: if not, the others may have counted this instance dead (a stall longer than 4 beats, a
/// split, an empty Redis) and removed its members, who must be written again.
async fn beat(shared: &Shared, channel: &str) -> Result<bool, fred::prelude::Error> {
    if !shared.client.is_connected() {
        return Err(fred::prelude::Error::new(
            fred::error::ErrorKind::IO,
            "not connected",
        ));
    }
    let ttl = (shared.beat * 4).as_millis() as i64;
    shared.metrics.redis_calls.inc();
    let before: Option<String> = shared
        .client
        .set(
            instance_key(&shared.me),
            "1",
            Some(Expiration::PX(ttl)),
            None,
            true,
        )
        .await?;
    let subscribed = shared.subscriber.is_connected()
        && shared
            .subscriber
            .tracked_channels()
            .iter()
            .any(|c| &**c == channel);
    if !subscribed {
        shared.metrics.redis_calls.inc();
        shared.subscriber.subscribe(channel).await?;
    }
    Ok(before.is_some())
}

/// Keeps this instance's rooms alive in Redis and removes members of dead instances from them.
async fn sweep(shared: &Arc<Shared>) {
    for (room, _) in shared.rooms.held() {
        let args = vec![
            Value::from(&*room),
            Value::from(&*shared.me),
            Value::from(shared.room_ttl_ms()),
        ];
        match shared
            .eval(&shared.scripts.sweep, room_key(&room), args)
            .await
        {
            Ok(reply) => {
                let gone = super::strings(reply);
                if !gone.is_empty() {
                    info!(room = %room, gone = ?gone, "members of a dead instance removed");
                }
                shared.tell_reaped(&room, gone.iter().map(String::as_str));
            }
            Err(error) => {
                shared.failed("sweep", &error);
                return;
            }
        }
    }
}

/// Writes again whom this instance holds, room by room, and removes what it no longer holds. Those whom
/// another instance took meanwhile are closed here with REPLACED. Returns whether it got through.
async fn resync(shared: &Arc<Shared>) -> bool {
    let unsynced: Vec<Box<str>> = {
        let mut set = shared
            .unsynced
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        set.drain().collect()
    };
    let mut rooms = shared.rooms.held();
    for room in unsynced {
        if !rooms.iter().any(|(name, _)| *name == room) {
            rooms.push((room, Vec::new()));
        }
    }
    let count = rooms.len();
    for (index, (room, members)) in rooms.iter().enumerate() {
        let mut args = vec![
            Value::from(&**room),
            Value::from(&*shared.me),
            Value::from(shared.room_ttl_ms()),
        ];
        for (id, conn) in members {
            args.push(Value::from(id.0.as_str()));
            args.push(Value::from(shared.owner(*conn)));
        }
        match shared
            .eval(&shared.scripts.sync, room_key(room), args)
            .await
        {
            Ok(reply) => {
                for taken in super::strings(reply) {
                    let id = PeerId(taken);
                    for (_, conn) in members.iter().filter(|(m, _)| *m == id) {
                        shared.rooms.drop_replaced(room, &id, *conn);
                    }
                }
            }
            Err(error) => {
                shared.failed("resync", &error);
                for (room, _) in rooms.into_iter().skip(index) {
                    shared.remember_unsynced(room);
                }
                return false;
            }
        }
    }
    info!(
        rooms = count,
        "wrote this instance's members to Redis again"
    );
    true
}
