//! The other people in the room: a [`RemotePeer`] and a [`Tile`] for each, the peer's events written into its
//! tile, and dropping both when they leave.

use leptos::prelude::*;
use protocol::{CallRef, ClientMessage, LeaveReason, PeerId, Signal};

use super::{with, Connection, Inner, Tile};
use crate::{
    signaling::peer::{PeerEvent, PeerStatus, Received, RemotePeer},
    webrtc::{now_ms, Timeout},
};

/// How long after a rejoin we wait for someone we still hold, but whom the server did not list, to come back.
pub const ABSENT_GRACE_MS: u32 = 15_000;

impl Inner {
    /// Connects to `id` and gives them a tile; `dial`: we make the offer.
    pub(super) fn add_peer(&mut self, id: PeerId, dial: bool) {
        let Some(me) = self.me.clone() else {
            return;
        };
        let this = self.this.clone();
        let from = id.clone();
        let tiles = self.view.tiles;
        tiles.try_update(|tiles| {
            tiles.insert(
                id.clone(),
                Tile {
                    stream: None,
                    status: PeerStatus::Connecting,
                    since: now_ms(),
                    dialed: dial,
                    connection: None,
                    channel: None,
                },
            );
        });
        let log = self.view.log;
        let name = id.short().to_owned();
        let report = move |event: PeerEvent| match event {
            // **Signal**: ours, to them through the server.
            PeerEvent::Signal(call, signal) => with(&this, |inner| {
                inner.send(ClientMessage::Signal {
                    to: from.clone(),
                    call: Some(call),
                    signal,
                })
            }),
            PeerEvent::Stream(stream) => {
                tiles.try_update(|tiles| {
                    if let Some(tile) = tiles.get_mut(&from) {
                        tile.stream = Some(stream);
                    }
                });
            }
            PeerEvent::Status(status) => {
                if let PeerStatus::Failed(reason) = &status {
                    let mut gone = false;
                    with(&this, |inner| gone = inner.drop_if_gone(&from));
                    if gone {
                        return;
                    }
                    log.problem(format!("Could not connect: {reason}"));
                }
                tiles.try_update(|tiles| {
                    if let Some(tile) = tiles.get_mut(&from) {
                        tile.status = status;
                    }
                });
            }
            PeerEvent::Channel(channel) => {
                tiles.try_update(|tiles| {
                    if let Some(tile) = tiles.get_mut(&from) {
                        tile.channel = Some(channel);
                    }
                });
            }
            PeerEvent::Log(text) => log.info(format!("{name}: {text}")),
            PeerEvent::Problem(text) => log.problem(text),
        };
        match RemotePeer::connect(
            &me,
            id.clone(),
            dial,
            (&self.ice_servers, self.ice_transport_policy),
            self.media.clone(),
            report,
        ) {
            Ok(peer) => {
                tiles.try_update(|tiles| {
                    if let Some(tile) = tiles.get_mut(&id) {
                        tile.connection = Some(peer.connection());
                    }
                });
                self.log(if dial {
                    format!("Calling {}", id.short())
                } else {
                    format!("Waiting for {} to call", id.short())
                });
                self.peers.insert(id, peer);
            }
            Err(error) => {
                self.view.log.problem(format!(
                    "Could not make a connection for {}: {error}",
                    id.short()
                ));
                tiles.try_update(|tiles| tiles.remove(&id));
            }
        }
    }

    /// **Signal**: theirs, to their connection, in arrival order. A signal for a new call of theirs, or saying
    /// that they ended ours, replaces our connection with a new one (answering, or calling them again).
    pub(super) fn signal_from(&mut self, from: PeerId, call: Option<CallRef>, signal: Signal) {
        self.present.insert(from.clone(), ());
        if !self.peers.contains_key(&from) {
            // Their signal overtook the server's news of them (for example right after a restart).
            self.add_peer(from.clone(), false);
        }
        let Some(peer) = self.peers.get(&from) else {
            return;
        };
        if let Received::Replace { dial, signal } = peer.receive(call, signal) {
            self.log(if dial {
                format!(
                    "{} no longer has our call: calling them again",
                    from.short()
                )
            } else {
                format!("{} made a new call: answering it", from.short())
            });
            self.peers.remove(&from);
            self.add_peer(from.clone(), dial);
            if let (false, Some(peer)) = (dial, self.peers.get(&from)) {
                let _ = peer.receive(call, signal);
            }
        }
    }

    /// Back on the server after an outage: connections that are down restart ICE now. People we still hold
    /// but the server did not list may be on their way back (everyone reconnects after a server restart); those
    /// still missing after [`ABSENT_GRACE_MS`] are dropped.
    pub(super) fn resume_calls(&mut self) {
        let mut absent = 0;
        for (id, peer) in self.peers.iter() {
            if self.present.contains_key(id) {
                if peer.connection_state() == "connected" {
                    self.log(format!(
                        "Still connected to {}: no new call needed",
                        id.short()
                    ));
                } else {
                    self.log(format!(
                        "Our connection to {} is down: restarting ICE now",
                        id.short()
                    ));
                    peer.recover_now();
                }
            } else {
                absent += 1;
            }
        }
        if absent > 0 {
            let this = self.this.clone();
            self.absent_check = Timeout::new(ABSENT_GRACE_MS, move || {
                with(&this, Inner::drop_absent);
            })
            .ok();
        }
    }

    /// Drops everyone the server has not listed since our rejoin.
    fn drop_absent(&mut self) {
        self.absent_check = None;
        let gone: Vec<PeerId> = self
            .peers
            .iter()
            .map(|(id, _)| id.clone())
            .filter(|id| !self.present.contains_key(id))
            .collect();
        for id in gone {
            self.peers.remove(&id);
            self.view.tiles.try_update(|tiles| tiles.remove(&id));
            self.notice(format!("{} did not come back", id.short()));
        }
    }

    /// A connection that failed to someone the server no longer lists: they left while the server was away.
    /// Their tile goes, as if the server had said so. Returns whether they were dropped.
    fn drop_if_gone(&mut self, id: &PeerId) -> bool {
        if self.present.contains_key(id)
            || self.view.connection.try_get_untracked() != Some(Connection::Joined)
        {
            return false;
        }
        self.peers.remove(id);
        self.view.tiles.try_update(|tiles| tiles.remove(id));
        self.notice(format!("{} is gone (no longer in the room)", id.short()));
        true
    }

    pub(super) fn peer_left(&mut self, id: PeerId, reason: LeaveReason) {
        self.present.remove(&id);
        let why = match reason {
            LeaveReason::Left => "left",
            LeaveReason::Disconnected => "disconnected",
            LeaveReason::TimedOut => "stopped responding",
            LeaveReason::Removed => "was removed by the server",
        };
        if let Some(peer) = self.peers.remove(&id) {
            drop(peer);
            self.view.tiles.try_update(|tiles| tiles.remove(&id));
            self.notice(format!("{} {why}", id.short()));
        }
    }
}
