//! The alert banner.

use leptos::prelude::*;

/// The alert banner: the latest failure a person must act on, or nothing.
#[component]
pub fn Problem(
    /// The message to show; `None` hides the banner.
    message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message.get().map(|text| {
            view! {
                <p id="problem" class="problem" role="alert">
                    {text}
                </p>
            }
        })
    }
}
