//! Camera, microphone and size pickers, Mute, Camera off and Share screen.
//!
//! Every change is made to the running media in place, so a call goes on without renegotiation: a new camera or
//! microphone is captured first, then shown in the local video (the same `MediaStream`) and sent by every
//! connection (`replaceTrack`), and only then is the old track stopped. A new size is applied to the running
//! camera (`applyConstraints`). A failed change leaves everything as it was, and says why.
//!
//! - this file: the view;
//! - `controls`: the parts together, and what a press or a pick does at once;
//! - `tracks`: the running tracks: on or off, shared screen, `ended`;
//! - `device_list`: the cameras and microphones the browser lists, kept current;
//! - `changes`: the changes that wait for the browser, one task each, and how many are under way;
//! - `pickers`: a labelled `<select>` and an on/off button.
//!
//! The choice, the device lists, the options and the sizes are plain Rust in [`crate::model::media`].

mod changes;
mod controls;
mod device_list;
mod pickers;
mod tracks;

use std::rc::Rc;

use leptos::prelude::*;

use self::{
    controls::Controls,
    pickers::{Picker, Toggle},
};
use crate::{
    model::media::{picked, size_options, size_text, MediaChoice},
    webrtc::{devices, Listener, LocalMedia, PeerConnection},
};

/// The device and resolution pickers, Mute, Camera off and Share screen.
#[component]
pub fn MediaControls(
    /// The captured camera and microphone, if any. The controls change its tracks in place.
    media: ReadSignal<Option<LocalMedia>, LocalStorage>,
    /// The choice that the next capture (Start, or joining a room) uses; the pickers write it.
    choice: RwSignal<MediaChoice>,
    /// Every connection now sending our media: a new track replaces the old one on each (`replaceTrack`).
    connections: Signal<Vec<Rc<PeerConnection>>, LocalStorage>,
) -> impl IntoView {
    let c = Controls::new(media, choice, connections);

    // The device lists: now, on every `devicechange`, and after each capture (names appear once allowed).
    let device_change = StoredValue::new_local(c.devices.watch());
    // A new capture: the pickers show what it really uses.
    Effect::new(move |_| c.adopt_capture());
    // `ended` on the running tracks: a device that went away, or a share stopped from the browser's bar.
    let watchers = StoredValue::new_local(Vec::<Listener>::new());
    Effect::new(move |_| watchers.set_value(c.watch()));
    on_cleanup(move || {
        device_change.try_set_value(None);
        watchers.try_set_value(Vec::new());
    });

    let size_options =
        Signal::derive(move || size_options(choice.with(|choice| choice.resolution)));
    let size_value = Signal::derive(move || {
        c.tracks.track();
        choice
            .with(|choice| choice.resolution.map(size_text))
            .unwrap_or_default()
    });
    let can_share = devices::can_share_screen();
    let names_hidden = move || c.devices.names_hidden();

    view! {
        <section class="media-controls" aria-label="Camera and microphone">
            <div class="media-controls-pickers">
                {device_picker(c, true)}
                {device_picker(c, false)}
                <Picker
                    id="resolutionSelect"
                    label="Size"
                    options=size_options
                    value=size_value
                    disabled=c.cannot_pick(size_options)
                    on_pick=Callback::new(move |text: String| c.pick_size(&text))
                />
            </div>
            <div class="media-controls-buttons">
                {device_toggle(c, false)}
                {device_toggle(c, true)}
                <Toggle
                    id="shareButton"
                    labels=("Share screen", "Stop sharing")
                    pressed=Signal::derive(move || c.tracks.is_sharing())
                    disabled=Signal::derive(move || {
                        !can_share || c.changes.is_busy() || c.tracks.is_on(true).is_none()
                    })
                    on_press=Callback::new(move |()| c.toggle_share())
                    title=(!can_share).then_some("This browser cannot share a screen")
                />
            </div>
            {move || {
                names_hidden()
                    .then(|| {
                        view! {
                            <p class="hint">
                                "Device names appear after Start, once the camera is allowed."
                            </p>
                        }
                    })
            }}
        </section>
    }
}

/// The camera (`video`) or the microphone picker. One function for both: each closure is code in the wasm.
fn device_picker(c: Controls, video: bool) -> impl IntoView {
    let (id, label) = if video {
        ("cameraSelect", "Camera")
    } else {
        ("microphoneSelect", "Microphone")
    };
    let options = Signal::derive(move || c.devices.options(video, c.lost.get().of(video)));
    let value = Signal::derive(move || {
        c.tracks.track();
        let lost = c.lost.get();
        c.choice.with(|choice| picked(choice, video, lost))
    });
    view! {
        <Picker
            id=id
            label=label
            options=options
            value=value
            disabled=c.cannot_pick(options)
            on_pick=Callback::new(move |id| c.pick_device(video, id))
        />
    }
}

/// **Mute** (the microphone) or **Camera off** (`video`).
fn device_toggle(c: Controls, video: bool) -> impl IntoView {
    let (id, labels) = if video {
        ("cameraButton", ("Camera off", "Camera on"))
    } else {
        ("muteButton", ("Mute", "Unmute"))
    };
    view! {
        <Toggle
            id=id
            labels=labels
            pressed=Signal::derive(move || c.tracks.is_on(video) == Some(false))
            disabled=Signal::derive(move || c.tracks.is_on(video).is_none())
            on_press=Callback::new(move |()| c.toggle(video))
        />
    }
}
