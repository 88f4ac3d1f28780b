//! The two tasks of an instance in a cluster: reading its bus, and the beat (say it is alive, keep the bus subscribed,
//! sweep its rooms for members of dead instances, and write again whom it holds after Redis was away).

use super::bus::{apply, Event};
use super::scripts::{bus_channel, instance_key, room_key};
use super::Cluster;
use fred::prelude::{ClientLike, EventInterface, KeysInterface, PubsubInterface, Value};
use fred::types::Expiration;
use protocol::PeerId;
use std::sync::Arc;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tracing::{info, warn};

/// Hands every bus message to this instance's members, in the order Redis published them.
pub(super) async fn read_bus(cluster: Arc<Cluster>) {
    let mut messages = cluster.subscriber.message_rx();
    loop {
        match messages.recv().await {
            Ok(message) => {
                let Some(text) = message.value.as_string() else {
                    continue;
                };
                match Event::parse(&text) {
                    Some(event) => {
                        if let Some(seconds) = apply(&cluster.local, event) {
                            cluster.metrics.relayed_through_redis(seconds);
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
                cluster.metrics.dropped_many("bus-lagged", missed);
            }
            Err(RecvError::Closed) => return,
        }
    }
}

/// Every beat: the heartbeat, the subscription, the sweep; after an outage, the resync first.
pub(super) async fn keep_up(cluster: Arc<Cluster>) {
    let mut tick = tokio::time::interval(cluster.beat);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let channel = bus_channel(&cluster.me);
    let mut synced = true;
    let mut reconnects = cluster.client.reconnect_rx();
    loop {
        tick.tick().await;
        // A new connection may be to a Redis that restarted empty: write everything again.
        while !matches!(
            reconnects.try_recv(),
            Err(TryRecvError::Empty | TryRecvError::Closed)
        ) {
            synced = false;
        }
        let was_up = cluster.is_up();
        match beat(&cluster, &channel).await {
            Ok(alive) => {
                if !alive {
                    synced = false;
                }
                // After an outage the data may be gone (a restarted Redis) or stale (a split): write it again.
                if !synced && !resync(&cluster).await {
                    continue;
                }
                synced = true;
                if !was_up {
                    info!(instance = %cluster.me, "Redis is reachable: joins are accepted again");
                }
                cluster.set_up(true);
                sweep(&cluster).await;
            }
            Err(error) => {
                synced = false;
                cluster.failed("heartbeat", &error);
            }
        }
    }
}

/// Says this instance is alive (for 4 beats), and subscribes to its bus if it is not. Returns whether the key
/// was still there: if not, the others may have counted this instance dead (a stall longer than 4 beats, a
/// split, an empty Redis) and removed its members, who must be written again.
async fn beat(cluster: &Cluster, channel: &str) -> Result<bool, fred::prelude::Error> {
    if !cluster.client.is_connected() {
        return Err(fred::prelude::Error::new(
            fred::error::ErrorKind::IO,
            "not connected",
        ));
    }
    let ttl = (cluster.beat * 4).as_millis() as i64;
    cluster.metrics.redis_calls(1);
    let before: Option<String> = cluster
        .client
        .set(
            instance_key(&cluster.me),
            "1",
            Some(Expiration::PX(ttl)),
            None,
            true,
        )
        .await?;
    let subscribed = cluster.subscriber.is_connected()
        && cluster
            .subscriber
            .tracked_channels()
            .iter()
            .any(|c| &**c == channel);
    if !subscribed {
        cluster.metrics.redis_calls(1);
        cluster.subscriber.subscribe(channel).await?;
    }
    Ok(before.is_some())
}

/// Keeps this instance's rooms alive in Redis and removes members of dead instances from them.
async fn sweep(cluster: &Arc<Cluster>) {
    for (room, _) in cluster.local.held() {
        let args = vec![
            Value::from(&*room),
            Value::from(&*cluster.me),
            Value::from(cluster.room_ttl_ms()),
        ];
        match cluster
            .eval(&cluster.scripts.sweep, room_key(&room), args)
            .await
        {
            Ok(reply) => {
                let gone = super::strings(reply);
                if !gone.is_empty() {
                    info!(room = %room, gone = ?gone, "members of a dead instance removed");
                }
                cluster.tell_reaped(&room, gone.iter().map(String::as_str));
            }
            Err(error) => {
                cluster.failed("sweep", &error);
                return;
            }
        }
    }
}

/// Writes again whom this instance holds, room by room, and removes what it no longer holds. Those whom
/// another instance took meanwhile are closed here with REPLACED. Returns whether it got through.
async fn resync(cluster: &Arc<Cluster>) -> bool {
    let unsynced: Vec<Box<str>> = {
        let mut set = cluster
            .unsynced
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        set.drain().collect()
    };
    let mut rooms = cluster.local.held();
    for room in unsynced {
        if !rooms.iter().any(|(name, _)| *name == room) {
            rooms.push((room, Vec::new()));
        }
    }
    let count = rooms.len();
    for (index, (room, members)) in rooms.iter().enumerate() {
        let mut args = vec![
            Value::from(&**room),
            Value::from(&*cluster.me),
            Value::from(cluster.room_ttl_ms()),
        ];
        for (id, conn) in members {
            args.push(Value::from(id.0.as_str()));
            args.push(Value::from(cluster.owner(*conn)));
        }
        match cluster
            .eval(&cluster.scripts.sync, room_key(room), args)
            .await
        {
            Ok(reply) => {
                for taken in super::strings(reply) {
                    let id = PeerId(taken);
                    for (_, conn) in members.iter().filter(|(m, _)| *m == id) {
                        cluster.local.drop_replaced(room, &id, *conn);
                    }
                }
            }
            Err(error) => {
                cluster.failed("resync", &error);
                for (room, _) in rooms.into_iter().skip(index) {
                    cluster.remember_unsynced(room);
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
