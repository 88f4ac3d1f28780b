//! Cameras, microphones and screens: `enumerateDevices`, `devicechange`, constrained `getUserMedia`,
//! `getDisplayMedia`, a track's `ended` and `applyConstraints`. What takes or gives a track is for
//! [`super::LocalMedia`] only.
//!
//! A little over 150 lines: one small wrapper per browser call, all on `navigator.mediaDevices`.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    DisplayMediaStreamConstraints, Event, MediaDeviceInfo, MediaDeviceKind, MediaDevices,
    MediaStream, MediaStreamConstraints, MediaStreamTrack,
};

use super::{Error, Listener};

/// Every camera and microphone, in the browser's order, as `(cameras, microphones)`: each a `(deviceId, label)`
/// pair. An id is empty until the page may use the devices, a label until the person allowed them.
pub async fn list() -> Result<(Vec<(String, String)>, Vec<(String, String)>), Error> {
    let found = JsFuture::from(media_devices()?.enumerate_devices()?).await?;
    let (mut cameras, mut microphones) = (Vec::new(), Vec::new());
    for info in js_sys::Array::from(&found).iter() {
        let Ok(info) = info.dyn_into::<MediaDeviceInfo>() else {
            continue;
        };
        match info.kind() {
            MediaDeviceKind::Videoinput => cameras.push((info.device_id(), info.label())),
            MediaDeviceKind::Audioinput => microphones.push((info.device_id(), info.label())),
            _ => {}
        }
    }
    Ok((cameras, microphones))
}

/// Calls `handler` on every `devicechange` (a device plugged in or out, or names now visible).
/// Fails only where the browser has no `navigator.mediaDevices`.
pub fn on_change(mut handler: impl FnMut() + 'static) -> Result<Listener, Error> {
    let devices = media_devices()?;
    Ok(Listener::new(&devices, "devicechange", move |_: Event| {
        handler()
    }))
}

/// Calls `handler` when `track` ends by itself: its device was unplugged or taken, or the person stopped a
/// screen share from the browser's own bar. (`stop()` from this page does not fire it.)
pub(super) fn on_ended(track: &MediaStreamTrack, mut handler: impl FnMut() + 'static) -> Listener {
    Listener::new(track, "ended", move |_: Event| handler())
}

/// The constraints for one kind of track: `true` (the browser's choice), or the named device and size, each
/// required `exact`ly, so that a camera that cannot do a size fails (`OverconstrainedError`) instead of
/// quietly sending another one. An empty device id (devices not visible yet) names no device.
pub(super) fn constraints(device: Option<&str>, size: Option<(u32, u32)>) -> JsValue {
    let device = device.filter(|id| !id.is_empty());
    if device.is_none() && size.is_none() {
        return JsValue::TRUE;
    }
    let constraints = js_sys::Object::new();
    if let Some(id) = device {
        set(&constraints, "deviceId", &exact(&JsValue::from_str(id)));
    }
    if let Some((width, height)) = size {
        set(&constraints, "width", &exact(&JsValue::from(width)));
        set(&constraints, "height", &exact(&JsValue::from(height)));
    }
    constraints.into()
}

/// `getUserMedia({audio, video})`, each side as [`constraints`] makes it (or `false` for none).
pub(super) async fn user_media(audio: &JsValue, video: &JsValue) -> Result<MediaStream, Error> {
    let request = MediaStreamConstraints::new();
    request.set_audio(audio);
    request.set_video(video);
    let promise = media_devices()?.get_user_media_with_constraints(&request)?;
    as_stream(
        JsFuture::from(promise)
            .await
            .map_err(|e| Error::from_js(e).in_device_request())?,
    )
}

/// One new track from `getUserMedia`: audio (`video == false`) or video, from `device` at `size`.
pub(super) async fn track(
    video: bool,
    device: Option<&str>,
    size: Option<(u32, u32)>,
) -> Result<MediaStreamTrack, Error> {
    let wanted = constraints(device, size);
    let stream = if video {
        user_media(&JsValue::FALSE, &wanted).await?
    } else {
        user_media(&wanted, &JsValue::FALSE).await?
    };
    let track = first_track(&stream)?;
    // Firefox's fake camera ignores `exact` and hands out the nearest size it has (4096x2160 for 10000x10000).
    if size.is_some() && settings(&track).1 != size {
        track.stop();
        return Err(size_refused());
    }
    Ok(track)
}

/// `track.applyConstraints({width: {exact}, height: {exact}})`: the running camera changes its size in place.
/// If it cannot, the promise fails (`OverconstrainedError`) and the track keeps its old settings. `Ok(false)`:
/// the browser took the constraints but the camera kept its size (Firefox's fake camera does that).
pub(super) async fn resize(
    track: &MediaStreamTrack,
    (width, height): (u32, u32),
) -> Result<bool, Error> {
    let constraints = constraints(None, Some((width, height)));
    JsFuture::from(track.apply_constraints_with_constraints(constraints.unchecked_ref())?).await?;
    Ok(settings(track).1 == Some((width, height)))
}

/// What a camera that does not give the size asked for fails with, as the browser would say it.
pub(super) fn size_refused() -> Error {
    Error::Overconstrained {
        constraint: "width".into(),
    }
}

/// True where the browser can share a screen (`getDisplayMedia` exists; not on most phones).
pub fn can_share_screen() -> bool {
    media_devices()
        .ok()
        .and_then(|devices| {
            js_sys::Reflect::has(&devices, &JsValue::from_str("getDisplayMedia")).ok()
        })
        .unwrap_or(false)
}

/// `getDisplayMedia({video: true})`: the browser asks which screen, window or tab to share; its video track.
pub(super) async fn screen() -> Result<MediaStreamTrack, Error> {
    let request = DisplayMediaStreamConstraints::new();
    request.set_video(&JsValue::TRUE);
    let promise = media_devices()?.get_display_media_with_constraints(&request)?;
    first_track(&as_stream(
        JsFuture::from(promise)
            .await
            .map_err(|e| Error::from_js(e).in_device_request())?,
    )?)
}

/// The device and size a track really uses (`getSettings()`); a size is `None` for audio.
pub(super) fn settings(track: &MediaStreamTrack) -> (Option<String>, Option<(u32, u32)>) {
    let settings = track.get_settings();
    let size = match (settings.get_width(), settings.get_height()) {
        (Some(width), Some(height)) if width > 0 && height > 0 => {
            Some((width.unsigned_abs(), height.unsigned_abs()))
        }
        _ => None,
    };
    (settings.get_device_id(), size)
}

/// `navigator.mediaDevices`, or [`Error::NoMediaDevices`] where the browser hides it (insecure contexts).
pub(super) fn media_devices() -> Result<MediaDevices, Error> {
    let navigator = web_sys::window().ok_or(Error::NoMediaDevices)?.navigator();
    // web-sys's getter would hand back `undefined` typed as MediaDevices; look first.
    let devices = js_sys::Reflect::get(&navigator, &JsValue::from_str("mediaDevices"))?;
    if devices.is_undefined() || devices.is_null() {
        return Err(Error::NoMediaDevices);
    }
    Ok(devices.unchecked_into())
}

fn as_stream(value: JsValue) -> Result<MediaStream, Error> {
    value.dyn_into::<MediaStream>().map_err(|_| Error::Browser {
        name: "TypeError".into(),
        message: "the browser did not return a MediaStream".into(),
    })
}

fn first_track(stream: &MediaStream) -> Result<MediaStreamTrack, Error> {
    stream
        .get_tracks()
        .get(0)
        .dyn_into::<MediaStreamTrack>()
        .map_err(|_| Error::NoDevice)
}

/// `{exact: value}`.
fn exact(value: &JsValue) -> JsValue {
    let object = js_sys::Object::new();
    set(&object, "exact", value);
    object.into()
}

fn set(object: &js_sys::Object, key: &str, value: &JsValue) {
    // Setting a property of a plain new object cannot fail.
    let _ = js_sys::Reflect::set(object, &JsValue::from_str(key), value);
}
