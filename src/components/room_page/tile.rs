//! Another person's tile: their video, how the connection is doing, and when their first frame came.

use std::{cell::Cell, rc::Rc};

use leptos::prelude::*;
use protocol::PeerId;

use crate::{
    components::{room_page::room_view::RoomView, ui::VideoTile},
    model::log::millis,
    webrtc::now_ms,
};

/// One other person: their video (`data-peer` is their id) and how the connection is doing.
#[component]
pub(super) fn RemoteTile(
    /// Who.
    id: PeerId,
    /// The room, to read their stream and status from.
    view: RoomView,
) -> impl IntoView {
    let key = id.clone();
    let stream = Signal::derive_local(move || {
        view.tiles
            .with(|tiles| tiles.get(&key).and_then(|tile| tile.stream.clone()))
    });
    let key = id.clone();
    let status = Signal::derive(move || {
        view.tiles.with(|tiles| {
            tiles
                .get(&key)
                .map(|tile| tile.status.text().to_owned())
                .unwrap_or_default()
        })
    });
    // The first frame from this person. The newcomer times it from joining (it calls everyone at once); those
    // already here time it from the newcomer's arrival.
    let key = id.clone();
    let first = Rc::new(Cell::new(true));
    // It comes from the video's `resize`, which can come after the page unmounted: the `try_` reads skip it then.
    let on_first_frame = move || {
        if !first.replace(false) {
            return;
        }
        let tile = view
            .tiles
            .try_with_untracked(|tiles| tiles.get(&key).map(|tile| (tile.since, tile.dialed)))
            .flatten();
        let text = match (tile, view.joined_at.try_get_untracked().flatten()) {
            (Some((_, true)), Some(joined)) => {
                format!("{} ms after joining", millis(now_ms() - joined))
            }
            (Some((since, _)), _) => format!("{} ms after they joined", millis(now_ms() - since)),
            _ => return,
        };
        view.log
            .info(format!("First frame from {}: {text}", key.short()));
    };
    view! {
        <VideoTile
            peer=id.0.clone()
            label=id.short().to_owned()
            status=status
            empty="Connecting…"
            muted=false
            stream=stream
            on_first_frame=on_first_frame
        />
    }
}
