//! Helpers shared by the browser test files (each file is its own crate and uses only some of them): running
//! JavaScript, finding elements, mounting a view into a fresh element, and waiting for a condition or for a video
//! to play, failing with what the page showed.

#![allow(dead_code)]

use std::{any::Any, future::Future};

use leptos::{mount::mount_to, prelude::IntoView};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Element, HtmlButtonElement, HtmlElement, HtmlVideoElement};

// ---------------------------------------------------------------------------------------------------------------
// The page

/// The test page's document.
pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Runs JavaScript in the page (probes, stubs); a throw fails the test with the code that threw.
pub fn js(code: &str) -> JsValue {
    js_sys::eval(code).unwrap_or_else(|e| panic!("{code}: {e:?}"))
}

/// Runs JavaScript that returns a promise, and waits for its value; a rejection fails the test.
pub async fn js_async(code: &str) -> JsValue {
    let promise: js_sys::Promise = js(code).unchecked_into();
    JsFuture::from(promise)
        .await
        .unwrap_or_else(|e| panic!("{code}: {e:?}"))
}

/// Waits `ms` milliseconds, letting the page's tasks and events run.
pub async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// Lets queued tasks (promise results, events) run.
pub async fn tick() {
    sleep(0).await;
}

/// The page's clock, in milliseconds.
pub fn now() -> f64 {
    web_sys::window().unwrap().performance().unwrap().now()
}

/// The first element that matches `selector`.
pub fn find(selector: &str) -> Option<Element> {
    document().query_selector(selector).unwrap()
}

/// Every element that matches `selector`, in document order.
pub fn all(selector: &str) -> Vec<Element> {
    let list = document().query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|node| node.unchecked_into())
        .collect()
}

/// The element with this id, as the type the test expects; fails the test if there is none.
pub fn by_id<T: JsCast>(id: &str) -> T {
    document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("no #{id}"))
        .unchecked_into()
}

/// The button with this id.
pub fn button(id: &str) -> HtmlButtonElement {
    by_id(id)
}

/// The text of the element with this id, or "" if there is none.
pub fn text_of(id: &str) -> String {
    document()
        .get_element_by_id(id)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// The lines of the page's log panel (`#log`), oldest first.
pub fn log_lines() -> Vec<String> {
    all("#log li")
        .iter()
        .filter_map(|e| e.text_content())
        .collect()
}

/// The whole text of the page's log panel.
pub fn log_text() -> String {
    text_of("log")
}

/// What the page shows that explains a failed wait: the problem banner, the statistics panel, and the log.
pub fn page_state() -> String {
    let mut state = String::new();
    let problem = text_of("problem");
    if !problem.is_empty() {
        state += &format!("problem: {problem}\n");
    }
    if let Some(panel) = find(".stats") {
        state += &format!(
            "panel: {}\n",
            panel.unchecked_into::<HtmlElement>().inner_text()
        );
    }
    state + &format!("log:\n{}", log_lines().join("\n"))
}

// ---------------------------------------------------------------------------------------------------------------
// Mounting

/// A fresh element to mount into, after removing whatever a failed test left behind (wasm does not unwind, so a
/// panic skips its clean-up; a stale view must never shadow this one's ids).
pub fn fresh_host() -> HtmlElement {
    for stale in all("[data-test-host]") {
        stale.remove();
    }
    let host: HtmlElement = document().create_element("div").unwrap().unchecked_into();
    host.set_attribute("data-test-host", "").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    host
}

/// A view mounted into a fresh element; dropping it unmounts the view and removes the element.
pub struct Mounted {
    handle: Option<Box<dyn Any>>,
    host: HtmlElement,
}

impl Mounted {
    /// Mounts `view` into a [`fresh_host`].
    pub fn new<N: IntoView + 'static>(view: impl FnOnce() -> N + 'static) -> Mounted {
        let host = fresh_host();
        let handle = mount_to(host.clone(), view);
        Mounted {
            handle: Some(Box::new(handle)),
            host,
        }
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.handle.take();
        self.host.remove();
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Waiting

/// Waits up to `seconds` for `condition`, failing the test with `what` and [`page_state`] if it never holds.
pub async fn wait_for(what: &str, seconds: u32, mut condition: impl FnMut() -> bool) {
    let deadline = now() + f64::from(seconds) * 1000.0;
    while !condition() {
        if now() > deadline {
            panic!(
                "timed out after {seconds}s waiting for: {what}\n{}",
                page_state()
            );
        }
        sleep(20).await;
    }
}

/// [`wait_for`] with a condition that must itself wait (such as [`is_playing`]).
pub async fn wait_for_async<F: Future<Output = bool>>(
    what: &str,
    seconds: u32,
    mut check: impl FnMut() -> F,
) {
    let deadline = now() + f64::from(seconds) * 1000.0;
    while !check().await {
        if now() > deadline {
            panic!(
                "timed out after {seconds}s waiting for: {what}\n{}",
                page_state()
            );
        }
        sleep(250).await;
    }
}

/// True when the video has frames and its clock moves: it is really playing.
pub async fn is_playing(video: &HtmlVideoElement) -> bool {
    if video.video_width() == 0 || video.video_height() == 0 {
        return false;
    }
    let before = video.current_time();
    sleep(300).await;
    video.current_time() > before
}

/// Waits until `video` plays (see [`is_playing`]); `what` names it in the failure.
pub async fn assert_playing(video: &HtmlVideoElement, what: &str) {
    let video = video.clone();
    wait_for_async(&format!("{what} to play"), 20, move || {
        let video = video.clone();
        async move { is_playing(&video).await }
    })
    .await;
}

// ---------------------------------------------------------------------------------------------------------------
// Firefox

/// True in Firefox. Tests use it only to say why a step cannot run there, or where Firefox's fake devices differ
/// from Chromium's; each use names the reason.
pub fn in_firefox() -> bool {
    web_sys::window()
        .and_then(|window| window.navigator().user_agent().ok())
        .is_some_and(|agent| agent.contains("Firefox/"))
}

/// Says in the test's output (`-- --nocapture` shows it) that `test` cannot run in Firefox, and why; the caller
/// then returns. docs/TESTING.md lists these.
pub fn cannot_run_here(test: &str, why: &str) {
    wasm_bindgen_test::console_log!("not run in Firefox: {test}: {why}");
}
