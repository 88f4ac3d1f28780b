//! A video tile: a labelled video that plays a stream, and logs its size.

use std::{cell::Cell, rc::Rc};

use leptos::{html, prelude::*, task::spawn_local};

use crate::{
    log::use_logger,
    webrtc::{show, Error, Stream},
};

/// A labelled video that plays a stream, with a placeholder while there is none.
#[component]
pub fn VideoTile(
    /// The video element's id, where the page contract names one.
    #[prop(optional)]
    id: Option<&'static str>,
    /// The remote person shown, as `data-peer` (the room page's contract).
    #[prop(optional, into)]
    peer: Option<String>,
    /// The caption under the video.
    #[prop(into)]
    label: Signal<String>,
    /// How the connection is doing, after the caption ("connected"), if this tile has one.
    #[prop(optional, into)]
    status: Option<Signal<String>>,
    /// What the placeholder says while there is no stream.
    empty: &'static str,
    /// Mute the sound (the local preview must be muted, or it echoes).
    muted: bool,
    /// The `srcObject`: a `MediaStream`, or `null` for none.
    stream: Signal<Option<Stream>, LocalStorage>,
    /// Called on each `resize` with a non-zero size; the first one after a stream is set is its first frame.
    on_first_frame: impl Fn() + 'static,
) -> impl IntoView {
    let log = use_logger();
    let video = NodeRef::<html::Video>::new();
    let playing = move || stream.with(Option::is_some);
    // The last size logged, so a repeated `resize` with the same size is not logged twice. Each new stream
    // starts from zero, so each call logs its size again.
    let last_size = Rc::new(Cell::new((0, 0)));
    // Autoplay can be refused (sound without a click, or a strict browser policy): ask to play, and if the
    // browser says no, say how to start it. A click on the video plays it.
    let play = move || {
        let Some(promise) = video.get_untracked().and_then(|video| video.play().ok()) else {
            return;
        };
        spawn_local(async move {
            if let Err(refusal) = wasm_bindgen_futures::JsFuture::from(promise).await {
                // An AbortError only means the stream changed meanwhile; nothing to say once the tile is gone.
                if Error::from_js(refusal) != Error::PermissionDenied {
                    return;
                }
                if let Some(label) = label.try_get_untracked() {
                    log.problem(format!(
                        "The browser did not let the {label} video start by itself. Click the video to play it."
                    ));
                }
            }
        });
    };
    // Hand the stream to the video only when it really changes: setting `srcObject`, even to the same stream,
    // makes the video start loading again (black, then a fresh first frame). The signal fires for any change
    // of what it derives from, for example another person's tile in a room.
    let new_stream = last_size.clone();
    Effect::new(move |applied: Option<Option<Option<Stream>>>| {
        let current = stream.get();
        let element = video.get()?;
        if applied.flatten().as_ref() == Some(&current) {
            return Some(current);
        }
        show(&element, current.as_ref());
        new_stream.set((0, 0));
        if current.is_some() {
            play();
        }
        Some(current)
    });

    // A `resize` can come after the tile unmounted (its signals gone): the `try_` reads skip it then.
    let on_resize = move || {
        let Some(video) = video.try_get_untracked().flatten() else {
            return;
        };
        let size = (video.video_width(), video.video_height());
        if size.0 > 0 && size.1 > 0 {
            if last_size.replace(size) != size {
                if let Some(label) = label.try_get_untracked() {
                    log.info(format!("{label} video size: {}x{}", size.0, size.1));
                }
            }
            on_first_frame();
        }
    };

    view! {
        <figure class="tile" class:live=playing>
            <video
                id=id
                data-peer=peer
                node_ref=video
                autoplay=true
                playsinline=true
                muted=muted
                prop:muted=muted
                on:resize=move |_| on_resize()
                on:click=move |_| play()
            ></video>
            <div class="placeholder">{empty}</div>
            <figcaption>
                {move || label.get()}
                {status.map(|status| view! { <span class="tile-status">{move || status.get()}</span> })}
            </figcaption>
        </figure>
    }
}
