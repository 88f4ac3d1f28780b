//! The hook between the demo page and its loopback [`Call`]: the call's steps and failures go to the page's log
//! and banner, and the stream pc2 receives to the page.

use crate::{
    log::Logger,
    signaling::call::{Call, CallEvent},
    webrtc::{Error, LocalMedia, Stream},
};

/// **Call**: starts a loopback call sending `media`, reporting its steps to `log` and handing the stream pc2
/// plays to `on_remote_stream` (once per new stream).
pub fn start_call(
    media: &LocalMedia,
    log: Logger,
    on_remote_stream: impl Fn(Stream) + 'static,
) -> Result<Call, Error> {
    Call::start(media, move |event| match event {
        CallEvent::Log(text) => log.info(text),
        CallEvent::Error(text) => log.error(text),
        CallEvent::Problem(text) => log.problem(text),
        CallEvent::RemoteStream(stream) => on_remote_stream(stream),
    })
}
