//! The room page (`/room/<id>`): your camera, one tile per other person, the link to share, and Leave.

use std::{cell::Cell, rc::Rc};

use leptos::{prelude::*, task::spawn_local};
use protocol::PeerId;

use crate::{
    components::{
        chat::ChatPanel,
        local_media::{use_local_media, LocalMediaOptions},
        media_controls::MediaControls,
        stats_panel::StatsPanel,
        ui::{LogPanel, Problem, VideoTile},
    },
    log::provide_logger,
    model::log::millis,
    signaling::session::{Connection, RoomView, Session},
    webrtc::{now_ms, page},
};

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
    let host = page::host().unwrap_or_else(|| "127.0.0.1:8080".into());
    format!(
        "{}://{host}/ws",
        if page::is_https() { "wss" } else { "ws" }
    )
}

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
                drop(session.try_set_value(Some(Session::join(room, server, stream, view))));
            });
        }
    };
    join();

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
    let connections = Signal::derive_local(move || {
        view.tiles.with(|tiles| {
            tiles
                .values()
                .filter_map(|tile| tile.connection.clone())
                .collect()
        })
    });
    let channels = Signal::derive_local(move || {
        view.tiles.with(|tiles| {
            tiles
                .iter()
                .filter_map(|(id, tile)| Some((id.short().to_owned(), tile.channel.clone()?)))
                .collect()
        })
    });
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
            <ChatPanel id="chat" me=me_name channels=channels />

            <LogPanel />
        </main>
    }
}

/// One other person: their video (`data-peer` is their id) and how the connection is doing.
#[component]
fn RemoteTile(
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
    let on_first_frame = move || {
        if !first.replace(false) {
            return;
        }
        let tile = view
            .tiles
            .with_untracked(|tiles| tiles.get(&key).map(|tile| (tile.since, tile.dialed)));
        let text = match (tile, view.joined_at.get_untracked()) {
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

/// The page's address with a Copy button, to invite someone.
#[component]
fn ShareLink() -> impl IntoView {
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
