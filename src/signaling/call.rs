//! The demo's protocol, one named step at a time, as in the WebRTC `pc1` sample.
//!
//! - **Start**: [`LocalMedia::capture`] asks for the camera and microphone.
//! - **Call**: [`Call::start`] makes pc1 and pc2, wires their events, adds the local tracks to pc1, and runs
//!   [`negotiate`]: the **offer**, the **answer**, then the **ICE** candidates each side gathered.
//! - **Hang Up**: [`Call::hang_up`] (or dropping the `Call`) stops the negotiation and closes both connections,
//!   which drops every handler they had.
//!
//! Late results cannot leak into a newer call: the negotiation is one task that hang-up aborts, and the
//! handlers die with their connections.
//!
//! The call shows nothing itself: it reports [`CallEvent`]s (steps, failures, the remote stream) to a callback,
//! which the page binds to its log and its remote video.

use std::{cell::Cell, rc::Rc};

use futures::{
    channel::mpsc::{unbounded, UnboundedReceiver},
    future::{AbortHandle, Abortable},
    stream::{self, StreamExt},
};

use super::{DATA_CHANNEL_ID, DATA_CHANNEL_LABEL};
use crate::{
    model::ice::describe_candidate,
    webrtc::{
        channel::ChannelHandle, now_ms, Candidate, Error, LocalMedia, PeerConnection, StateText,
        Stream,
    },
};

/// What a [`Call`] reports to its owner.
pub enum CallEvent {
    /// A step worth a line in the log.
    Log(String),
    /// A failure worth a red line in the log; the call goes on.
    Error(String),
    /// A failure the person must see in the alert banner.
    Problem(String),
    /// pc2 receives this stream (once per new stream).
    RemoteStream(Stream),
}

/// Where a call's events go.
type Report = Rc<dyn Fn(CallEvent)>;

/// A running call between pc1 (the sender) and pc2 (the receiver), both in this page.
pub struct Call {
    pc1: Rc<PeerConnection>,
    pc2: Rc<PeerConnection>,
    /// pc1's and pc2's ends of the data channel (chat and files), open once the call is connected.
    channels: (ChannelHandle, ChannelHandle),
    negotiation: AbortHandle,
    /// When Call was pressed (`performance.now()`), until the first remote frame is reported.
    started_at: Cell<Option<f64>>,
    report: Report,
}

impl Call {
    /// **Call**: connects pc1 to pc2 and sends `media` from one to the other.
    ///
    /// `report` hears every step, every failure, and the stream pc2 plays. Fails only if the browser refuses to
    /// make a connection or to register a handler; a failed negotiation step is reported instead, and the call
    /// stays up until hang-up.
    pub fn start(media: &LocalMedia, report: impl Fn(CallEvent) + 'static) -> Result<Call, Error> {
        let started_at = now_ms();
        let report: Report = Rc::new(report);
        let log = Log(report.clone());
        log.info("Starting call");

        let pc1 = Rc::new(PeerConnection::new()?);
        log.info("Created local peer connection object pc1");
        let pc2 = Rc::new(PeerConnection::new()?);
        log.info("Created remote peer connection object pc2");

        // ICE: whatever one side gathers goes to the other, end-of-candidates (None) included.
        let (to_pc2, for_pc2) = unbounded();
        pc1.on_ice_candidate(move |candidate| {
            let _ = to_pc2.unbounded_send(candidate);
        })?;
        let (to_pc1, for_pc1) = unbounded();
        pc2.on_ice_candidate(move |candidate| {
            let _ = to_pc1.unbounded_send(candidate);
        })?;

        for (name, pc) in [("pc1", &pc1), ("pc2", &pc2)] {
            let ice = log.clone();
            pc.on_ice_connection_state_change(move |state| {
                ice.info(format!("{name} ICE state: {}", state.text()))
            })?;
            let connection = log.clone();
            pc.on_connection_state_change(move |state| {
                connection.info(format!("{name} connection state: {}", state.text()))
            })?;
        }

        // pc2's incoming tracks (audio and video) share one stream; hand it over once.
        let received = log.clone();
        pc2.on_remote_stream(move |stream| {
            received.info("pc2 received remote stream");
            received.remote_stream(stream);
        })?;

        pc1.add_tracks(media);
        log.info("Added local stream to pc1");
        // The data channel, on both ends, before the offer so that the offer includes it.
        let channels = (
            pc1.negotiated_channel(DATA_CHANNEL_LABEL, DATA_CHANNEL_ID),
            pc2.negotiated_channel(DATA_CHANNEL_LABEL, DATA_CHANNEL_ID),
        );

        let (negotiation, registration) = AbortHandle::new_pair();
        let task = Abortable::new(
            negotiate(pc1.clone(), pc2.clone(), for_pc1, for_pc2, log),
            registration,
        );
        wasm_bindgen_futures::spawn_local(async move {
            // Err(Aborted) means hang-up came first: nothing is left to do.
            let _ = task.await;
        });

        Ok(Call {
            pc1,
            pc2,
            channels,
            negotiation,
            started_at: Cell::new(Some(started_at)),
            report,
        })
    }

    /// The time from Call to the first remote frame, in milliseconds: `Some` only the first time it is asked
    /// after that frame (the remote video's first `resize`), like the pc1 sample's "Setup time".
    pub fn take_setup_time(&self) -> Option<f64> {
        self.started_at.take().map(|started| now_ms() - started)
    }

    /// pc1 (the sender) and pc2 (the receiver), for stats and track replacement.
    pub fn connections(&self) -> (Rc<PeerConnection>, Rc<PeerConnection>) {
        (self.pc1.clone(), self.pc2.clone())
    }

    /// pc1's and pc2's ends of the data channel.
    pub fn channels(&self) -> &(ChannelHandle, ChannelHandle) {
        &self.channels
    }

    /// **Hang Up**: stops the negotiation and closes both connections.
    pub fn hang_up(self) {
        (self.report)(CallEvent::Log("Ending call".into()));
        drop(self);
    }
}

impl Drop for Call {
    fn drop(&mut self) {
        self.negotiation.abort();
        self.pc1.close();
        self.pc2.close();
    }
}

/// **Offer, answer, ICE**: the negotiation between pc1 and pc2, start to finish.
///
/// A failed offer or answer ends the negotiation and is shown in the alert banner; the connections stay until
/// hang-up. A refused candidate is only logged.
async fn negotiate(
    pc1: Rc<PeerConnection>,
    pc2: Rc<PeerConnection>,
    for_pc1: UnboundedReceiver<Option<Candidate>>,
    for_pc2: UnboundedReceiver<Option<Candidate>>,
    log: Log,
) {
    if let Err(error) = offer_and_answer(&pc1, &pc2, &log).await {
        log.problem(format!(
            "The call could not be set up. {error}. Press Hang Up, then Call to try again."
        ));
        return;
    }
    exchange_candidates(&pc1, &pc2, for_pc1, for_pc2, &log).await;
}

/// **Offer** (pc1 → pc2), then **answer** (pc2 → pc1).
async fn offer_and_answer(
    pc1: &PeerConnection,
    pc2: &PeerConnection,
    log: &Log,
) -> Result<(), String> {
    log.info("pc1 createOffer start");
    let offer = pc1
        .create_offer()
        .await
        .map_err(|e| format!("pc1 createOffer failed: {e}"))?;
    log.info("pc1 created an offer");

    pc1.set_local_description(&offer)
        .await
        .map_err(|e| format!("pc1 setLocalDescription failed: {e}"))?;
    log.info("pc1 setLocalDescription complete");
    // This runs in the same microtask as the line above resolved, before pc1's first `icecandidate` event can
    // be dispatched, so pc2 has its remote description queued before any candidate reaches it.
    pc2.set_remote_description(&offer)
        .await
        .map_err(|e| format!("pc2 setRemoteDescription failed: {e}"))?;
    log.info("pc2 setRemoteDescription complete");

    log.info("pc2 createAnswer start");
    let answer = pc2
        .create_answer()
        .await
        .map_err(|e| format!("pc2 createAnswer failed: {e}"))?;
    log.info("pc2 created an answer");

    pc2.set_local_description(&answer)
        .await
        .map_err(|e| format!("pc2 setLocalDescription failed: {e}"))?;
    log.info("pc2 setLocalDescription complete");
    pc1.set_remote_description(&answer)
        .await
        .map_err(|e| format!("pc1 setRemoteDescription failed: {e}"))?;
    log.info("pc1 setRemoteDescription complete");
    Ok(())
}

/// **ICE**: adds each side's candidates to the other until both have sent end-of-candidates.
///
/// Both descriptions are set by now, so every candidate, including any gathered during the answer, can be
/// added. A refused candidate is logged and the exchange goes on: others may still connect.
async fn exchange_candidates(
    pc1: &PeerConnection,
    pc2: &PeerConnection,
    for_pc1: UnboundedReceiver<Option<Candidate>>,
    for_pc2: UnboundedReceiver<Option<Candidate>>,
    log: &Log,
) {
    let mut candidates = stream::select(
        for_pc2.map(|candidate| (pc2, "pc2", "pc1", candidate)),
        for_pc1.map(|candidate| (pc1, "pc1", "pc2", candidate)),
    );
    let mut ends = 0;
    while let Some((pc, to, from, candidate)) = candidates.next().await {
        let result = pc.add_ice_candidate(candidate.as_ref()).await;
        match (candidate, result) {
            (Some(candidate), Ok(())) => log.info(format!(
                "{to} added ICE candidate from {from}: {}",
                describe_candidate(&candidate.candidate)
            )),
            (None, Ok(())) => {
                log.info(format!("{to} got end-of-candidates from {from}"));
                ends += 1;
            }
            (None, Err(error)) => {
                log.error(format!("{to} end-of-candidates failed: {error}"));
                ends += 1;
            }
            (Some(_), Err(error)) => log.error(format!("{to} addIceCandidate failed: {error}")),
        }
        if ends == 2 {
            break;
        }
    }
}

/// The call's report, with a word for each kind of line.
#[derive(Clone)]
struct Log(Report);

impl Log {
    fn info(&self, text: impl Into<String>) {
        (self.0)(CallEvent::Log(text.into()));
    }

    fn error(&self, text: String) {
        (self.0)(CallEvent::Error(text));
    }

    fn problem(&self, text: String) {
        (self.0)(CallEvent::Problem(text));
    }

    fn remote_stream(&self, stream: Stream) {
        (self.0)(CallEvent::RemoteStream(stream));
    }
}
