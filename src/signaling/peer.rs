//! One other person in a room: a peer connection, negotiated with the "perfect negotiation" pattern.
//!
//! Either side may offer at any time (a new track, an ICE restart). When both offer at once (glare), the
//! **polite** side (decided by comparing peer ids) rolls its own offer back and answers theirs; the **impolite**
//! side ignores the incoming offer and waits for the answer to its own. Every step for one peer runs in order in
//! one task, so an answer can never overtake the offer it answers, nor a candidate the description it belongs to.
//!
//! Failures are said, not hidden: when ICE fails the connection restarts ICE once, and if it is still not up
//! after [`CONNECT_TIMEOUT_MS`] the person is told the other side could not be reached.

use std::{cell::Cell, rc::Rc};

use futures::{
    channel::mpsc::{unbounded, UnboundedReceiver, UnboundedSender},
    future::{AbortHandle, Abortable},
    StreamExt,
};
use protocol::{IceServer, PeerId, Signal};

use crate::{
    signaling::{DATA_CHANNEL_ID, DATA_CHANNEL_LABEL},
    webrtc::{
        channel::ChannelHandle, Candidate, Description, Error, PeerConnection, Stream, Timeout,
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

/// One thing to do, in order.
enum Step {
    /// `negotiationneeded` fired: make and send an offer.
    Negotiate,
    /// The peer sent this.
    Receive(Signal),
}

impl RemotePeer {
    /// Connects to `id`.
    ///
    /// - `dial`: we start the negotiation (we are the newcomer). Our tracks are added now, which makes the
    ///   browser ask for an offer. Otherwise we wait for their offer and add our tracks when answering it.
    /// - `media`: what we send; `None` receives only.
    pub fn connect(
        me: &PeerId,
        id: PeerId,
        dial: bool,
        ice_servers: &[IceServer],
        media: Option<Stream>,
        report: impl Fn(PeerEvent) + 'static,
    ) -> Result<RemotePeer, Error> {
        let report: Rc<dyn Fn(PeerEvent)> = Rc::new(report);
        let pc = Rc::new(PeerConnection::with_ice_servers(ice_servers)?);
        let (steps, queue) = unbounded();

        // ICE: trickle every candidate to the peer as it is found, and say when there are no more.
        let send = report.clone();
        pc.on_ice_candidate(move |candidate| {
            send(PeerEvent::Signal(match candidate {
                Some(candidate) => candidate_signal(candidate),
                None => Signal::EndOfCandidates,
            }))
        })?;

        let negotiate = steps.clone();
        pc.on_negotiation_needed(move || {
            let _ = negotiate.unbounded_send(Step::Negotiate);
        })?;

        // Their audio and video share one stream; hand it over once per stream.
        let tell = report.clone();
        pc.on_remote_stream(move |stream| tell(PeerEvent::Stream(stream)))?;

        // Not up within the timeout: say so. Restarted on an ICE restart, cancelled once connected.
        let timeout = Rc::new(Cell::new(None::<Timeout>));
        let arm = {
            let timeout = timeout.clone();
            let tell = report.clone();
            let name = id.short().to_owned();
            move || {
                let tell = tell.clone();
                let name = name.clone();
                timeout.set(
                    Timeout::new(CONNECT_TIMEOUT_MS, move || {
                        let reason = format!(
                            "could not reach {name}: no network path between you was found. A TURN server may be needed."
                        );
                        tell(PeerEvent::Log(format!("Gave up on {name} after {} s", CONNECT_TIMEOUT_MS / 1000)));
                        tell(PeerEvent::Status(PeerStatus::Failed(reason)));
                    })
                    .ok(),
                );
            }
        };
        arm();

        // Connection state: connected, interrupted, or failed (restart ICE once, then give up).
        let weak = Rc::downgrade(&pc);
        let tell = report.clone();
        let restarted = Cell::new(false);
        let cancel = timeout.clone();
        pc.on_connection_state_change(move |state| {
            tell(PeerEvent::Log(format!("Connection state: {state}")));
            match state.as_str() {
                "connected" => {
                    cancel.set(None);
                    tell(PeerEvent::Status(PeerStatus::Connected));
                }
                "disconnected" => tell(PeerEvent::Status(PeerStatus::Interrupted)),
                "failed" if !restarted.replace(true) => {
                    tell(PeerEvent::Log("ICE failed: restarting ICE once".into()));
                    tell(PeerEvent::Status(PeerStatus::Connecting));
                    if let Some(pc) = weak.upgrade() {
                        if let Err(error) = pc.restart_ice() {
                            tell(PeerEvent::Log(format!("Could not restart ICE: {error}")));
                        }
                    }
                    arm();
                }
                "failed" => {
                    cancel.set(None);
                    tell(PeerEvent::Status(PeerStatus::Failed(
                        "the connection failed twice. A TURN server may be needed.".into(),
                    )));
                }
                _ => {}
            }
        })?;

        // Our side of the media and the data channel: the dialer adds them now (which asks for an offer); the
        // answerer when it answers, so that it does not ask for an offer of its own and cause a glare.
        let pending = if dial {
            match &media {
                Some(stream) => pc.add_stream(stream),
                None => pc.add_receive_only(),
            }
            report(PeerEvent::Channel(
                pc.negotiated_channel(DATA_CHANNEL_LABEL, DATA_CHANNEL_ID),
            ));
            None
        } else {
            Some(media)
        };

        let (task, registration) = AbortHandle::new_pair();
        let polite = is_polite(me, &id);
        let steps_task = run(pc.clone(), polite, queue, pending, report);
        wasm_bindgen_futures::spawn_local(async move {
            let _ = Abortable::new(steps_task, registration).await;
        });

        Ok(RemotePeer {
            id,
            pc,
            steps,
            task,
            _timeout: timeout,
        })
    }

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

/// The steps for one peer, one at a time: offers when negotiation is needed, and whatever the peer sends.
async fn run(
    pc: Rc<PeerConnection>,
    polite: bool,
    mut queue: UnboundedReceiver<Step>,
    mut pending_media: Option<Option<Stream>>,
    report: Rc<dyn Fn(PeerEvent)>,
) {
    let log = |text: String| report(PeerEvent::Log(text));
    let send = |signal: Signal| report(PeerEvent::Signal(signal));
    // Set when we ignored their offer in a glare: their candidates for it will fail, and that is expected.
    let mut ignore_offer = false;
    while let Some(step) = queue.next().await {
        let result: Result<(), Error> = async {
            match step {
                Step::Negotiate => {
                    // The browser asks again once the state is back to stable, if it still needs to.
                    if pc.signaling_state() != "stable" {
                        return Ok(());
                    }
                    // **Offer**: setLocalDescription() makes it.
                    let offer = pc.set_local_description_auto().await?;
                    log("Sent offer".into());
                    send(signal_of(offer));
                }
                Step::Receive(Signal::Offer { sdp }) => {
                    let collision = pc.signaling_state() != "stable";
                    ignore_offer = !polite && collision;
                    if ignore_offer {
                        log("Offer collision: ignored theirs (we are the impolite side)".into());
                        return Ok(());
                    }
                    if collision {
                        log("Offer collision: rolled ours back, answering theirs (we are the polite side)".into());
                    }
                    // **Answer**: take their offer (rolling ours back if needed), add our media, reply.
                    pc.set_remote_description(&Description::Offer(sdp)).await?;
                    log("Received offer".into());
                    if let Some(media) = pending_media.take() {
                        if let Some(stream) = media {
                            pc.add_stream(&stream);
                        }
                        report(PeerEvent::Channel(
                            pc.negotiated_channel(DATA_CHANNEL_LABEL, DATA_CHANNEL_ID),
                        ));
                    }
                    let answer = pc.set_local_description_auto().await?;
                    log("Sent answer".into());
                    send(signal_of(answer));
                }
                Step::Receive(Signal::Answer { sdp }) => {
                    pc.set_remote_description(&Description::Answer(sdp)).await?;
                    log("Received answer".into());
                }
                // **ICE**: their candidates, then their end-of-candidates.
                Step::Receive(signal @ (Signal::Candidate { .. } | Signal::EndOfCandidates)) => {
                    let candidate = remote_candidate(signal);
                    if let Err(error) = pc.add_ice_candidate(candidate.as_ref()).await {
                        if !ignore_offer {
                            return Err(error);
                        }
                    }
                }
            }
            Ok(())
        }
        .await;
        if let Err(error) = result {
            log(format!("Negotiation step failed: {error}"));
        }
    }
}

/// A local candidate, as the peer needs it.
fn candidate_signal(candidate: Candidate) -> Signal {
    Signal::Candidate {
        candidate: candidate.candidate,
        sdp_mid: candidate.sdp_mid,
        sdp_m_line_index: candidate.sdp_m_line_index,
        username_fragment: candidate.username_fragment,
    }
}

/// A candidate the peer sent, as the browser takes it; `None` for end-of-candidates.
fn remote_candidate(signal: Signal) -> Option<Candidate> {
    match signal {
        Signal::Candidate {
            candidate,
            sdp_mid,
            sdp_m_line_index,
            username_fragment,
        } => Some(Candidate {
            candidate,
            sdp_mid,
            sdp_m_line_index,
            username_fragment,
        }),
        _ => None,
    }
}

/// Our offer or answer, as the peer needs it.
fn signal_of(description: Description) -> Signal {
    match description {
        Description::Offer(sdp) => Signal::Offer { sdp },
        Description::Answer(sdp) => Signal::Answer { sdp },
    }
}
