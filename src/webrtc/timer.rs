//! `setTimeout`, owned: dropping the [`Timeout`] cancels it and frees its closure (gloo-timers).

/// A callback that runs once after a delay, unless this value is dropped first.
#[must_use = "the timeout is cancelled as soon as it is dropped"]
pub struct Timeout {
    _pending: gloo_timers::callback::Timeout,
}

impl Timeout {
    /// Runs `callback` once, after `ms` milliseconds.
    pub fn new(ms: u32, callback: impl FnOnce() + 'static) -> Self {
        Timeout {
            _pending: gloo_timers::callback::Timeout::new(ms, callback),
        }
    }
}

/// Waits `ms` milliseconds (dropping the future cancels the timer).
pub async fn sleep(ms: u32) {
    gloo_timers::future::TimeoutFuture::new(ms).await;
}
