//! Helpers shared by the browser test files (each file is its own crate and uses only some of them).

#![allow(dead_code)]

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

/// The test page's document.
pub fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Runs JavaScript in the page (probes, stubs); a throw fails the test with the code that threw.
pub fn js(code: &str) -> JsValue {
    js_sys::eval(code).unwrap_or_else(|e| panic!("{code}: {e:?}"))
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

/// The text of the element with this id, or "" if there is none.
pub fn text_of(id: &str) -> String {
    document()
        .get_element_by_id(id)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// True in Firefox. Tests use it only to say why a step cannot run there, or where Firefox's fake devices differ
/// from Chromium's; each use names the reason.
pub fn in_firefox() -> bool {
    web_sys::window()
        .and_then(|window| window.navigator().user_agent().ok())
        .is_some_and(|agent| agent.contains("Firefox/"))
}

/// Says in the test's output (`-- --nocapture` shows it) that `test` cannot run in Firefox, and why; the caller
/// then returns. The closing note of issue 14 and the README list these.
pub fn cannot_run_here(test: &str, why: &str) {
    wasm_bindgen_test::console_log!("not run in Firefox: {test}: {why}");
}
