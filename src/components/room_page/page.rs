//! The page of a room: joining and leaving, the status lines, the videos and the panels.

use leptos::prelude::*;

use super::{
    panels::{channels, connections, stats_list},
    room_view::RoomView,
    share::ShareLink,
    tile::RemoteTile,
};
use crate::{
    components::{
        chat::ChatPanel,
        connection_check::ConnectionCheck,
        local_media::{use_local_media, LocalMediaOptions},
        media_controls::MediaControls,
        ui::{LogPanel, Problem, VideoTile},
    },
    log::provide_logger,
    signaling::session::{Connection, Session},
    webrtc::{can_make_calls, Error},
};

/// A call with everyone in `room`: captures the camera, joins through `server`, and shows everyone.
#[component]
pub fn RoomPage(
    /// The room id (already validated).
    room: String,
    /// The signaling WebSocket URL.
    server: String,
) -> impl IntoView {
    let log = provide_logger();
    let view = RoomView::new(log);
    let session = StoredValue::new_local(None::<Session>);
    // Unmounting leaves the room, then the hook releases the camera.
    on_cleanup(move || {
        session.try_update_value(Option::take);
    });
    let local = use_local_media(LocalMediaOptions::default());

    // **Join**: the camera first (so there is something to send), then the room. Without a camera we still
    // join, to see and hear the others.
    let join = {
        let room = room.clone();
        move || {
            let (room, server) = (room.clone(), server.clone());
            view.connection.set(Connection::Connecting);
            local.start(move |captured| {
                let stream = match captured {
                    Ok(stream) => Some(stream),
                    Err(error) => {
                        log.problem(format!("{error} You can still see and hear the others."));
                        None
                    }
                };
                // If the page went away meanwhile, the session comes back here and leaves on drop.
                drop(session.try_set_value(Some(Session::join(
                    room,
                    server,
                    stream,
                    view.reporter(),
                ))));
            });
        }
    };
    // A browser without RTCPeerConnection is told so, instead of joining as if all were well.
    if can_make_calls() {
        join();
    } else {
        let reason = Error::NoPeerConnection.to_string();
        log.problem(reason.clone());
        view.connection.set(Connection::Refused(reason));
    }

    // **Leave**: out of the room, every connection closed, the camera off.
    let leave = move || {
        session.update_value(|session| {
            if let Some(session) = session.take() {
                session.leave();
            }
        });
        local.stop();
    };

    let in_room = move || {
        !matches!(
            view.connection.get(),
            Connection::Left | Connection::Refused(_)
        )
    };
    let me = move || match view.me.get() {
        Some(id) => format!("You ({})", id.short()),
        None => "You".into(),
    };
    // What the extras work on: the devices to capture with, every connection, every data channel.
    let connections = connections(view);
    let channels = channels(view);
    let me_name = Signal::derive(move || {
        view.me
            .get()
            .map(|id| id.short().to_owned())
            .unwrap_or_default()
    });
    let alone = move || {
        view.tiles.with(|tiles| tiles.is_empty()) && view.connection.get() == Connection::Joined
    };

    view! {
        <main class="app room">
            <header class="intro">
                <h1>"Room " <span class="room-id">{room.clone()}</span></h1>
                <ShareLink />
            </header>

            <Problem message=log.current_problem() />
            <p
                id="connection"
                class="status"
                class:warning=move || matches!(view.connection.get(), Connection::Reconnecting { .. })
                aria-live="polite"
            >
                {move || view.connection.get().text()}
            </p>
            <p id="notice" class="notice" aria-live="polite">
                {move || view.notice.get()}
            </p>

            <section class="videos">
                <VideoTile
                    id="localVideo"
                    label=Signal::derive(me)
                    empty="Camera off"
                    muted=true
                    stream=local.stream()
                    on_first_frame=|| {}
                />
                <For
                    each=move || view.tiles.with(|tiles| tiles.keys().cloned().collect::<Vec<_>>())
                    key=|id| id.clone()
                    let:id
                >
                    <RemoteTile id=id view=view />
                </For>
            </section>
            <Show when=alone>
                <p class="hint">"Nobody else is here yet. Send them the link above."</p>
            </Show>
            <ConnectionCheck servers=view.ice_servers />

            <div class="controls">
                <Show
                    when=in_room
                    fallback=move || {
                        let join = join.clone();
                        view! {
                            <button id="rejoinButton" on:click=move |_| join()>
                                "Join again"
                            </button>
                            <a class="button secondary" href="/">
                                "Back to the demo"
                            </a>
                        }
                    }
                >
                    <button id="leaveButton" on:click=move |_| leave()>
                        "Leave"
                    </button>
                </Show>
            </div>

            <MediaControls media=local.media choice=local.choice connections=connections />
            {stats_list(view)}
            <ChatPanel id="chat" me=me_name channels=channels />

            <LogPanel />
        </main>
    }
}
