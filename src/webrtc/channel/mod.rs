//! `RTCDataChannel`, with owned handlers, and a chunked file send that keeps the channel's queue in bounds.
//!
//! In `channel/`: the handle and the wrapper with its events (here), what arrives (`receive.rs`), and what is sent,
//! with the paced file send (`send.rs`).

mod receive;
mod send;

use std::{cell::RefCell, rc::Rc};

use futures::channel::oneshot;
use wasm_bindgen::JsValue;
use web_sys::{Event, RtcDataChannel, RtcDataChannelState, RtcDataChannelType};

use super::{listener::Listeners, Error};

pub use self::{
    receive::{Chunk, Payload},
    send::Pacing,
};

/// One end of a data channel, as a handle to pass around: cheap to clone, equal when it is the same channel.
///
/// It carries no handlers; wrap it in a [`DataChannel`] to listen and send.
#[derive(Clone, PartialEq)]
pub struct ChannelHandle(RtcDataChannel);

impl ChannelHandle {
    pub(super) fn new(channel: RtcDataChannel) -> Self {
        ChannelHandle(channel)
    }
}

/// One end of a data channel and the handlers registered on it.
///
/// The connection owns the channel; this wrapper only listens and sends. Dropping it removes every handler (it
/// does not close the channel), and a [`DataChannel::send_file`] still waiting for the queue to drain ends with
/// [`Error::Aborted`].
pub struct DataChannel {
    channel: RtcDataChannel,
    pacing: Pacing,
    pub(in crate::webrtc) listeners: Listeners,
    /// Wakes the file being sent when the queue has drained (`bufferedamountlow`).
    drained: Rc<RefCell<Option<oneshot::Sender<()>>>>,
}

impl DataChannel {
    /// Listens on `handle`'s channel, asks for binary frames as `ArrayBuffer`s (not `Blob`s), and sends files
    /// paced by `pacing` (this registers the `bufferedamountlow` handler).
    pub fn new(handle: &ChannelHandle, pacing: Pacing) -> Self {
        let channel = handle.0.clone();
        channel.set_binary_type(RtcDataChannelType::Arraybuffer);
        channel.set_buffered_amount_low_threshold(pacing.low_water);
        let drained = Rc::new(RefCell::new(None::<oneshot::Sender<()>>));
        let waiting = drained.clone();
        let listeners = Listeners::on(&channel);
        listeners.add("bufferedamountlow", move |_: Event| {
            if let Some(wake) = waiting.borrow_mut().take() {
                let _ = wake.send(());
            }
        });
        DataChannel {
            channel,
            pacing,
            listeners,
            drained,
        }
    }

    /// True when this listens on `handle`'s channel.
    pub fn is(&self, handle: &ChannelHandle) -> bool {
        self.channel == handle.0
    }

    /// True when the channel can send.
    pub fn is_open(&self) -> bool {
        self.channel.ready_state() == RtcDataChannelState::Open
    }

    /// True while the channel is still being set up.
    pub fn is_connecting(&self) -> bool {
        self.channel.ready_state() == RtcDataChannelState::Connecting
    }

    /// `open`.
    pub fn on_open(&self, mut handler: impl FnMut() + 'static) {
        self.listeners.add("open", move |_: Event| handler());
    }

    /// `close`.
    pub fn on_close(&self, mut handler: impl FnMut() + 'static) {
        self.listeners.add("close", move |_: Event| handler());
    }

    /// `error` (an `RTCErrorEvent`), with the browser's error.
    pub fn on_error(&self, mut handler: impl FnMut(Error) + 'static) {
        self.listeners.add("error", move |event: Event| {
            let error = js_sys::Reflect::get(&event, &JsValue::from_str("error"))
                .unwrap_or_else(|_| JsValue::from_str("unknown data channel error"));
            handler(Error::from_js(error))
        });
    }
}
