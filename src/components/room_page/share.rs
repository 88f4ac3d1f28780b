//! The link to share, to invite someone.

use leptos::{prelude::*, task::spawn_local};

use crate::webrtc::page;

/// The page's address with a Copy button, to invite someone.
#[component]
pub(super) fn ShareLink() -> impl IntoView {
    let url = page::href();
    let (copied, set_copied) = signal(None::<&'static str>);
    let copy = {
        let url = url.clone();
        move |_| {
            let url = url.clone();
            spawn_local(async move {
                let outcome = page::copy_text(&url).await;
                set_copied.try_set(Some(if outcome {
                    "Copied"
                } else {
                    "Select the link and copy it (Ctrl+C)"
                }));
            });
        }
    };
    view! {
        <p class="share">
            <label for="roomLink">"Invite someone with this link: "</label>
            <input
                id="roomLink"
                type="text"
                readonly
                value=url
                on:focus=move |event| {
                    event_target::<web_sys::HtmlInputElement>(&event).select();
                }
            />
            <button id="copyLinkButton" class="secondary" on:click=copy>
                "Copy link"
            </button>
            <span class="copied" aria-live="polite">{move || copied.get()}</span>
        </p>
    }
}
