//! [`Tracks`]: the running camera and microphone as the controls see them: whether each is on, whether the
//! screen is shared, and their `ended` events. Whatever is read from the tracks is read again on
//! [`Tracks::notify`].

use leptos::prelude::*;

use crate::{
    model::media::MediaChoice,
    webrtc::{Ended, Listener, LocalMedia, MediaHandle},
};

/// The captured media, and a trigger for what is read from its tracks.
#[derive(Clone, Copy)]
pub(super) struct Tracks {
    media: ReadSignal<Option<LocalMedia>, LocalStorage>,
    /// Notified when a track is swapped, enabled or disabled, or a change failed: whatever is read from the
    /// tracks is read again, and the pickers show what is in use.
    changed: Trigger,
}

impl Tracks {
    pub(super) fn new(media: ReadSignal<Option<LocalMedia>, LocalStorage>) -> Self {
        Tracks {
            media,
            changed: Trigger::new(),
        }
    }

    /// The tracks changed: read them again.
    pub(super) fn notify(self) {
        self.changed.notify();
    }

    /// Reads again after each [`Tracks::notify`] (call it inside the reader).
    pub(super) fn track(self) {
        self.changed.track();
    }

    /// A handle on the media for a change, if there is media.
    pub(super) fn handle(self) -> Option<MediaHandle> {
        self.media
            .with_untracked(|media| media.as_ref().map(LocalMedia::handle))
    }

    /// A handle on the media, and whether the screen is shared now; `None` without media.
    pub(super) fn share_state(self) -> Option<(MediaHandle, bool)> {
        self.media.with_untracked(|media| {
            media
                .as_ref()
                .map(|media| (media.handle(), media.is_sharing()))
        })
    }

    /// The devices and size the capture really uses, or `None` without one. Tracked (a new capture).
    pub(super) fn in_use(self) -> Option<MediaChoice> {
        self.media.with(|media| {
            media.as_ref().map(|media| MediaChoice {
                camera: media.device(true),
                microphone: media.device(false),
                resolution: media.size(),
            })
        })
    }

    /// Whether the microphone (or the camera) is on; `None` without one. Tracked.
    pub(super) fn is_on(self, video: bool) -> Option<bool> {
        self.track();
        self.media
            .with(|media| media.as_ref().and_then(|media| media.is_enabled(video)))
    }

    /// True while the screen is shared. Tracked.
    pub(super) fn is_sharing(self) -> bool {
        self.track();
        self.media
            .with(|media| media.as_ref().is_some_and(LocalMedia::is_sharing))
    }

    /// Turns the microphone (or the camera) off, or back on: the track stays and sends silence or black frames
    /// (`enabled`). Whether it is on now; `None` without one.
    pub(super) fn toggle(self, video: bool) -> Option<bool> {
        let on = self.media.with_untracked(|media| {
            let media = media.as_ref()?;
            let on = !media.is_enabled(video)?;
            media.set_enabled(video, on);
            Some(on)
        })?;
        self.notify();
        Some(on)
    }

    /// Calls `handler` when a running track ends by itself: a device that went away, or a share stopped from
    /// the browser's bar. Tracked: called again for the new tracks after each change.
    pub(super) fn watch(self, handler: impl Fn(&MediaHandle, Ended) + 'static) -> Vec<Listener> {
        self.track();
        self.media
            .with(|media| {
                media.as_ref().map(|media| {
                    let handle = media.handle();
                    media.watch_ended(move |ended| handler(&handle, ended))
                })
            })
            .unwrap_or_default()
    }
}
