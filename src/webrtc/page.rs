//! The page itself: its address, and the clipboard.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

fn location() -> Option<web_sys::Location> {
    web_sys::window().map(|window| window.location())
}

/// The page's path (`location.pathname`), or `/` where there is no window.
pub fn path() -> String {
    location()
        .and_then(|location| location.pathname().ok())
        .unwrap_or_else(|| "/".to_owned())
}

/// The page's whole address (`location.href`), or nothing where there is no window.
pub fn href() -> String {
    location()
        .and_then(|location| location.href().ok())
        .unwrap_or_default()
}

/// The page's host and port (`location.host`), if it has one.
pub fn host() -> Option<String> {
    location().and_then(|location| location.host().ok())
}

/// Whether the page came over HTTPS.
pub fn is_https() -> bool {
    location()
        .and_then(|location| location.protocol().ok())
        .is_some_and(|protocol| protocol == "https:")
}

/// `navigator.clipboard.writeText(text)`; false if the browser refused or has no clipboard API.
pub async fn copy_text(text: &str) -> bool {
    let Some(window) = web_sys::window() else {
        return false;
    };
    let clipboard = js_sys::Reflect::get(&window.navigator(), &JsValue::from_str("clipboard"));
    let Ok(clipboard) = clipboard else {
        return false;
    };
    let write = js_sys::Reflect::get(&clipboard, &JsValue::from_str("writeText"))
        .ok()
        .and_then(|write| write.dyn_into::<js_sys::Function>().ok());
    let Some(write) = write else {
        return false;
    };
    let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)) else {
        return false;
    };
    JsFuture::from(js_sys::Promise::resolve(&promise))
        .await
        .is_ok()
}
