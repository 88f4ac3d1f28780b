//! [`RemotePeer::connect`]: a peer connection with its handlers, our media added if we dial, and its
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
    PeerEvent, PeerStatus, RemotePeer, CONNECT_TIMEOUT_MS,
};
use crate::{
    model::ice::candidate_error_problem,
    signaling::{DATA_CHANNEL_ID, DATA_CHANNEL_LABEL},
    webrtc::{Error, PeerConnection, Stream, Timeout},
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
}
