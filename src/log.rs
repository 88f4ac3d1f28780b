//! The page's log and alert banner: a [`Logger`] handle, shared through Leptos context.
//!
//! Used by the signaling layer and the components alike. [`provide_logger`] makes one for a page;
//! [`use_logger`] finds it from any component under it.

use leptos::prelude::*;

use crate::model::log::{clock, Level, Lines};

/// A cheap, copyable handle for writing to the page's log; errors also go to the browser console.
///
/// Steps are not mirrored to the console: with developer tools attached, each `console.log` is serialized for
/// them, about 12 ms of main-thread work during a call's setup, for lines the page shows anyway.
///
/// It also carries the page's *problem*: the one failure a person must see in the alert banner, not only in
/// the log. Writes after the page has unmounted are ignored.
#[derive(Clone, Copy)]
pub struct Logger {
    lines: RwSignal<Lines>,
    problem: RwSignal<Option<String>>,
}

impl Logger {
    /// A new, empty log with no problem.
    pub fn new() -> Self {
        Logger {
            lines: RwSignal::new(Lines::default()),
            problem: RwSignal::new(None),
        }
    }

    /// Logs a step.
    pub fn info(&self, text: impl Into<String>) {
        self.push(Level::Info, text.into());
    }

    /// Logs a failure (in red).
    pub fn error(&self, text: impl Into<String>) {
        self.push(Level::Error, text.into());
    }

    /// Logs a failure and shows it in the alert banner until [`Logger::clear_problem`].
    pub fn problem(&self, text: impl Into<String>) {
        let text = text.into();
        self.push(Level::Error, text.clone());
        self.problem.try_set(Some(text));
    }

    /// Hides the alert banner (the person is trying again).
    pub fn clear_problem(&self) {
        self.problem.try_set(None);
    }

    /// The lines, for the log panel.
    pub fn lines(&self) -> Signal<Lines> {
        self.lines.into()
    }

    /// The failure to show in the alert banner, if any.
    pub fn current_problem(&self) -> Signal<Option<String>> {
        self.problem.into()
    }

    fn push(&self, level: Level, text: String) {
        if level == Level::Error {
            leptos::logging::error!("{text}");
        }
        let now = js_sys::Date::new_0();
        let time = clock(
            now.get_hours(),
            now.get_minutes(),
            now.get_seconds(),
            now.get_milliseconds(),
        );
        self.lines.try_update(|lines| lines.push(time, level, text));
    }
}

impl Default for Logger {
    fn default() -> Self {
        Self::new()
    }
}

/// Makes a fresh [`Logger`] and provides it to every component under the caller (one per page).
pub fn provide_logger() -> Logger {
    let log = Logger::new();
    provide_context(log);
    log
}

/// The [`Logger`] a page provided; a detached one (that no panel shows) if none was, so that a component
/// mounted on its own, as in a test, still works.
pub fn use_logger() -> Logger {
    use_context::<Logger>().unwrap_or_default()
}
