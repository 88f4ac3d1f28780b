//! Perfect negotiation for one peer: its steps run one at a time in one task (the decisions are
//! [`Negotiator`]'s), and the conversions between the browser's descriptions and candidates and the protocol's
//! signals.

use std::rc::Rc;

use futures::{channel::mpsc::UnboundedReceiver, StreamExt};
use protocol::{CallRef, Signal};

use super::{
    perfect::{Negotiator, OfferDecision, Restarter},
    PeerEvent,
};
use crate::{
    signaling::{DATA_CHANNEL_ID, DATA_CHANNEL_LABEL},
    webrtc::{Candidate, Description, Error, PeerConnection, RtcSignalingState, Stream},
};

/// One thing to do, in order.
pub(super) enum Step {
    /// `negotiationneeded` fired: make and send an offer.
    Negotiate,
    /// The peer sent this.
    Receive(Signal),
    /// Tell them the call their signal named is gone here (`call-ended`, addressed by this reference). Sent from
    /// the task, never from inside the session's handling of their signal.
    CallEnded(CallRef),
    /// The connection is down: **restart ICE** if our offer opened the call (withdrawing an offer of ours
    /// that was never answered, which may have been lost with the server); otherwise ask them to
    /// (`restart-ice`), as only the first offerer makes later offers.
    Restart,
}

/// The steps for one peer, one at a time: offers when negotiation is needed, and whatever the peer sends.
pub(super) async fn run(
    pc: Rc<PeerConnection>,
    polite: bool,
    mut queue: UnboundedReceiver<Step>,
    mut pending_media: Option<Option<Stream>>,
    report: Rc<dyn Fn(PeerEvent)>,
    send: Rc<dyn Fn(Signal)>,
) {
    let log = |text: String| report(PeerEvent::Log(text));
    let mut negotiator = Negotiator::new(polite);
    while let Some(step) = queue.next().await {
        let result: Result<(), Error> = async {
            match step {
                Step::Negotiate => {
                    // The browser asks again once the state is back to stable, if it still needs to.
                    if pc.signaling_state() != RtcSignalingState::Stable {
                        return Ok(());
                    }
                    // **Offer**: setLocalDescription() makes it.
                    let offer = pc.set_local_description_auto().await?;
                    log("Sent offer".into());
                    send(signal_of(offer));
                }
                Step::Receive(Signal::Offer { sdp }) => {
                    let stable = pc.signaling_state() == RtcSignalingState::Stable;
                    match negotiator.offer_arrived(stable) {
                        OfferDecision::Ignore => {
                            log("Offer collision: ignored theirs (we are the impolite side)".into());
                            return Ok(());
                        }
                        OfferDecision::Answer { rolled_back: true } => {
                            log("Offer collision: rolled ours back, answering theirs (we are the polite side)".into());
                        }
                        OfferDecision::Answer { rolled_back: false } => {}
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
                    negotiator.answered();
                }
                Step::Receive(Signal::Answer { sdp }) => {
                    pc.set_remote_description(&Description::Answer(sdp)).await?;
                    log("Received answer".into());
                    negotiator.got_answer();
                }
                Step::CallEnded(call) => report(PeerEvent::Signal(call, Signal::CallEnded)),
                Step::Restart if negotiator.restarter() == Restarter::Them => {
                    log("Asked them to restart ICE (their offer opened the call)".into());
                    send(Signal::RestartIce);
                }
                Step::Restart | Step::Receive(Signal::RestartIce) => {
                    if pc.signaling_state() == RtcSignalingState::HaveLocalOffer {
                        pc.rollback().await?;
                        log("Withdrew our offer: it was never answered".into());
                    }
                    pc.restart_ice()?;
                }
                // Handled by the peer before it reaches the queue (it decides whether to make a new call).
                Step::Receive(Signal::CallEnded) => {}
                // **ICE**: their candidates, then their end-of-candidates.
                Step::Receive(signal @ (Signal::Candidate { .. } | Signal::EndOfCandidates)) => {
                    let candidate = remote_candidate(signal);
                    if let Err(error) = pc.add_ice_candidate(candidate.as_ref()).await {
                        if !negotiator.ignoring_offer() {
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
pub(super) fn candidate_signal(candidate: Candidate) -> Signal {
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
