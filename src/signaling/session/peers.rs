//! The other people in the room: a [`RemotePeer`] and a [`Tile`] for each, the peer's events written into its
//! tile, and dropping both when they leave.

use leptos::prelude::*;
use protocol::{ClientMessage, LeaveReason, PeerId};

use super::{with, Connection, Inner, Tile};
use crate::{
    signaling::peer::{PeerEvent, PeerStatus, RemotePeer},
    webrtc::now_ms,
};

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
            PeerEvent::Signal(signal) => with(&this, |inner| {
                inner.send(&ClientMessage::Signal {
                    to: from.clone(),
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
