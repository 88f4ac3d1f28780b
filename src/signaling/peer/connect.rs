//! [`RemotePeer::connect`]: a peer connection with its handlers, our media added if we dial, its watcher, and its
//! negotiation task started.

use std::{cell::Cell, rc::Rc};

use futures::{
    channel::mpsc::unbounded,
    future::{AbortHandle, Abortable},
};
use protocol::{IceServer, IceTransportPolicy, PeerId, Signal};

use super::{
    is_polite,
    negotiation::{candidate_signal, run, Step},
    watch::Watch,
    PeerEvent, RemotePeer,
};
use crate::{
    model::call::CallIds,
    model::ice::candidate_error_problem,
    signaling::{DATA_CHANNEL_ID, DATA_CHANNEL_LABEL},
    webrtc::{Error, PeerConnection, Stream},
};

impl RemotePeer {
    /// Connects to `id`.
    ///
    /// - `dial`: we start the negotiation (we are the newcomer). Our tracks are added now, which makes the
    ///   browser ask for an offer. Otherwise we wait for their offer and add our tracks when answering it.
    /// - `ice_servers`, `policy`: what the server's welcome said (`relay`: through TURN only).
    /// - `media`: what we send; `None` receives only.
    pub fn connect(
        me: &PeerId,
        id: PeerId,
        dial: bool,
        (ice_servers, policy): (&[IceServer], IceTransportPolicy),
        media: Option<Stream>,
        report: impl Fn(PeerEvent) + 'static,
    ) -> Result<RemotePeer, Error> {
        let report: Rc<dyn Fn(PeerEvent)> = Rc::new(report);
        let pc = Rc::new(PeerConnection::with_ice_servers(ice_servers, policy)?);
        let (steps, queue) = unbounded();

        // Every signal we send names this connection (a random number) and theirs, once we know it.
        let ids = Rc::new(Cell::new(CallIds::new(random_call_number())));
        let send: Rc<dyn Fn(Signal)> = {
            let (ids, report) = (ids.clone(), report.clone());
            Rc::new(move |signal| report(PeerEvent::Signal(ids.get().stamp(), signal)))
        };
        // An ICE server that refused us: a TURN server that refuses our credentials is said once, in the
        // banner, instead of a silent timeout; anything else is a log line.
        let tell = report.clone();
        let said = Cell::new(false);
        pc.on_ice_candidate_error(move |error| {
            match candidate_error_problem(error.code, &error.url) {
                Some(problem) if !said.replace(true) => tell(PeerEvent::Problem(problem)),
                Some(_) => {}
                None => tell(PeerEvent::Log(format!(
                    "ICE server {} gave no candidate: error {} {}",
                    error.url, error.code, error.text
                ))),
            }
        })?;

        // ICE: trickle every candidate to the peer as it is found, and say when there are no more.
        let trickle = send.clone();
        pc.on_ice_candidate(move |candidate| {
            trickle(match candidate {
                Some(candidate) => candidate_signal(candidate),
                None => Signal::EndOfCandidates,
            })
        })?;

        let negotiate = steps.clone();
        pc.on_negotiation_needed(move || {
            let _ = negotiate.unbounded_send(Step::Negotiate);
        })?;

        // Their audio and video share one stream; hand it over once per stream.
        let tell = report.clone();
        pc.on_remote_stream(move |stream| tell(PeerEvent::Stream(stream)))?;

        // Connected, interrupted (restart ICE with backoff), or never made in time.
        let watch = Watch::new(id.short().to_owned(), &pc, steps.clone(), report.clone());
        let watcher = watch.clone();
        pc.on_connection_state_change(move |state| watcher.borrow_mut().state_changed(state))?;

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
        let steps_task = run(
            pc.clone(),
            is_polite(me, &id),
            queue,
            pending,
            report.clone(),
            send,
        );
        wasm_bindgen_futures::spawn_local(async move {
            let _ = Abortable::new(steps_task, registration).await;
        });

        Ok(RemotePeer {
            id,
            pc,
            steps,
            task,
            ids,
            report,
            watch,
        })
    }
}

/// A connection's number: random, so that a new connection is never taken for an old one.
fn random_call_number() -> u32 {
    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
}
