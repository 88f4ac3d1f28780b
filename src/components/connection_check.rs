//! "Check my connection": gathers candidates with no server (direct), then against each STUN and TURN URL the
//! server handed us, one at a time, and says in words what works, with the round trip to each relay.

use leptos::{prelude::*, task::spawn_local};
use protocol::IceServer;

use crate::{
    model::ice::check::{self, Found, Verdict},
    webrtc::ice_check::gather,
};

/// How long gathering against one server may take.
const TIMEOUT_MS: u32 = 5_000;

/// The check's button and its report.
#[component]
pub fn ConnectionCheck(
    /// The STUN and TURN servers to check (the room's, with this person's credentials).
    servers: RwSignal<Vec<IceServer>>,
) -> impl IntoView {
    // One text, a line per server: a list of elements costs more wasm.
    let report = RwSignal::new(String::new());
    let running = RwSignal::new(false);
    let run = move |_| {
        running.set(true);
        report.set(String::new());
        let servers = servers.get_untracked();
        spawn_local(async move {
            let say = |verdict: Verdict| report.try_update(|text| text.push_str(&verdict.line()));
            say(verdict(None, "", check::host).await);
            if servers.is_empty() {
                say(Verdict {
                    works: false,
                    text: "No STUN or TURN server is set on the server: calls work within one network only."
                        .into(),
                });
            }
            // One URL at a time, so that each verdict is that URL's alone.
            for server in servers {
                for url in &server.urls {
                    let one = IceServer {
                        urls: vec![url.clone()],
                        ..server.clone()
                    };
                    say(verdict(Some(one), url, check::server_verdict).await);
                }
            }
            running.try_set(false);
        });
    };
    view! {
        <section class="connection-check">
            <button id="checkButton" on:click=run disabled=running>
                "Check my connection"
            </button>
            <pre id="connectionCheck" aria-live="polite">
                {move || report.get()}
            </pre>
        </section>
    }
}

/// Gathers with `server` and reads what it found with `read`.
async fn verdict(
    server: Option<IceServer>,
    url: &str,
    read: fn(&str, &Found) -> Verdict,
) -> Verdict {
    match gather(server, TIMEOUT_MS).await {
        Ok((candidates, errors)) => read(url, &Found { candidates, errors }),
        Err(error) => Verdict {
            works: false,
            text: format!("Could not check: {error}"),
        },
    }
}
