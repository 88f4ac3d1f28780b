//! The chat lines.

use leptos::{prelude::*, tachys::view::keyed::keyed};

use crate::model::chat::ChatState;

/// The chat lines, newest at the bottom, kept scrolled to the end.
#[component]
pub(super) fn ChatLines(
    /// The panel's id prefix.
    id: &'static str,
    /// The panel's state, whose lines these are.
    state: RwSignal<ChatState>,
) -> impl IntoView {
    // Changes only when a line is added, not with every transfer's progress.
    let newest = Memo::new(move |_| state.with(ChatState::newest_line));
    let list = NodeRef::<leptos::html::Ol>::new();
    Effect::new(move |_| {
        newest.track();
        if let Some(list) = list.get() {
            list.set_scroll_top(list.scroll_height());
        }
    });
    view! {
        <ol class="chat-lines" id=format!("{id}-messages") node_ref=list aria-live="polite">
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
        <p class="chat-empty" hidden=move || newest.with(Option::is_some)>
            "No messages yet."
        </p>
    }
}
