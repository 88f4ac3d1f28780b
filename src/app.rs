//! The page: two videos, the buttons, a status line, an alert banner and the log.

use std::sync::Arc;

use leptos::{html, prelude::*, tachys::view::keyed::keyed, task::spawn_local};
use wasm_bindgen::JsValue;
use web_sys::MediaStream;

use crate::{
    call::Call,
    log::{millis, Entry, Level, Logger},
    phase::Phase,
    webrtc::{Error, LocalMedia},
};

/// The peer-connection demo: Start, Call, Hang Up (and Stop), with the local and remote videos and a log.
#[component]
pub fn App() -> impl IntoView {
    let log = Logger::new();
    let (starting, set_starting) = signal(false);
    let (media, set_media) = signal_local(None::<LocalMedia>);
    let (call, set_call) = signal_local(None::<Call>);
    let (remote, set_remote) = signal_local(None::<MediaStream>);

    let phase = Memo::new(move |_| {
        Phase::of(
            starting.get(),
            media.with(Option::is_some),
            call.with(Option::is_some),
        )
    });

    // Hang Up: close both connections, then clear the remote video.
    let end_call = move || {
        if let Some(call) = set_call.try_update(Option::take).flatten() {
            call.hang_up(log);
        }
        set_remote.try_set(None);
    };

    let on_start = move |_| {
        log.clear_problem();
        set_starting.set(true);
        log.info("Requesting local stream");
        spawn_local(async move {
            let captured = LocalMedia::capture().await;
            set_starting.try_set(false);
            match captured {
                Ok(captured) => {
                    log.info("Received local stream");
                    for line in captured.describe() {
                        log.info(format!("Using {line}"));
                    }
                    // If the page went away meanwhile, the stream comes back here and is released on drop.
                    drop(set_media.try_set(Some(captured)));
                }
                Err(error) => log.problem(error.to_string()),
            }
        });
    };

    let on_call = move |_| {
        log.clear_problem();
        let started = media.with_untracked(|media| {
            media
                .as_ref()
                .map(|media| Call::start(media, log, move |stream| set_remote.set(Some(stream))))
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
        if set_media.try_update(Option::take).flatten().is_some() {
            log.info("Stopped the camera and microphone");
        }
    };

    // Unmounting releases everything: no connection, handler or camera outlives the page.
    on_cleanup(move || {
        set_call.try_update(Option::take);
        set_media.try_update(Option::take);
    });

    let local_stream = move || {
        media.with(|media| {
            media
                .as_ref()
                .map_or(JsValue::NULL, |media| media.stream().into())
        })
    };
    let remote_stream =
        move || remote.with(|remote| remote.as_ref().map_or(JsValue::NULL, JsValue::from));

    let on_remote_frame = move || {
        if let Some(ms) = call.with_untracked(|call| call.as_ref().and_then(Call::take_setup_time))
        {
            log.info(format!("Setup time: {} ms", millis(ms)));
        }
    };

    view! {
        <main class="app">
            <header class="intro">
                <h1>"Peer connection"</h1>
                <p>
                    "Two RTCPeerConnections in one page: pc1 sends your camera and microphone, pc2 receives them."
                </p>
            </header>

            <Problem message=log.current_problem() />

            <section class="videos">
                <VideoTile
                    id="localVideo"
                    label="Local (sent by pc1)"
                    empty="Camera off"
                    muted=true
                    stream=Signal::derive(local_stream)
                    log=log
                    on_first_frame=|| {}
                />
                <VideoTile
                    id="remoteVideo"
                    label="Remote (received by pc2)"
                    empty="Not in a call"
                    muted=false
                    stream=Signal::derive(remote_stream)
                    log=log
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

            <LogPanel log=log />
        </main>
    }
}

/// The alert banner: the latest failure a person must act on, or nothing.
#[component]
fn Problem(
    /// The message to show; `None` hides the banner.
    message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message.get().map(|text| {
            view! {
                <p id="problem" class="problem" role="alert">
                    {text}
                </p>
            }
        })
    }
}

/// A labelled video that plays a stream, with a placeholder while there is none.
#[component]
fn VideoTile(
    /// The video element's id (part of the page contract).
    id: &'static str,
    /// The caption under the video.
    label: &'static str,
    /// What the placeholder says while there is no stream.
    empty: &'static str,
    /// Mute the sound (the local preview must be muted, or it echoes).
    muted: bool,
    /// The `srcObject`: a `MediaStream`, or `null` for none.
    stream: Signal<JsValue>,
    /// Where the video's size changes are logged.
    log: Logger,
    /// Called on each `resize` with a non-zero size; the first one after a stream is set is its first frame.
    on_first_frame: impl Fn() + 'static,
) -> impl IntoView {
    let video = NodeRef::<html::Video>::new();
    let playing = move || !stream.with(JsValue::is_null);
    // The last size logged, so a repeated `resize` with the same size is not logged twice. Each new stream
    // starts from zero, so each call logs its size again.
    let last_size = std::rc::Rc::new(std::cell::Cell::new((0, 0)));
    // Autoplay can be refused (sound without a click, or a strict browser policy): ask to play, and if the
    // browser says no, say how to start it. A click on the video plays it.
    let play = move || {
        let Some(promise) = video.get_untracked().and_then(|video| video.play().ok()) else {
            return;
        };
        spawn_local(async move {
            if let Err(refusal) = wasm_bindgen_futures::JsFuture::from(promise).await {
                // An AbortError only means the stream changed meanwhile.
                if Error::from_js(refusal) == Error::PermissionDenied {
                    log.problem(format!(
                        "The browser did not let the {label} video start by itself. Click the video to play it."
                    ));
                }
            }
        });
    };
    let new_stream = last_size.clone();
    Effect::new(move |_| {
        new_stream.set((0, 0));
        if !stream.with(JsValue::is_null) {
            play();
        }
    });

    let on_resize = move || {
        let Some(video) = video.get_untracked() else {
            return;
        };
        let size = (video.video_width(), video.video_height());
        if size.0 > 0 && size.1 > 0 {
            if last_size.replace(size) != size {
                log.info(format!("{label} video size: {}x{}", size.0, size.1));
            }
            on_first_frame();
        }
    };

    view! {
        <figure class="tile" class:live=playing>
            <video
                id=id
                node_ref=video
                autoplay=true
                playsinline=true
                muted=muted
                prop:muted=muted
                prop:srcObject=move || stream.get()
                on:resize=move |_| on_resize()
                on:click=move |_| play()
            ></video>
            <div class="placeholder">{empty}</div>
            <figcaption>{label}</figcaption>
        </figure>
    }
}

/// One line of the log: its time, and its text (red for an error).
#[component]
fn LogLine(
    /// The line to show.
    entry: Arc<Entry>,
) -> impl IntoView {
    view! {
        <li class:error=entry.level == Level::Error>
            <time>{entry.time.clone()}</time>
            " "
            <span>{entry.text.clone()}</span>
        </li>
    }
}

/// The log: one timestamped line per step, newest at the bottom, kept scrolled to the end.
#[component]
fn LogPanel(
    /// The log to show.
    log: Logger,
) -> impl IntoView {
    let lines = log.lines();
    let list = NodeRef::<html::Ol>::new();
    Effect::new(move |_| {
        lines.track();
        if let Some(list) = list.get() {
            list.set_scroll_top(list.scroll_height());
        }
    });

    view! {
        <section class="log">
            <h2>"Log"</h2>
            <ol id="log" node_ref=list>
                {move || {
                    // Rows are keyed by id, so a new line adds one <li> and the oldest drops one, without
                    // touching the rest. Not `<For>`: it gives every row a reactive owner that its parent
                    // remembers until unmount (about 100 bytes a line, 3 KB a call), and these rows are static.
                    keyed(
                        lines.with(|lines| lines.iter().cloned().collect::<Vec<_>>()),
                        |entry| entry.id,
                        |_, entry| (|_| {}, view! { <LogLine entry=entry /> }),
                    )
                }}
            </ol>
        </section>
    }
}
