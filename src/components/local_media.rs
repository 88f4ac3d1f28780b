//! [`use_local_media`]: a page's camera and microphone, captured on Start (or on joining), released on Stop (or
//! on leaving) and when the page goes. Modelled on leptos-use's `use_user_media`: a small `Copy` struct with the
//! media, `start`, `stop` and whether it is starting, and its own `on_cleanup`.

use leptos::{prelude::*, task::spawn_local};

use crate::{
    log::{use_logger, Logger},
    model::media::MediaChoice,
    webrtc::{Error, LocalMedia, Stream},
};

/// What differs between the pages that capture.
#[derive(Debug, Clone, Copy, Default)]
pub struct LocalMediaOptions {
    /// Say "Received local stream" before the devices in use, as the demo (and the pc1 sample it ports) does.
    pub log_received: bool,
}

/// A page's camera and microphone; see [`use_local_media`]. A `Copy` handle.
#[derive(Clone, Copy)]
pub struct UseLocalMedia {
    /// The captured camera and microphone, while there are some.
    pub media: ReadSignal<Option<LocalMedia>, LocalStorage>,
    /// The devices and size the next capture uses; the media controls write it.
    pub choice: RwSignal<MediaChoice>,
    /// True while the browser is asked for the camera (its permission prompt may be up).
    pub starting: ReadSignal<bool>,
    set_media: WriteSignal<Option<LocalMedia>, LocalStorage>,
    set_starting: WriteSignal<bool>,
    log: Logger,
    options: LocalMediaOptions,
}

/// The camera and microphone of the page it is called in, released when that page unmounts. Call it after
/// `provide_logger`: it logs to the page's log.
pub fn use_local_media(options: LocalMediaOptions) -> UseLocalMedia {
    let (media, set_media) = signal_local(None::<LocalMedia>);
    let (starting, set_starting) = signal(false);
    // Unmounting releases the camera: it never outlives the page.
    on_cleanup(move || {
        set_media.try_update(Option::take);
    });
    UseLocalMedia {
        media,
        choice: RwSignal::new(MediaChoice::default()),
        starting,
        set_media,
        set_starting,
        log: use_logger(),
        options,
    }
}

impl UseLocalMedia {
    /// **Start**: asks for the camera and microphone with the choice, says which devices it got, and keeps
    /// them. Then calls `then` with the stream, or with why the browser or the person refused (the caller says
    /// it). If the page went away meanwhile, the devices are released at once and `then` only hears of a
    /// refusal.
    pub fn start(self, then: impl FnOnce(Result<Stream, Error>) + 'static) {
        let choice = self.choice.get_untracked();
        self.set_starting.set(true);
        self.log.info("Requesting local stream");
        spawn_local(self.capture(choice, Box::new(then)));
    }

    /// **Stop**: releases the camera and microphone, and says so if they were on.
    pub fn stop(self) {
        if self.set_media.try_update(Option::take).flatten().is_some() {
            self.log.info("Stopped the camera and microphone");
        }
    }

    /// The stream for the local video, while there is one.
    pub fn stream(self) -> Signal<Option<Stream>, LocalStorage> {
        let media = self.media;
        Signal::derive_local(move || media.with(|media| media.as_ref().map(|m| m.stream().clone())))
    }

    async fn capture(self, choice: MediaChoice, then: Box<dyn FnOnce(Result<Stream, Error>)>) {
        let captured = LocalMedia::capture_with(
            choice.camera.as_deref(),
            choice.microphone.as_deref(),
            choice.resolution,
        )
        .await;
        self.set_starting.try_set(false);
        let captured = match captured {
            Ok(captured) => captured,
            Err(error) => return then(Err(error)),
        };
        if self.options.log_received {
            self.log.info("Received local stream");
        }
        for line in captured.describe() {
            self.log.info(format!("Using {line}"));
        }
        let stream = captured.stream().clone();
        // If the page went away meanwhile, the media comes back here and is released on drop.
        if self.set_media.try_set(Some(captured)).is_none() {
            then(Ok(stream));
        }
    }
}
