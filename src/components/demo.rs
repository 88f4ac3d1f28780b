//! The loopback demo page (`/`): two videos, the buttons, a status line, an alert banner and the log.
//!
//! Over 150 lines, and one unit on purpose: its view is the page contract (the ids, the buttons and when each is
//! enabled) in one place, and every handler and every panel's input works on the same few signals (the call, the
//! remote stream, the camera). Split, each piece would take those signals as props, and each component boundary
//! costs wasm.

use leptos::prelude::*;

use crate::{
    components::{
        chat::ChatPanel,
        local_media::{use_local_media, LocalMediaOptions},
        loopback_call::start_call,
        media_controls::MediaControls,
        stats_panel::StatsPanel,
        ui::{LogPanel, Problem, VideoTile},
    },
    log::provide_logger,
    model::{log::millis, phase::Phase},
    signaling::{call::Call, random_hex},
    webrtc::{can_make_calls, Error, Stream},
};

/// The peer-connection demo: Start, Call, Hang Up (and Stop), with the local and remote videos and a log.
#[component]
pub fn LoopbackDemo() -> impl IntoView {
    let log = provide_logger();
    // Said up front, not on Call: a browser without RTCPeerConnection (WebKitGTK) can still show the camera.
    if !can_make_calls() {
        log.problem(Error::NoPeerConnection.to_string());
    }
    let (call, set_call) = signal_local(None::<Call>);
    // Unmounting releases everything: no connection, handler or camera outlives the page (the hook releases
    // the camera, after the call).
    on_cleanup(move || {
        set_call.try_update(Option::take);
    });
    let local = use_local_media(LocalMediaOptions { log_received: true });
    let media = local.media;
    let (remote, set_remote) = signal_local(None::<Stream>);

    let phase = Memo::new(move |_| {
        Phase::of(
            local.starting.get(),
            media.with(Option::is_some),
            call.with(Option::is_some),
        )
    });

    // Hang Up: close both connections, then clear the remote video.
    let end_call = move || {
        if let Some(call) = set_call.try_update(Option::take).flatten() {
            call.hang_up();
        }
        set_remote.try_set(None);
    };

    let on_start = move |_| {
        log.clear_problem();
        local.start(move |captured| {
            if let Err(error) = captured {
                log.problem(error.to_string());
            }
        });
    };

    let on_call = move |_| {
        log.clear_problem();
        let started = media.with_untracked(|media| {
            media.as_ref().map(|media| {
                // The remote stream comes later, when the page may be gone.
                start_call(media, log, move |stream| {
                    set_remote.try_set(Some(stream));
                })
            })
        });
        match started {
            Some(Ok(started)) => set_call.set(Some(started)),
            Some(Err(error)) => log.problem(format!("Could not start the call: {error}")),
            None => log.problem("Press Start first: there is no camera stream to send."),
        }
    };

    let on_hang_up = move |_| {
        log.clear_problem();
        end_call();
    };

    let on_stop = move |_| {
        log.clear_problem();
        end_call();
        local.stop();
    };

    // From the video's `resize`, which can come after the page unmounted.
    let on_remote_frame = move || {
        if let Some(ms) = call
            .try_with_untracked(|call| call.as_ref().and_then(Call::take_setup_time))
            .flatten()
        {
            log.info(format!("Setup time: {} ms", millis(ms)));
        }
    };

    // What the extras work on: the devices to capture with, the connections of the call, and the two ends of
    // its data channel.
    let connections = from_call(call, |call| {
        let (pc1, pc2) = call.connections();
        vec![pc1, pc2]
    });
    let sending = from_call(call, |call| vec![call.connections().0]);
    let pc1_end = from_call(call, |call| {
        vec![("pc2".to_owned(), call.channels().0.clone())]
    });
    let pc2_end = from_call(call, |call| {
        vec![("pc1".to_owned(), call.channels().1.clone())]
    });

    // A fresh, unguessable room id (128 random bits) each time the page is shown.
    let new_room_path = random_hex(16)
        .map(|id| format!("/room/{id}"))
        .unwrap_or_default();

    view! {
        <main class="app">
            <header class="intro">
                <h1>"Peer connection"</h1>
                <p>
                    "Two RTCPeerConnections in one page: pc1 sends your camera and microphone, pc2 receives them."
                </p>
                <p>
                    "To call someone on another computer, "
                    <a id="newRoomLink" href=new_room_path>
                        "start a new room"
                    </a> " and send them its link."
                </p>
            </header>

            <Problem message=log.current_problem() />

            <section class="videos">
                <VideoTile
                    id="localVideo"
                    label="Local (sent by pc1)"
                    empty="Camera off"
                    muted=true
                    stream=local.stream()
                    on_first_frame=|| {}
                />
                <VideoTile
                    id="remoteVideo"
                    label="Remote (received by pc2)"
                    empty="Not in a call"
                    muted=false
                    stream=remote.into()
                    on_first_frame=on_remote_frame
                />
            </section>

            <div class="controls">
                <button id="startButton" on:click=on_start disabled=move || !phase.get().can_start()>
                    "Start"
                </button>
                <button id="callButton" on:click=on_call disabled=move || !phase.get().can_call()>
                    "Call"
                </button>
                <button id="hangupButton" on:click=on_hang_up disabled=move || !phase.get().can_hang_up()>
                    "Hang Up"
                </button>
                <button
                    id="stopButton"
                    class="secondary"
                    title="Hang up if needed, and turn the camera and microphone off"
                    on:click=on_stop
                    disabled=move || !phase.get().can_stop()
                >
                    "Stop camera"
                </button>
            </div>
            <p id="status" class="status" aria-live="polite">
                {move || phase.get().status()}
            </p>

            <MediaControls media=media choice=local.choice connections=sending />
            <StatsPanel title="Call statistics" connections=connections />
            <section class="chats">
                <ChatPanel id="chat-pc1" me=Signal::derive(|| "pc1".to_owned()) channels=pc1_end />
                <ChatPanel id="chat-pc2" me=Signal::derive(|| "pc2".to_owned()) channels=pc2_end />
            </section>

            <LogPanel />
        </main>
    }
}

/// What `pick` takes from the call for a panel, as a signal: nothing while there is no call.
fn from_call<T: 'static>(
    call: ReadSignal<Option<Call>, LocalStorage>,
    pick: fn(&Call) -> Vec<T>,
) -> Signal<Vec<T>, LocalStorage> {
    Signal::derive_local(move || call.with(|call| call.as_ref().map_or_else(Vec::new, pick)))
}
