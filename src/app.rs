//! The app's pages: the loopback demo at `/`, a room call at `/room/<id>`.

use leptos::prelude::*;
use leptos_router::{
    components::{Route, Router, Routes},
    path,
};

use crate::components::{demo::LoopbackDemo, room_page::RoomRoute};

/// The whole app: picks the page from the address.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=LoopbackDemo />
                <Route path=path!("/room/:id") view=RoomRoute />
            </Routes>
        </Router>
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
