//! The other people in the room: a [`RemotePeer`] for each, added, replaced, resumed after a rejoin, and dropped
//! when they leave. Each peer's events go out as [`RoomEvent::Peer`].

use protocol::{CallRef, ClientMessage, LeaveReason, PeerId, Signal};

use super::{presence::ABSENT_GRACE_MS, with, Connection, PeerChange, Room, RoomEvent};
use crate::{
    signaling::peer::{PeerEvent, PeerStatus, Received, RemotePeer},
    webrtc::{now_ms, RtcPeerConnectionState, Timeout},
};

impl Room {
    /// Connects to `id`; `dial`: we make the offer.
    pub(super) fn add_peer(&mut self, id: PeerId, dial: bool) {
        let Some(me) = self.me.clone() else {
            return;
        };
        self.emit(RoomEvent::Peer(
            id.clone(),
            PeerChange::Added {
                since: now_ms(),
                dialed: dial,
            },
        ));
        let (this, report, from) = (self.this.clone(), self.report.clone(), id.clone());
        let name = id.short().to_owned();
        let on_event = move |event: PeerEvent| {
            let change = |change| report(RoomEvent::Peer(from.clone(), change));
            match event {
                // **Signal**: ours, to them through the server.
                PeerEvent::Signal(call, signal) => with(&this, |room| {
                    room.send(ClientMessage::Signal {
                        to: from.clone(),
                        call: Some(call),
                        signal,
                    })
                }),
                PeerEvent::Stream(stream) => change(PeerChange::Stream(stream)),
                PeerEvent::Status(status) => {
                    if let PeerStatus::Failed(reason) = &status {
                        let mut gone = false;
                        with(&this, |room| gone = room.drop_if_gone(&from));
                        if gone {
                            return;
                        }
                        report(RoomEvent::Problem(format!("Could not connect: {reason}")));
                    }
                    change(PeerChange::Status(status));
                }
                PeerEvent::Channel(channel) => change(PeerChange::Channel(channel)),
                PeerEvent::Log(text) => report(RoomEvent::Log(format!("{name}: {text}"))),
                PeerEvent::Problem(text) => report(RoomEvent::Problem(text)),
            }
        };
        let setup = &self.setup;
        match RemotePeer::connect(
            &me,
            id.clone(),
            dial,
            (&setup.ice_servers, setup.policy),
            setup.media.clone(),
            on_event,
        ) {
            Ok(peer) => {
                self.emit(RoomEvent::Peer(
                    id.clone(),
                    PeerChange::Connection(peer.connection()),
                ));
                self.log(if dial {
                    format!("Calling {}", id.short())
                } else {
                    format!("Waiting for {} to call", id.short())
                });
                self.peers.insert(id, peer);
            }
            Err(error) => {
                self.emit(RoomEvent::Problem(format!(
                    "Could not make a connection for {}: {error}",
                    id.short()
                )));
                self.emit(RoomEvent::Peer(id, PeerChange::Removed));
            }
        }
    }

    /// **Signal**: theirs, to their connection, in arrival order. A signal for a new call of theirs, or saying
    /// that they ended ours, replaces our connection with a new one (answering, or calling them again).
    pub(super) fn signal_from(&mut self, from: PeerId, call: Option<CallRef>, signal: Signal) {
        self.presence.arrived(&from);
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

    /// Back on the server after an outage: connections that are down **restart ICE** now. People we are still
    /// connected to but the server did not list may be on their way back (everyone reconnects after a server
    /// restart); those still missing after [`ABSENT_GRACE_MS`] are dropped.
    pub(super) fn resume_calls(&mut self) {
        let mut absent = 0;
        for (id, peer) in self.peers.iter() {
            if self.presence.is_listed(id) {
                if peer.connection_state() == RtcPeerConnectionState::Connected {
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
            self.presence
                .check_absent(Timeout::new(ABSENT_GRACE_MS, move || {
                    with(&this, Room::drop_absent);
                }));
        }
    }

    /// Drops everyone the server has not listed since our rejoin.
    fn drop_absent(&mut self) {
        self.presence.checked();
        for id in self.presence.absent(self.peers.keys()) {
            self.drop_peer(&id, format!("{} did not come back", id.short()));
        }
    }

    /// A connection that failed to someone the server no longer lists: they left while the server was away.
    /// Their connection goes, as if the server had said so. Returns whether they were dropped.
    fn drop_if_gone(&mut self, id: &PeerId) -> bool {
        if self.presence.is_listed(id) || self.connection != Connection::Joined {
            return false;
        }
        self.drop_peer(
            id,
            format!("{} is gone (no longer in the room)", id.short()),
        );
        true
    }

    /// **Hang up** on `id`, who left the room (the server says so).
    pub(super) fn peer_left(&mut self, id: PeerId, reason: LeaveReason) {
        self.presence.left(&id);
        let why = match reason {
            LeaveReason::Left => "left",
            LeaveReason::Disconnected => "disconnected",
            LeaveReason::TimedOut => "stopped responding",
            LeaveReason::Removed => "was removed by the server",
        };
        if self.peers.contains_key(&id) {
            self.drop_peer(&id, format!("{} {why}", id.short()));
        }
    }

    /// Closes the connection with `id` and says why in the notice.
    fn drop_peer(&mut self, id: &PeerId, why: String) {
        drop(self.peers.remove(id));
        self.emit(RoomEvent::Peer(id.clone(), PeerChange::Removed));
        self.notice(why);
    }
}
