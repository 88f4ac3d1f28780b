//! One other person in a room: a peer connection, negotiated with the "perfect negotiation" pattern.
//!
//! Either side may offer at any time (a new track, an ICE restart). When both offer at once (glare), the
//! **polite** side (decided by comparing peer ids) rolls its own offer back and answers theirs; the **impolite**
//! side ignores the incoming offer and waits for the answer to its own. Every step for one peer runs in order in
//! one task, so an answer can never overtake the offer it answers, nor a candidate the description it belongs to.
//!
//! Failures are said, not hidden, and a broken call comes back by itself: when the connection goes down it
//! restarts ICE with backoff for as long as it exists (`watch.rs`). A call that never connected within
//! [`CONNECT_TIMEOUT_MS`] is reported with the TURN hint; one that worked and broke says "reconnecting…".
//!
//! Every signal names its call ([`CallIds`]): after an outage in which one side dropped the call, the other
//! learns it from `call-ended` and calls again, and signals of an old connection never reach a new one.
//!
//! Where each part lives:
//! - here: what a peer reports ([`PeerStatus`], [`PeerEvent`]), who is polite, and [`RemotePeer`]'s handle;
//! - `connect.rs`: [`RemotePeer::connect`], which wires the connection's events (ICE trickle, remote stream,
//!   connection state) and starts the negotiation task;
//! - `watch.rs`: connected, interrupted, or never made; ICE restarts with backoff;
//! - `negotiation.rs`: that task, one step at a time (**offer**, **answer**, **ICE**, **restart**), and the
//!   conversions between the browser's descriptions and candidates and the protocol's signals;
//! - `perfect.rs`: the task's decisions, free of the browser: glare, whose offer opened the call, who restarts.

mod connect;
mod negotiation;
mod perfect;
mod watch;

use std::{
    cell::{Cell, RefCell},
    rc::Rc,
};

use futures::{channel::mpsc::UnboundedSender, future::AbortHandle};
use protocol::{CallRef, PeerId, Signal};

use self::{negotiation::Step, watch::Watch};
use crate::{
    model::call::{CallIds, Verdict},
    webrtc::{
        channel::ChannelHandle, Error, PeerConnection, RtcPeerConnectionState, RtcSignalingState,
        Stream,
    },
};

/// How long a connection may take to come up before the person is told it could not be made.
pub const CONNECT_TIMEOUT_MS: u32 = 15_000;

/// How the connection to one peer is doing, as shown on its tile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerStatus {
    /// Negotiating, or checking candidates.
    Connecting,
    /// Media flows.
    Connected,
    /// It was connected and lost contact; ICE restarts until it is back.
    Interrupted,
    /// It could not be reached; the text says why and what might help.
    Failed(String),
}

impl PeerStatus {
    /// A few words for the tile's caption.
    pub fn text(&self) -> &str {
        match self {
            PeerStatus::Connecting => "connecting…",
            PeerStatus::Connected => "connected",
            PeerStatus::Interrupted => "reconnecting…",
            PeerStatus::Failed(reason) => reason,
        }
    }
}

/// What a [`RemotePeer`] reports to its owner.
pub enum PeerEvent {
    /// Send this to the peer through the signaling server, naming the calls it belongs to.
    Signal(CallRef, Signal),
    /// The peer's audio and video arrived (once per stream).
    Stream(Stream),
    /// Our end of the data channel with the peer (chat and files), made with the first offer or answer.
    Channel(ChannelHandle),
    /// The connection's status changed.
    Status(PeerStatus),
    /// A step worth a line in the log.
    Log(String),
    /// A failure the person must see (the banner), though the connection may still come up.
    Problem(String),
}

/// Whether this side is the polite one towards `other`: the side with the greater id yields in a glare.
/// Both sides compute the same answer from the same two ids, so exactly one of them is polite.
pub fn is_polite(me: &PeerId, other: &PeerId) -> bool {
    me > other
}

/// The connection with one other person in the room.
///
/// Dropping it (when they leave, or we do) stops its task, cancels its timer and closes the connection, which
/// removes every handler.
pub struct RemotePeer {
    id: PeerId,
    pc: Rc<PeerConnection>,

    steps: UnboundedSender<Step>,
    task: AbortHandle,
    ids: Rc<Cell<CallIds>>,
    report: Rc<dyn Fn(PeerEvent)>,
    watch: Rc<RefCell<Watch>>,
}

/// What became of a signal given to [`RemotePeer::receive`].
pub enum Received {
    /// Applied, or ignored because it belonged to an older connection.
    Taken,
    /// This connection must be replaced by a new one: answering `signal` (their new call), or, with `dial`,
    /// calling them again (they ended ours).
    Replace { dial: bool, signal: Signal },
}

impl RemotePeer {
    /// The peer's id.
    pub fn id(&self) -> &PeerId {
        &self.id
    }

    /// The connection, for stats and track replacement.
    pub fn connection(&self) -> Rc<PeerConnection> {
        self.pc.clone()
    }

    /// Handles a signal the peer sent for the calls `call` names (in arrival order).
    pub fn receive(&self, call: Option<CallRef>, signal: Signal) -> Received {
        let mut ids = self.ids.get();
        let verdict = ids.check(call, &signal);
        self.ids.set(ids);
        let log = |text: String| (self.report)(PeerEvent::Log(text));
        match verdict {
            Verdict::Apply => {
                let _ = self.steps.unbounded_send(Step::Receive(signal));
            }
            Verdict::Stale => log(format!(
                "Ignored {} from an older connection",
                signal_name(&signal)
            )),
            Verdict::Ended(reply) => {
                log("They are renegotiating a call we no longer have: told them it ended".into());
                let _ = self.steps.unbounded_send(Step::CallEnded(reply));
            }
            Verdict::NewCall => {
                return Received::Replace {
                    dial: false,
                    signal,
                }
            }
            Verdict::Redial => return Received::Replace { dial: true, signal },
        }
        Received::Taken
    }

    /// We are back on the server after an outage: a connection that is down restarts ICE now.
    pub fn recover_now(&self) {
        self.watch.borrow_mut().recover_now();
    }

    /// `connectionState` now.
    pub fn connection_state(&self) -> RtcPeerConnectionState {
        self.pc.connection_state()
    }

    /// `signalingState` now.
    pub fn signaling_state(&self) -> RtcSignalingState {
        self.pc.signaling_state()
    }

    /// Restarts ICE (new candidates, renegotiated through the usual offer/answer).
    pub fn restart_ice(&self) -> Result<(), Error> {
        self.pc.restart_ice()
    }
}

/// A signal's kind, for the log.
fn signal_name(signal: &Signal) -> &'static str {
    match signal {
        Signal::Offer { .. } => "an offer",
        Signal::Answer { .. } => "an answer",
        Signal::Candidate { .. } => "a candidate",
        Signal::EndOfCandidates => "an end-of-candidates",
        Signal::CallEnded => "a call-ended",
        Signal::RestartIce => "a restart request",
    }
}

impl Drop for RemotePeer {
    fn drop(&mut self) {
        self.task.abort();
        self.pc.close();
    }
}
