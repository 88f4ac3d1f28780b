//! Camera, microphone and size pickers, Mute, Camera off and Share screen.
//!
//! Every change is made to the running media in place, so a call goes on without renegotiation: a new camera or
//! microphone is captured first, then sent by every connection (`replaceTrack`) and shown in the local video
//! (the same `MediaStream`), and only then is the old track stopped. A new size is applied to the running camera
//! (`applyConstraints`). A failed change leaves everything as it was, and says why.

use std::{future::Future, pin::Pin, rc::Rc};

use leptos::{prelude::*, task::spawn_local};
use web_sys::MediaStreamTrack;

use crate::{
    log::{use_logger, Logger},
    webrtc::{
        devices::{self, Device, Devices},
        Error, Listener, LocalMedia, MediaChoice, PeerConnection,
    },
};

/// The sizes offered: `(width, height)`.
pub const RESOLUTIONS: [(u32, u32); 3] = [(320, 240), (640, 480), (1280, 720)];

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
    let log = use_logger();
    let (found, set_found) = signal(Devices::default());
    let c = Controls {
        media,
        choice,
        connections,
        log,
        found,
        changed: Trigger::new(),
        busy: RwSignal::new(0),
        lost_camera: RwSignal::new(false),
        lost_microphone: RwSignal::new(false),
    };

    // The device lists: now, on every `devicechange`, and after each capture (names appear once allowed).
    let refresh = move || {
        spawn_local(async move {
            match devices::list().await {
                Ok(list) => {
                    c.forget_missing(&list);
                    set_found.try_set(list);
                }
                // The page says so when it asks for the camera.
                Err(Error::NoMediaDevices) => {}
                Err(error) => log.error(format!(
                    "Could not list the cameras and microphones: {error}"
                )),
            }
        })
    };
    let device_change = StoredValue::new_local(devices::on_change(refresh).ok());

    // A new capture: the pickers show what it really uses.
    Effect::new(move |_| {
        let current = media.with(|media| media.as_ref().map(LocalMedia::current));
        c.lost_camera.set(false);
        c.lost_microphone.set(false);
        if let Some(current) = current {
            choice.maybe_update(|choice| {
                let merged = MediaChoice {
                    camera: current.camera.or(choice.camera.take()),
                    microphone: current.microphone.or(choice.microphone.take()),
                    resolution: current.resolution.or(choice.resolution),
                };
                let changed = *choice != merged;
                *choice = merged;
                changed
            });
        }
        refresh();
    });

    // `ended` on the running tracks: a device that went away, or a share stopped from the browser's bar.
    let watchers = StoredValue::new_local(Vec::<Listener>::new());
    Effect::new(move |_| {
        c.changed.track();
        let tracks = media.with(|media| {
            media
                .as_ref()
                .map(|m| (m.stream().id(), m.audio(), m.camera(), m.screen()))
        });
        let mut list = Vec::new();
        if let Some((stream, audio, camera, screen)) = tracks {
            for (track, video) in [(audio, false), (camera, true)] {
                if let Some(track) = track {
                    let label = track.label();
                    list.extend(
                        devices::on_ended(&track, move || c.device_ended(video, &label)).ok(),
                    );
                }
            }
            if let Some(screen) = screen {
                list.extend(
                    devices::on_ended(&screen, move || {
                        let stream = stream.clone();
                        c.run(Box::pin(async move { c.stop_sharing(&stream, true).await }));
                    })
                    .ok(),
                );
            }
        }
        watchers.set_value(list);
    });
    on_cleanup(move || {
        device_change.try_set_value(None);
        watchers.try_set_value(Vec::new());
    });

    let camera_options = Signal::derive(move || {
        found.with(|found| device_options(&found.cameras, true, c.lost_camera.get()))
    });
    let camera_value = Signal::derive(move || {
        c.changed.track();
        if c.lost_camera.get() {
            return String::new();
        }
        choice.with(|choice| choice.camera.clone().unwrap_or_default())
    });
    let microphone_options = Signal::derive(move || {
        found.with(|found| device_options(&found.microphones, false, c.lost_microphone.get()))
    });
    let microphone_value = Signal::derive(move || {
        c.changed.track();
        if c.lost_microphone.get() {
            return String::new();
        }
        choice.with(|choice| choice.microphone.clone().unwrap_or_default())
    });
    let size_value = Signal::derive(move || {
        c.changed.track();
        choice
            .with(|choice| choice.resolution.map(size_text))
            .unwrap_or_default()
    });
    let size_options =
        Signal::derive(move || size_options(choice.with(|choice| choice.resolution)));
    let waiting = move || c.busy.get() > 0;
    let cannot_pick = |options: Signal<Vec<(String, String)>>| {
        Signal::derive(move || waiting() || options.with(Vec::len) < 2)
    };

    let sharing = move || {
        c.changed.track();
        media.with(|media| media.as_ref().is_some_and(|m| m.screen().is_some()))
    };
    let can_share = devices::can_share_screen();
    let names_hidden = move || {
        found.with(|found| {
            found
                .cameras
                .iter()
                .chain(&found.microphones)
                .any(|device| device.label.is_empty())
        })
    };

    view! {
        <section class="media-controls" aria-label="Camera and microphone">
            <div class="media-controls-pickers">
                <Picker
                    id="cameraSelect"
                    label="Camera"
                    options=camera_options
                    value=camera_value
                    disabled=cannot_pick(camera_options)
                    on_pick=Callback::new(move |id| c.pick_device(true, id))
                />
                <Picker
                    id="microphoneSelect"
                    label="Microphone"
                    options=microphone_options
                    value=microphone_value
                    disabled=cannot_pick(microphone_options)
                    on_pick=Callback::new(move |id| c.pick_device(false, id))
                />
                <Picker
                    id="resolutionSelect"
                    label="Size"
                    options=size_options
                    value=size_value
                    disabled=cannot_pick(size_options)
                    on_pick=Callback::new(move |text: String| c.pick_size(&text))
                />
            </div>
            <div class="media-controls-buttons">
                <Toggle
                    id="muteButton"
                    labels=("Mute", "Unmute")
                    pressed=Signal::derive(move || c.is_off(false))
                    disabled=Signal::derive(move || c.track(false, true).is_none())
                    on_press=Callback::new(move |()| c.toggle(false))
                />
                <Toggle
                    id="cameraButton"
                    labels=("Camera off", "Camera on")
                    pressed=Signal::derive(move || c.is_off(true))
                    disabled=Signal::derive(move || c.track(true, true).is_none())
                    on_press=Callback::new(move |()| c.toggle(true))
                />
                <Toggle
                    id="shareButton"
                    labels=("Share screen", "Stop sharing")
                    pressed=Signal::derive(sharing)
                    disabled=Signal::derive(move || {
                        !can_share || waiting() || c.track(true, true).is_none()
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

/// A labelled `<select>`.
#[component]
fn Picker(
    /// The `<select>`'s id.
    id: &'static str,
    /// What it picks, shown before it.
    label: &'static str,
    /// Each option's value and text.
    options: Signal<Vec<(String, String)>>,
    /// The value of the option shown as picked. Set again (a change that failed is undone on screen) whenever
    /// it notifies, even with the same value.
    value: Signal<String>,
    /// True while it cannot act.
    disabled: Signal<bool>,
    /// Called with the value the person picked.
    on_pick: Callback<String>,
) -> impl IntoView {
    view! {
        <label class="media-controls-picker">
            <span>{label}</span>
            <select
                id=id
                disabled=disabled
                on:change=move |event| on_pick.run(event_target_value(&event))
            >
                {move || {
                    options
                        .get()
                        .into_iter()
                        .map(|(option, text)| {
                            let mine = option.clone();
                            view! {
                                <option value=option prop:selected=move || value.with(|v| *v == mine)>
                                    {text}
                                </option>
                            }
                        })
                        .collect_view()
                }}
            </select>
        </label>
    }
}

/// A button that turns something off and back on: its label says what a press does, `aria-pressed` whether
/// it is pressed (muted, camera off, sharing).
#[component]
fn Toggle(
    /// The button's id.
    id: &'static str,
    /// The label while not pressed, and while pressed.
    labels: (&'static str, &'static str),
    /// Whether it is pressed now.
    pressed: Signal<bool>,
    /// True while it cannot act.
    disabled: Signal<bool>,
    /// Called on a press.
    on_press: Callback<()>,
    /// Why it cannot act, if it never can.
    #[prop(optional_no_strip)]
    title: Option<&'static str>,
) -> impl IntoView {
    view! {
        <button
            id=id
            class="secondary"
            aria-pressed=move || if pressed.get() { "true" } else { "false" }
            title=title
            disabled=disabled
            on:click=move |_| on_press.run(())
        >
            {move || if pressed.get() { labels.1 } else { labels.0 }}
        </button>
    }
}

/// What the handlers work on; every field is a `Copy` handle.
#[derive(Clone, Copy)]
struct Controls {
    media: ReadSignal<Option<LocalMedia>, LocalStorage>,
    choice: RwSignal<MediaChoice>,
    connections: Signal<Vec<Rc<PeerConnection>>, LocalStorage>,
    log: Logger,
    found: ReadSignal<Devices>,
    /// Notified when a track is swapped, enabled or disabled, or a change failed: whatever is read from the
    /// tracks is read again, and the pickers show what is in use.
    changed: Trigger,
    /// How many changes (a capture, a share) are under way; the pickers and Share wait for them.
    busy: RwSignal<u32>,
    /// The camera stopped by itself (unplugged, or taken by another program): the person must pick one.
    lost_camera: RwSignal<bool>,
    /// The microphone stopped by itself.
    lost_microphone: RwSignal<bool>,
}

impl Controls {
    /// Runs a change, with the pickers and Share disabled until it is done.
    fn run(self, change: Pin<Box<dyn Future<Output = ()>>>) {
        self.log.clear_problem();
        self.busy.update(|busy| *busy += 1);
        spawn_local(async move {
            change.await;
            self.busy.try_update(|busy| *busy -= 1);
        });
    }

    /// The id of the media's stream, to recognise it after an `await` (it may have been stopped meanwhile).
    fn stream_id(self) -> Option<String> {
        self.media
            .with_untracked(|media| media.as_ref().map(|media| media.stream().id()))
    }

    /// Runs `f` on the media if it is still the one with stream `id`.
    fn with_media<T>(self, id: &str, f: impl FnOnce(&LocalMedia) -> T) -> Option<T> {
        self.media
            .try_with_untracked(|media| {
                media
                    .as_ref()
                    .filter(|media| media.stream().id() == id)
                    .map(f)
            })
            .flatten()
    }

    /// Sends `track` on every connection in place of the one of its kind (no renegotiation).
    async fn send(self, track: &MediaStreamTrack) {
        for pc in self.connections.try_get_untracked().unwrap_or_default() {
            if let Err(error) = pc.replace_track(track).await {
                self.log.error(format!(
                    "A connection could not send the new {} track: {error}",
                    track.kind()
                ));
            }
        }
    }

    /// The microphone (or camera) track, if there is media.
    fn track(self, video: bool, tracked: bool) -> Option<MediaStreamTrack> {
        let pick = |media: &Option<LocalMedia>| {
            media
                .as_ref()
                .and_then(|m| if video { m.camera() } else { m.audio() })
        };
        if tracked {
            self.changed.track();
            self.media.with(pick)
        } else {
            self.media.with_untracked(pick)
        }
    }

    /// True while the microphone is muted (or the camera off).
    fn is_off(self, video: bool) -> bool {
        self.track(video, true)
            .is_some_and(|track| !track.enabled())
    }

    /// **Mute** / **Camera off** and back: the track stays, it sends silence or black frames (`enabled`).
    fn toggle(self, video: bool) {
        let Some(track) = self.track(video, false) else {
            return;
        };
        let on = !track.enabled();
        track.set_enabled(on);
        self.changed.notify();
        self.log.info(match (video, on) {
            (false, false) => "Microphone muted",
            (false, true) => "Microphone unmuted",
            (true, false) => "Camera off",
            (true, true) => "Camera on",
        });
    }

    /// A camera or microphone was picked: the next capture uses it, or it replaces the running one.
    fn pick_device(self, video: bool, id: String) {
        match self.stream_id() {
            Some(stream) => self.run(Box::pin(async move {
                self.switch_device(&stream, video, id).await
            })),
            None => self.choice.update(|choice| {
                *if video {
                    &mut choice.camera
                } else {
                    &mut choice.microphone
                } = Some(id);
            }),
        }
    }

    /// A size was picked: the next capture uses it, or the running camera changes to it.
    fn pick_size(self, text: &str) {
        let Some(size) = parse_size(text) else {
            return;
        };
        match self.stream_id() {
            Some(stream) => self.run(Box::pin(async move { self.resize(&stream, size).await })),
            None => self.choice.update(|choice| choice.resolution = Some(size)),
        }
    }

    /// Captures the device `id` and puts it in place of the running one of its kind, everywhere.
    async fn switch_device(self, stream: &str, video: bool, id: String) {
        let what = if video { "camera" } else { "microphone" };
        let name = self.device_name(video, &id);
        let size = video
            .then(|| self.choice.with_untracked(|choice| choice.resolution))
            .flatten();
        let mut captured = devices::track(video, Some(&id), size).await;
        // Many phones cannot open a second camera while one runs: close the old one, then try again.
        if video && matches!(captured, Err(Error::DeviceBusy)) {
            if let Some(old) = self.with_media(stream, LocalMedia::camera).flatten() {
                old.stop();
                self.lost_camera.set(true);
                captured = devices::track(video, Some(&id), size).await;
            }
        }
        let track = match captured {
            Ok(track) => track,
            Err(error) => {
                let closed = self.lost_camera.get_untracked() && video;
                self.log.problem(match (error, size) {
                    (Error::Overconstrained { constraint }, Some(size))
                        if constraint == "width" || constraint == "height" =>
                    {
                        format!("The camera {name} cannot do {}.", size_text(size))
                    }
                    (Error::Overconstrained { .. } | Error::NoDevice, _) => {
                        format!("The {what} {name} is not available any more. Choose another.")
                    }
                    (Error::DeviceBusy, _) if closed => format!(
                        "The camera {name} could not be opened, even with the previous one closed. \
                         Another application may be using it. Choose a camera to go on."
                    ),
                    (Error::DeviceBusy, _) => format!(
                        "The {what} {name} could not be opened; another application may be using it."
                    ),
                    (error, _) => format!("Could not switch to the {what} {name}: {error}"),
                });
                self.changed.notify();
                return;
            }
        };
        let Some((old, sent)) = self.with_media(stream, |media| media.swap(&track)) else {
            track.stop(); // Stopped meanwhile: nothing to put it in.
            return;
        };
        if video {
            self.lost_camera.set(false);
        } else {
            self.lost_microphone.set(false);
        }
        self.choice.update(|choice| {
            *if video {
                &mut choice.camera
            } else {
                &mut choice.microphone
            } = Some(id);
        });
        self.changed.notify();
        if sent {
            self.send(&track).await;
        }
        if let Some(old) = old {
            old.stop();
        }
        self.log
            .info(format!("Switched the {what} to {}", track.label()));
    }

    /// Changes the running camera's size (`applyConstraints`); if it cannot, it goes on as it was.
    async fn resize(self, stream: &str, size: (u32, u32)) {
        let Some(camera) = self.with_media(stream, LocalMedia::camera).flatten() else {
            return;
        };
        match devices::resize(&camera, size).await {
            Ok(()) => {
                self.choice.update(|choice| choice.resolution = Some(size));
                self.log.info(format!("Camera size: {}", size_text(size)));
            }
            Err(Error::Overconstrained { .. }) => self.log.problem(format!(
                "The camera cannot do {}. It goes on as before.",
                size_text(size)
            )),
            Err(error) => self.log.problem(format!(
                "Could not change the camera to {}: {error}",
                size_text(size)
            )),
        }
        self.changed.notify();
    }

    /// **Share screen** or **Stop sharing**.
    fn toggle_share(self) {
        let Some(stream) = self.stream_id() else {
            return;
        };
        let sharing = self
            .with_media(&stream, |media| media.screen().is_some())
            .unwrap_or(false);
        self.run(Box::pin(async move {
            if sharing {
                self.stop_sharing(&stream, false).await;
            } else {
                self.share(&stream).await;
            }
        }));
    }

    /// Asks which screen to share, then sends and shows it in place of the camera, which keeps running.
    async fn share(self, stream: &str) {
        let screen = match devices::screen().await {
            Ok(screen) => screen,
            Err(Error::PermissionDenied | Error::Aborted) => {
                self.log
                    .problem("Screen sharing was cancelled or not allowed. Nothing changed.");
                return;
            }
            Err(error) => {
                self.log
                    .problem(format!("Could not share the screen: {error}"));
                return;
            }
        };
        if self
            .with_media(stream, |media| media.share(&screen))
            .is_none()
        {
            screen.stop(); // Stopped meanwhile.
            return;
        }
        self.changed.notify();
        self.send(&screen).await;
        self.log
            .info(format!("Sharing the screen: {}", screen.label()));
    }

    /// Sends and shows the camera again, and stops the screen share. `ended`: the person stopped it from the
    /// browser's own bar.
    async fn stop_sharing(self, stream: &str, ended: bool) {
        let Some(screen) = self.with_media(stream, LocalMedia::unshare).flatten() else {
            return;
        };
        self.changed.notify();
        if let Some(camera) = self.with_media(stream, LocalMedia::camera).flatten() {
            self.send(&camera).await;
        }
        screen.stop();
        self.log.info(if ended {
            "Screen sharing was stopped in the browser; back to the camera"
        } else {
            "Stopped sharing the screen; back to the camera"
        });
    }

    /// The camera or microphone stopped without being asked to: say so, and let the person pick one.
    fn device_ended(self, video: bool, label: &str) {
        let what = if video { "camera" } else { "microphone" };
        if video {
            self.lost_camera.try_set(true);
        } else {
            self.lost_microphone.try_set(true);
        }
        self.log.problem(format!(
            "The {what} \u{201c}{label}\u{201d} stopped: it was unplugged, or another program took it. \
             Choose a {what} to go on."
        ));
    }

    /// Forgets a chosen device that is not plugged in any more, so the next capture takes the default.
    fn forget_missing(self, list: &Devices) {
        let missing = |id: &Option<String>, devices: &[Device]| {
            id.as_ref().is_some_and(|id| {
                devices.iter().any(|d| !d.id.is_empty()) && !devices.iter().any(|d| d.id == *id)
            })
        };
        self.choice.maybe_update(|choice| {
            let mut changed = false;
            if missing(&choice.camera, &list.cameras) {
                choice.camera = None;
                changed = true;
            }
            if missing(&choice.microphone, &list.microphones) {
                choice.microphone = None;
                changed = true;
            }
            changed
        });
    }

    /// A device's name for a message, in quotes.
    fn device_name(self, video: bool, id: &str) -> String {
        let label = self.found.with_untracked(|found| {
            let list = if video {
                &found.cameras
            } else {
                &found.microphones
            };
            list.iter()
                .find(|device| device.id == id)
                .map(|device| device.label.clone())
        });
        format!("\u{201c}{}\u{201d}", label.unwrap_or_default())
    }
}

/// A device picker's options, `(deviceId, name)`: "Camera 2" while names are hidden, led by a placeholder
/// when the one in use stopped, or a single "No camera" when there is none.
fn device_options(devices: &[Device], video: bool, lost: bool) -> Vec<(String, String)> {
    let (noun, none) = if video {
        ("Camera", "No camera")
    } else {
        ("Microphone", "No microphone")
    };
    let mut options: Vec<(String, String)> = devices
        .iter()
        .enumerate()
        .map(|(i, device)| {
            let name = if device.label.is_empty() {
                format!("{noun} {}", i + 1)
            } else {
                device.label.clone()
            };
            (device.id.clone(), name)
        })
        .collect();
    if options.is_empty() {
        options.push((String::new(), none.to_owned()));
    } else if lost {
        options.insert(0, (String::new(), "Stopped: choose one".into()));
    }
    options
}

/// The size picker's options: the usual sizes, the chosen one if it is another, and "Default" before any.
fn size_options(chosen: Option<(u32, u32)>) -> Vec<(String, String)> {
    let mut sizes = RESOLUTIONS.to_vec();
    match chosen {
        Some(size) if !sizes.contains(&size) => sizes.push(size),
        _ => {}
    }
    let mut options: Vec<(String, String)> = sizes
        .into_iter()
        .map(|size| (size_text(size), size_text(size)))
        .collect();
    if chosen.is_none() {
        options.insert(0, (String::new(), "Default".into()));
    }
    options
}

/// `1280x720`.
fn size_text((width, height): (u32, u32)) -> String {
    format!("{width}x{height}")
}

/// The size in `1280x720`, if it is one.
fn parse_size(text: &str) -> Option<(u32, u32)> {
    let (width, height) = text.split_once('x')?;
    Some((width.parse().ok()?, height.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(id: &str, label: &str) -> Device {
        Device {
            id: id.into(),
            label: label.into(),
        }
    }

    #[test]
    fn sizes_read_back_as_written() {
        for size in RESOLUTIONS {
            assert_eq!(parse_size(&size_text(size)), Some(size));
        }
        assert_eq!(parse_size(""), None);
        assert_eq!(parse_size("1280"), None);
        assert_eq!(parse_size("axb"), None);
    }

    #[test]
    fn size_options_include_the_chosen_one() {
        let values = |chosen| {
            size_options(chosen)
                .into_iter()
                .map(|(value, _)| value)
                .collect::<Vec<_>>()
        };
        assert_eq!(values(None), ["", "320x240", "640x480", "1280x720"]);
        assert_eq!(values(Some((640, 480))), ["320x240", "640x480", "1280x720"]);
        assert_eq!(
            values(Some((10000, 10000))),
            ["320x240", "640x480", "1280x720", "10000x10000"]
        );
    }

    #[test]
    fn devices_are_numbered_until_their_names_are_known() {
        let hidden = device_options(&[device("", ""), device("", "")], true, false);
        assert_eq!(hidden[0].1, "Camera 1");
        assert_eq!(hidden[1].1, "Camera 2");
        let named = device_options(&[device("a", "Front")], true, false);
        assert_eq!(named, [("a".to_owned(), "Front".to_owned())]);
    }

    #[test]
    fn a_stopped_device_asks_for_a_choice_and_none_says_so() {
        let lost = device_options(&[device("a", "Front")], true, true);
        assert_eq!(lost.len(), 2);
        assert_eq!(lost[0].0, "");
        assert_eq!(
            device_options(&[], false, false),
            [(String::new(), "No microphone".to_owned())]
        );
    }
}
