//! The app's pages: the loopback demo at `/`, a room call at `/room/<id>`.

use leptos::prelude::*;

use crate::{
    components::{demo::LoopbackDemo, room_page::RoomRoute},
    model::route::Route,
    webrtc::page,
};

/// The whole app: picks the page from the address, once (links between pages are ordinary page loads).
#[component]
pub fn App() -> impl IntoView {
    match Route::of(&page::path()) {
        Route::Demo => view! { <LoopbackDemo /> }.into_any(),
        Route::Room(room) => view! { <RoomRoute room=room /> }.into_any(),
        Route::NotFound => view! { <NotFound /> }.into_any(),
    }
}

/// Any other address.
#[component]
fn NotFound() -> impl IntoView {
    view! {
        <main class="app">
            <header class="intro">
                <h1>"Page not found"</h1>
                <p>"There is nothing at this address. " <a href="/">"Go to the demo"</a> "."</p>
            </header>
        </main>
    }
}
