//! `setTimeout`, owned: dropping the [`Timeout`] cancels it and frees its closure.

use wasm_bindgen::{closure::Closure, JsCast};

use super::Error;

/// A callback that runs once after a delay, unless this value is dropped first.
#[must_use = "the timeout is cancelled as soon as it is dropped"]
pub struct Timeout {
    handle: i32,
    _closure: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Runs `callback` once, after `ms` milliseconds.
    pub fn new(ms: u32, callback: impl FnOnce() + 'static) -> Result<Self, Error> {
        let window = web_sys::window().ok_or_else(|| Error::Browser {
            name: "Error".into(),
            message: "no window to set a timer on".into(),
        })?;
        let mut callback = Some(callback);
        let closure = Closure::<dyn FnMut()>::new(move || {
            if let Some(callback) = callback.take() {
                callback();
            }
        });
        let handle = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            closure.as_ref().unchecked_ref(),
            i32::try_from(ms).unwrap_or(i32::MAX),
        )?;
        Ok(Timeout {
            handle,
            _closure: closure,
        })
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.handle);
        }
    }
}

/// Waits `ms` milliseconds (a `Timeout` turned into a future; dropping the future cancels it).
pub async fn sleep(ms: u32) {
    let (done, wait) = futures::channel::oneshot::channel::<()>();
    // Without a window there is no timer: return at once rather than never.
    let _timeout = Timeout::new(ms, move || {
        let _ = done.send(());
    });
    let _ = wait.await;
}
