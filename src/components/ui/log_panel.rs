//! The log panel.

use std::sync::Arc;

use leptos::{prelude::*, tachys::view::keyed::keyed};

use crate::{
    log::use_logger,
    model::log::{Entry, Level},
};

/// One line of the log: its time, and its text (red for an error).
#[component]
fn LogLine(
    /// The line to show.
    entry: Arc<Entry>,
) -> impl IntoView {
    view! {
        <li class:error=entry.level == Level::Error>
            <time>{entry.time.clone()}</time>
            " "
            <span>{entry.text.clone()}</span>
        </li>
    }
}

/// The log: one timestamped line per step, newest at the bottom, kept scrolled to the end.
///
/// The scrolling is CSS's (`.log-scroll` is a `column-reverse` flex box, which browsers keep anchored at its
/// end), not ours: reading `scrollHeight` after each new line forced a layout of the whole page every time, 34 ms
/// of main-thread work during each call's setup, which made Call to the first remote frame slower.
#[component]
pub fn LogPanel() -> impl IntoView {
    let log = use_logger();
    let lines = log.lines();

    view! {
        <section class="log">
            <h2>"Log"</h2>
            <div class="log-scroll">
            <ol id="log">
                {move || {
                    // Rows are keyed by id, so a new line adds one <li> and the oldest drops one, without
                    // touching the rest. Not `<For>`: it gives every row a reactive owner that its parent
                    // remembers until unmount (about 100 bytes a line, 3 KB a call), and these rows are static.
                    keyed(
                        lines.with(|lines| lines.iter().cloned().collect::<Vec<_>>()),
                        |entry| entry.id,
                        |_, entry| (|_| {}, view! { <LogLine entry=entry /> }),
                    )
                }}
            </ol>
            </div>
        </section>
    }
}
