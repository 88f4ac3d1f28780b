//! `RTCDataChannel`, with owned handlers; and the `Blob` pieces a file transfer needs: reading a slice,
//! building a file from received parts, and an object URL that is revoked on drop.

use std::cell::RefCell;

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, Event, MessageEvent, RtcDataChannel, RtcDataChannelState,
    RtcDataChannelType, Url,
};

use super::{Error, Listener};

/// What arrived on the channel: a text frame, or a binary one.
pub enum Payload {
    /// A text frame.
    Text(String),
    /// A binary frame (the channel's `binaryType` is `arraybuffer`).
    Binary(ArrayBuffer),
}

/// One end of a data channel, as a handle to pass around: cheap to clone, equal when it is the same channel.
///
/// It carries no handlers; wrap it in a [`DataChannel`] to listen and send.
#[derive(Clone, PartialEq)]
pub struct ChannelHandle(RtcDataChannel);

impl ChannelHandle {
    pub(super) fn new(channel: RtcDataChannel) -> Self {
        ChannelHandle(channel)
    }

    /// The JS object, for tests that inspect the channel from JS.
    #[doc(hidden)]
    pub fn js(&self) -> &JsValue {
        &self.0
    }
}

/// One end of a data channel and the handlers registered on it.
///
/// The connection owns the channel; this wrapper only listens and sends. Dropping it removes every handler (it
/// does not close the channel).
pub struct DataChannel {
    channel: RtcDataChannel,
    listeners: RefCell<Vec<Listener>>,
}

impl DataChannel {
    /// Listens on `handle`'s channel, and asks for binary frames as `ArrayBuffer`s (not `Blob`s).
    pub fn new(handle: &ChannelHandle) -> Self {
        let channel = handle.0.clone();
        channel.set_binary_type(RtcDataChannelType::Arraybuffer);
        DataChannel {
            channel,
            listeners: RefCell::new(Vec::new()),
        }
    }

    /// True when this listens on `handle`'s channel.
    pub fn is(&self, handle: &ChannelHandle) -> bool {
        self.channel == handle.0
    }

    /// `readyState`.
    pub fn ready_state(&self) -> RtcDataChannelState {
        self.channel.ready_state()
    }

    /// True when the channel can send.
    pub fn is_open(&self) -> bool {
        self.ready_state() == RtcDataChannelState::Open
    }

    /// `open`.
    pub fn on_open(&self, mut handler: impl FnMut() + 'static) -> Result<(), Error> {
        self.listen("open", move |_: Event| handler())
    }

    /// `close`.
    pub fn on_close(&self, mut handler: impl FnMut() + 'static) -> Result<(), Error> {
        self.listen("close", move |_: Event| handler())
    }

    /// `error` (an `RTCErrorEvent`), with the browser's error.
    pub fn on_error(&self, mut handler: impl FnMut(Error) + 'static) -> Result<(), Error> {
        self.listen("error", move |event: Event| {
            let error = js_sys::Reflect::get(&event, &JsValue::from_str("error"))
                .unwrap_or_else(|_| JsValue::from_str("unknown data channel error"));
            handler(Error::from_js(error))
        })
    }

    /// `message`: each text or binary frame. Anything else (a `Blob`, which `binaryType` rules out) is ignored.
    pub fn on_message(&self, mut handler: impl FnMut(Payload) + 'static) -> Result<(), Error> {
        self.listen("message", move |event: MessageEvent| {
            let data = event.data();
            if let Some(text) = data.as_string() {
                handler(Payload::Text(text));
            } else if let Ok(buffer) = data.dyn_into::<ArrayBuffer>() {
                handler(Payload::Binary(buffer));
            }
        })
    }

    /// `bufferedamountlow`: the send queue fell to the threshold or below.
    pub fn on_buffered_amount_low(&self, mut handler: impl FnMut() + 'static) -> Result<(), Error> {
        self.listen("bufferedamountlow", move |_: Event| handler())
    }

    /// Sends a text frame.
    pub fn send_text(&self, text: &str) -> Result<(), Error> {
        Ok(self.channel.send_with_str(text)?)
    }

    /// Sends the bytes of `bytes` (a view, so a part of a bigger buffer sends only that part) as a binary frame.
    pub fn send_bytes(&self, bytes: &Uint8Array) -> Result<(), Error> {
        Ok(self.channel.send_with_array_buffer_view(bytes)?)
    }

    /// `bufferedAmount`: bytes queued and not yet sent.
    pub fn buffered_amount(&self) -> u32 {
        self.channel.buffered_amount()
    }

    /// `bufferedAmountLowThreshold`: `bufferedamountlow` fires when the queue drains to this.
    pub fn set_buffered_amount_low_threshold(&self, bytes: u32) {
        self.channel.set_buffered_amount_low_threshold(bytes);
    }

    fn listen<E: JsCast>(
        &self,
        kind: &'static str,
        handler: impl FnMut(E) + 'static,
    ) -> Result<(), Error> {
        let listener = Listener::new(&self.channel, kind, handler)?;
        self.listeners.borrow_mut().push(listener);
        Ok(())
    }
}

/// Reads bytes `start..end` of a file or blob (`blob.slice(start, end).arrayBuffer()`): only that slice is
/// loaded.
pub async fn read_slice(blob: &Blob, start: u64, end: u64) -> Result<Uint8Array, Error> {
    let slice = blob.slice_with_f64_and_f64(start as f64, end as f64)?;
    let buffer = JsFuture::from(slice.array_buffer()).await?;
    Ok(Uint8Array::new(&buffer))
}

/// A blob of type `mime` made of `parts` (`Uint8Array`s, in order): `new Blob(parts, {type})`.
pub fn blob_from_parts(parts: &js_sys::Array, mime: &str) -> Result<Blob, Error> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Ok(Blob::new_with_u8_array_sequence_and_options(
        parts, &options,
    )?)
}

/// A `blob:` URL for a blob, for a download link; dropping it revokes the URL so the blob can be freed.
pub struct ObjectUrl(String);

impl ObjectUrl {
    /// `URL.createObjectURL(blob)`.
    pub fn new(blob: &Blob) -> Result<Self, Error> {
        Ok(ObjectUrl(Url::create_object_url_with_blob(blob)?))
    }

    /// The URL, for an `href`.
    pub fn href(&self) -> &str {
        &self.0
    }
}

impl Drop for ObjectUrl {
    fn drop(&mut self) {
        // Revoking an URL we made cannot fail; if it did, the blob would only live until the page goes.
        let _ = Url::revoke_object_url(&self.0);
    }
}
