//! The room page (`/room/<id>`): your camera, one tile per other person, the link to share, and Leave.
//!
//! In `room_page/`: the route and the signaling address (here), the page itself (`page.rs`), what it shows of the
//! room and the hook that writes the session's events into it (`room_view.rs`), what its panels work on
//! (`panels.rs`), another person's tile (`tile.rs`) and the link to share (`share.rs`).

mod page;
mod panels;
mod room_view;
mod share;
mod tile;

use leptos::prelude::*;

use crate::webrtc;

pub use self::page::RoomPage;

/// `/room/:id`: the room named in the address, or a message if the id cannot be a room.
#[component]
pub fn RoomRoute(
    /// The room id from the address (`/room/<id>`).
    room: String,
) -> impl IntoView {
    {
        if protocol::is_valid_room_id(&room) {
            view! { <RoomPage room=room server=signaling_url() /> }.into_any()
        } else {
            view! {
                <main class="app">
                    <header class="intro">
                        <h1>"Not a room link"</h1>
                        <p id="problem" class="problem" role="alert">
                            "A room id is 1 to 64 letters, digits, '-' or '_'. "
                            <a href="/">"Start a new room from the demo page"</a>
                            "."
                        </p>
                    </header>
                </main>
            }
            .into_any()
        }
    }
}

/// The signaling WebSocket of the server that served this page: `ws(s)://<host>/ws`.
pub fn signaling_url() -> String {
    let host = webrtc::page::host().unwrap_or_else(|| "127.0.0.1:8080".into());
    format!(
        "{}://{host}/ws",
        if webrtc::page::is_https() {
            "wss"
        } else {
            "ws"
        }
    )
}
