//! Watching one connection: connected, interrupted, or not made in time; and **restarting ICE** with backoff
//! while it is down (the schedule is [`Recovery`]'s).
//!
//! The restart itself is a [`Step::Restart`] in the peer's negotiation task, so it runs in order with the offers
//! and answers already on their way. Both sides notice a connection down; the side whose offer opened the call
//! restarts ICE, and the other asks it to (`restart-ice`): Firefox answers a re-offer from the side that answered
//! first with the wrong DTLS role, which Chromium refuses. Crossing offers are still settled by perfect
//! negotiation.

use std::{
    cell::RefCell,
    rc::{Rc, Weak},
};

use futures::channel::mpsc::UnboundedSender;

use super::{negotiation::Step, PeerEvent, PeerStatus, CONNECT_TIMEOUT_MS};
use crate::{
    model::recovery::{Media, Recovery, DISCONNECTED_GRACE_MS, FIRST_RESTART_WAIT_MS},
    webrtc::{
        now_ms, PeerConnection, RtcPeerConnectionState, RtcSignalingState, StateText, Timeout,
    },
};

/// The connection's watcher: its recovery state and its timers. Its log lines go out prefixed with the peer's
/// short id by the session, so they do not name the peer again.
pub(super) struct Watch {
    this: Weak<RefCell<Watch>>,
    name: String,
    pc: Weak<PeerConnection>,
    steps: UnboundedSender<Step>,
    report: Rc<dyn Fn(PeerEvent)>,
    recovery: Recovery,
    /// The next restart (or the check whether one is still needed).
    restart: Option<Timeout>,
    /// Saying that the call could not be made, if it never connects.
    give_up: Option<Timeout>,
    /// While connected: the next check that media still arrives.
    pulse: Option<Timeout>,
}

/// How often a connected call checks that media still arrives.
const PULSE_MS: u32 = 1_000;

impl Watch {
    /// Watches `pc`; the give-up timer starts now.
    pub(super) fn new(
        name: String,
        pc: &Rc<PeerConnection>,
        steps: UnboundedSender<Step>,
        report: Rc<dyn Fn(PeerEvent)>,
    ) -> Rc<RefCell<Watch>> {
        let watch = Rc::new_cyclic(|this| {
            RefCell::new(Watch {
                this: this.clone(),
                name,
                pc: Rc::downgrade(pc),
                steps,
                report,
                recovery: Recovery::default(),
                restart: None,
                give_up: None,
                pulse: None,
            })
        });
        let this = Rc::downgrade(&watch);
        watch.borrow_mut().give_up = Some(Timeout::new(CONNECT_TIMEOUT_MS, move || {
            with(&this, Watch::gave_up);
        }));
        watch
    }

    fn log(&self, text: String) {
        (self.report)(PeerEvent::Log(text));
    }

    fn status(&self, status: PeerStatus) {
        (self.report)(PeerEvent::Status(status));
    }

    /// `connectionstatechange`.
    pub(super) fn state_changed(&mut self, state: RtcPeerConnectionState) {
        self.log(format!("Connection state: {}", state.text()));
        match state {
            RtcPeerConnectionState::Connected => {
                if self.recovery.restarts() > 0 {
                    self.log(format!(
                        "Back: connected again after {} ICE restart(s)",
                        self.recovery.restarts()
                    ));
                }
                self.recovery.connected();
                self.restart = None;
                self.give_up = None;
                self.status(PeerStatus::Connected);
                self.beat();
            }
            RtcPeerConnectionState::Disconnected => {
                self.pulse = None;
                if self.recovery.ever_connected() {
                    self.status(PeerStatus::Interrupted);
                }
                if self.restart.is_none() {
                    self.log(format!(
                        "Lost contact: restarting ICE if it is not back in {DISCONNECTED_GRACE_MS} ms"
                    ));
                    self.arm(DISCONNECTED_GRACE_MS);
                }
            }
            RtcPeerConnectionState::Failed => {
                self.pulse = None;
                self.status(if self.recovery.ever_connected() {
                    PeerStatus::Interrupted
                } else {
                    PeerStatus::Connecting
                });
                if self.restart.is_none() {
                    self.log("ICE failed: no candidate pair works any more".into());
                    self.arm(0);
                }
            }
            _ => {}
        }
    }

    /// We are back on the server after an outage: if the connection is down, try now instead of at the end of
    /// a long backoff (an offer still on its way is left to finish).
    pub(super) fn recover_now(&mut self) {
        let Some(pc) = self.pc.upgrade() else { return };
        if pc.connection_state() == RtcPeerConnectionState::Connected {
            return;
        }
        self.recovery.reset_wait();
        if pc.signaling_state() == RtcSignalingState::Stable {
            self.arm(0);
        } else {
            self.arm(FIRST_RESTART_WAIT_MS);
        }
    }

    /// While connected, once a second: does media still arrive? A cut network freezes the picture seconds
    /// before ICE notices, so say so as soon as the packets stop, and again when they are back.
    fn beat(&mut self) {
        let Some(pc) = self.pc.upgrade() else { return };
        match self.recovery.packets(pc.newest_packet_time(), now_ms()) {
            Some(Media::Stalled) => {
                self.log("Nothing received for a while: the network may be down".into());
                self.status(PeerStatus::Interrupted);
            }
            Some(Media::Flowing) => {
                self.log("Media flows again".into());
                self.status(PeerStatus::Connected);
            }
            None => {}
        }
        let this = self.this.clone();
        self.pulse = Some(Timeout::new(PULSE_MS, move || with(&this, Watch::beat)));
    }

    fn arm(&mut self, ms: u32) {
        let this = self.this.clone();
        self.restart = Some(Timeout::new(ms, move || {
            with(&this, Watch::restart_if_down)
        }));
    }

    /// The restart timer: still down, so **restart ICE**, and check again after the backoff.
    fn restart_if_down(&mut self) {
        self.restart = None;
        let Some(pc) = self.pc.upgrade() else { return };
        if pc.connection_state() == RtcPeerConnectionState::Connected {
            return;
        }
        let attempt = self.recovery.restarts() + 1;
        let wait = self.recovery.restart();
        self.log(format!(
            "ICE restart (attempt {attempt}); trying again in {} s if still not connected",
            wait / 1000
        ));
        let _ = self.steps.unbounded_send(Step::Restart);
        self.arm(wait);
    }

    /// Never connected within [`CONNECT_TIMEOUT_MS`]: the one case where a TURN server may be what is missing.
    fn gave_up(&mut self) {
        self.give_up = None;
        if self.recovery.ever_connected() {
            return;
        }
        let name = &self.name;
        self.log(format!(
            "No connection after {} s; still trying",
            CONNECT_TIMEOUT_MS / 1000
        ));
        self.status(PeerStatus::Failed(format!(
            "could not reach {name}: no network path between you was found. A TURN server may be needed."
        )));
    }
}

/// Runs `f` on the watch if it still exists (a timer that fires after the peer was dropped does nothing).
fn with(this: &Weak<RefCell<Watch>>, f: impl FnOnce(&mut Watch)) {
    if let Some(watch) = this.upgrade() {
        f(&mut watch.borrow_mut());
    }
}
