//! The chat lines.

use leptos::{prelude::*, tachys::view::keyed::keyed};

use crate::model::chat::ChatState;

/// The chat lines, newest at the bottom, kept scrolled to the end by CSS (`.chat-scroll`, as the log is): no
/// `scrollHeight` read, which would force a layout of the page, at mount and with every line.
#[component]
pub(super) fn ChatLines(
    /// The panel's id prefix.
    id: &'static str,
    /// The panel's state, whose lines these are.
    state: RwSignal<ChatState>,
) -> impl IntoView {
    // Changes only when a line is added, not with every transfer's progress.
    let newest = Memo::new(move |_| state.with(ChatState::newest_line));
    view! {
        <div class="chat-scroll">
        <ol class="chat-lines" id=format!("{id}-messages") aria-live="polite">
            {move || {
                newest.track();
                // Static rows keyed by id, without per-row owners (see `LogPanel`): the list rolls.
                keyed(
                    state.with_untracked(|state| state.lines().iter().cloned().collect::<Vec<_>>()),
                    |line| line.id,
                    |_, line| {
                        (
                            |_| {},
                            view! {
                                <li class:mine=line.mine>
                                    <b class="chat-from">{line.from.clone()}</b>
                                    " "
                                    <span class="chat-text">{line.text.clone()}</span>
                                </li>
                            },
                        )
                    },
                )
            }}
        </ol>
        </div>
        <p class="chat-empty" hidden=move || newest.with(Option::is_some)>
            "No messages yet."
        </p>
    }
}
