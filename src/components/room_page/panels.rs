//! What the room's panels work on, read from the tiles: every connection (media controls), every data channel
//! (chat), and a stats panel per person.

use std::rc::Rc;

use leptos::prelude::*;

use super::room_view::RoomView;
use crate::{
    components::stats_panel::StatsPanel,
    webrtc::{channel::ChannelHandle, PeerConnection},
};

/// Every connection of the room, one per person who has one.
pub(super) fn connections(view: RoomView) -> Signal<Vec<Rc<PeerConnection>>, LocalStorage> {
    Signal::derive_local(move || {
        view.tiles.with(|tiles| {
            tiles
                .values()
                .filter_map(|tile| tile.connection.clone())
                .collect()
        })
    })
}

/// Every data channel of the room, each with the short id of the person at the other end.
pub(super) fn channels(view: RoomView) -> Signal<Vec<(String, ChannelHandle)>, LocalStorage> {
    Signal::derive_local(move || {
        view.tiles.with(|tiles| {
            tiles
                .iter()
                .filter_map(|(id, tile)| Some((id.short().to_owned(), tile.channel.clone()?)))
                .collect()
        })
    })
}

/// A stats panel per person ("Call with 3f9a1c"), on that person's connection.
pub(super) fn stats_list(view: RoomView) -> impl IntoView {
    view! {
        <section class="stats-list">
            <For
                each=move || view.tiles.with(|tiles| tiles.keys().cloned().collect::<Vec<_>>())
                key=|id| id.clone()
                let:id
            >
                <StatsPanel
                    title=format!("Call with {}", id.short())
                    connections=Signal::derive_local(move || {
                        view.tiles
                            .with(|tiles| tiles.get(&id).and_then(|tile| tile.connection.clone()))
                            .into_iter()
                            .collect()
                    })
                />
            </For>
        </section>
    }
}
