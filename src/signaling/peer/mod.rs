//! One other person in a room: a peer connection, negotiated with the "perfect negotiation" pattern.
//!
//! Either side may offer at any time (a new track, an ICE restart). When both offer at once (glare), the
//! **polite** side (decided by comparing peer ids) rolls its own offer back and answers theirs; the **impolite**
//! side ignores the incoming offer and waits for the answer to its own. Every step for one peer runs in order in
//! one task, so an answer can never overtake the offer it answers, nor a candidate the description it belongs to.
//!
//! Failures are said, not hidden: when ICE fails the connection restarts ICE once, and if it is still not up
//! after [`CONNECT_TIMEOUT_MS`] the person is told the other side could not be reached.
//!
//! Where each part lives:
//! - here: what a peer reports ([`PeerStatus`], [`PeerEvent`]), who is polite, and [`RemotePeer`]'s handle;
//! - `connect.rs`: [`RemotePeer::connect`], which wires the connection's events (ICE trickle, remote stream,
//!   the timeout, connection state with one ICE restart) and starts the negotiation task;
//! - `negotiation.rs`: that task, one step at a time (**offer**, **answer**, **ICE**), and the conversions
//!   between the browser's descriptions and candidates and the protocol's signals.

mod connect;
mod negotiation;

use std::{cell::Cell, rc::Rc};

use futures::{channel::mpsc::UnboundedSender, future::AbortHandle};
use protocol::{PeerId, Signal};

use self::negotiation::Step;
use crate::webrtc::{channel::ChannelHandle, Error, PeerConnection, Stream, Timeout};

/// How long a connection may take to come up before the person is told it could not be made.
pub const CONNECT_TIMEOUT_MS: u32 = 15_000;

/// How the connection to one peer is doing, as shown on its tile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeerStatus {
    /// Negotiating, or checking candidates.
    Connecting,
    /// Media flows.
    Connected,
    /// It was connected and lost contact; the browser is trying to recover.
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
            PeerStatus::Interrupted => "connection interrupted, recovering…",
            PeerStatus::Failed(reason) => reason,
        }
    }
}

/// What a [`RemotePeer`] reports to its owner.
pub enum PeerEvent {
    /// Send this to the peer through the signaling server.
    Signal(Signal),
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
    _timeout: Rc<Cell<Option<Timeout>>>,
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

    /// Handles a signal the peer sent (in arrival order).
    pub fn receive(&self, signal: Signal) {
        let _ = self.steps.unbounded_send(Step::Receive(signal));
    }

    /// `connectionState` now.
    pub fn connection_state(&self) -> String {
        self.pc.connection_state()
    }

    /// `signalingState` now.
    pub fn signaling_state(&self) -> String {
        self.pc.signaling_state()
    }

    /// Restarts ICE (new candidates, renegotiated through the usual offer/answer).
    pub fn restart_ice(&self) -> Result<(), Error> {
        self.pc.restart_ice()
    }
}

impl Drop for RemotePeer {
    fn drop(&mut self) {
        self.task.abort();
        self.pc.close();
    }
}
