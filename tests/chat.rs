//! Chat and file transfer in a real browser (headless Chromium, fake camera): a real loopback `Call` and the two
//! panels fed with its two ends of the data channel, as the demo page does, driven through the DOM.
//!
//! Over 300 lines: a test suite, one independent test per behaviour of chat and files.

#![cfg(target_arch = "wasm32")]

use leptos::{mount::mount_to, prelude::*};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement, HtmlElement, HtmlInputElement};

use webrtc_demo::{
    components::{chat::ChatPanel, loopback_call::start_call, ui::LogPanel},
    log::Logger,
    model::frames::MAX_FILE_SIZE,
    signaling::call::Call,
    webrtc::{channel::ChannelHandle, LocalMedia},
};

wasm_bindgen_test_configure!(run_in_browser);

mod support;
use support::{all, by_id, find, fresh_host, js, js_async, now, tick, wait_for};

// ---------------------------------------------------------------------------------------------------------------
// Helpers

/// The element exists and is not hidden.
fn shown(selector: &str) -> bool {
    find(selector).is_some_and(|e| !e.has_attribute("hidden"))
}

fn text(selector: &str) -> String {
    find(selector)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// The two panels of the demo, on a loopback call that `start_call` makes and `hang_up` ends.
struct Page {
    host: HtmlElement,
    handle: Option<Box<dyn std::any::Any>>,
    call: RwSignal<Option<Call>, LocalStorage>,
    media: LocalMedia,
    log: Logger,
}

impl Page {
    async fn new(limit: u64) -> Page {
        js(FILE_HELPERS);
        let media = LocalMedia::capture().await.expect("the fake camera");
        let log = Logger::new();
        let call = RwSignal::new_local(None::<Call>);
        let end = move |pick: fn(&Call) -> (String, ChannelHandle)| {
            Signal::derive_local(move || {
                call.with(|call| call.as_ref().map(pick).into_iter().collect::<Vec<_>>())
            })
        };
        let pc1_end = end(|call| ("pc2".to_owned(), call.channels().0.clone()));
        let pc2_end = end(|call| ("pc1".to_owned(), call.channels().1.clone()));
        let host = fresh_host();
        let handle = mount_to(host.clone(), move || {
            provide_context(log);
            view! {
                <ChatPanel
                    id="chat-pc1"
                    me=Signal::derive(|| "pc1".to_owned())
                    channels=pc1_end
                    max_file_size=limit
                />
                <ChatPanel
                    id="chat-pc2"
                    me=Signal::derive(|| "pc2".to_owned())
                    channels=pc2_end
                    max_file_size=limit
                />
                <LogPanel />
            }
        });
        Page {
            host,
            handle: Some(Box::new(handle)),
            call,
            media,
            log,
        }
    }

    /// Calls, and waits until both panels can send.
    async fn start_call(&self) {
        let call = start_call(&self.media, self.log, |_| {}).expect("a call");
        self.call.set(Some(call));
        wait_for("both panels to be able to send files", 20, || {
            !input("chat-pc1-file").disabled() && !input("chat-pc2-file").disabled()
        })
        .await;
    }

    fn hang_up(&self) {
        self.call.set(None);
    }

    /// Unmounts the panels (the call stays up).
    fn unmount(&mut self) {
        self.handle.take();
        self.host.remove();
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        self.handle.take();
        self.host.remove();
        self.call.set(None);
    }
}

fn input(id: &str) -> HtmlInputElement {
    by_id(id)
}

fn button(selector: &str) -> HtmlButtonElement {
    find(selector)
        .unwrap_or_else(|| panic!("no {selector}"))
        .unchecked_into()
}

/// Types `words` into a panel's message box (as a person does: value, then an `input` event).
fn type_text(panel: &str, words: &str) {
    let field = input(&format!("{panel}-text"));
    field.set_value(words);
    field
        .dispatch_event(&web_sys::Event::new("input").unwrap())
        .unwrap();
}

/// Types `words` into a panel's message box and, once its Send button has taken them, submits the form as Enter
/// does.
async fn press_enter_with(panel: &str, words: &str) {
    type_text(panel, words);
    wait_for(
        &format!("{panel}'s Send button to take the line"),
        5,
        || !button(&format!("#{panel} form button[type=submit]")).disabled(),
    )
    .await;
    js(&format!(
        "document.querySelector('#{panel} form').requestSubmit()"
    ));
}

/// Makes `window.pickFile(inputId, size, name)`: a file of `size` pseudo-random bytes, kept in
/// `window.sentBytes`, put in the file input through a `DataTransfer` and announced with `change`; and
/// `window.sha256(buffer)`, lowercase hex.
const FILE_HELPERS: &str = r#"
    window.pickFile = (inputId, size, name) => {
        const bytes = new Uint8Array(size);
        const words = new Uint32Array(bytes.buffer, 0, size >> 2);
        let x = 0x9e3779b9 ^ size;
        for (let i = 0; i < words.length; i++) {
            x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
            words[i] = x;
        }
        for (let i = words.length * 4; i < size; i++) bytes[i] = i & 255;
        window.sentBytes = bytes;
        const transfer = new DataTransfer();
        transfer.items.add(new File([bytes], name));
        const input = document.getElementById(inputId);
        input.files = transfer.files;
        input.dispatchEvent(new Event('change', { bubbles: true }));
    };
    window.sha256 = async (buffer) =>
        Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', buffer)))
            .map((b) => b.toString(16).padStart(2, '0'))
            .join('');
"#;

/// Counts the event listeners registered on data channels (`window.channelListeners`), and records uncaught
/// errors and rejections (`window.uncaught`). Keeps every data channel that got a listener (`window.channels`)
/// and counts sends, in all (`window.sends`), per channel (`channel.sent`), and on the channels marked by
/// `window.markChannels()` (`window.markedSends`); `window.crossMarker(text)` sends `text` past the app (the
/// native `send` and `addEventListener`) on the channel that sent the most, and resolves once the other end has
/// it.
fn install_probes() {
    js(r#"
        if (!window.channelListeners) {
            const add = EventTarget.prototype.addEventListener;
            const remove = EventTarget.prototype.removeEventListener;
            const live = new Set();
            EventTarget.prototype.addEventListener = function (type, listener, ...rest) {
                if (this instanceof RTCDataChannel) {
                    live.add(listener);
                    window.channels.add(this);
                }
                return add.call(this, type, listener, ...rest);
            };
            EventTarget.prototype.removeEventListener = function (type, listener, ...rest) {
                if (this instanceof RTCDataChannel) live.delete(listener);
                return remove.call(this, type, listener, ...rest);
            };
            window.channelListeners = () => live.size;
            const send = RTCDataChannel.prototype.send;
            window.sends = 0;
            RTCDataChannel.prototype.send = function (...args) {
                window.sends += 1;
                this.sent = (this.sent ?? 0) + 1;
                if (window.marked.has(this)) window.markedSends += 1;
                return send.apply(this, args);
            };
            window.markChannels = () => {
                window.marked = new Set(window.channels);
                window.markedSends = 0;
            };
            window.crossMarker = (text) => new Promise((resolve) => {
                const open = [...window.channels].filter((c) => c.readyState === 'open');
                const sender = open.reduce((a, b) => ((b.sent ?? 0) > (a.sent ?? 0) ? b : a));
                const receiver = open.find((c) => c !== sender && c.label === sender.label);
                add.call(receiver, 'message', (event) => {
                    if (event.data === text) resolve();
                });
                send.call(sender, text);
            });
            window.uncaught = [];
            window.addEventListener('error', (e) => window.uncaught.push(String(e.message)));
            window.addEventListener('unhandledrejection', (e) => window.uncaught.push(String(e.reason)));
        }
        window.uncaught.length = 0;
        window.channels = new Set();
        window.marked = new Set();
        window.markedSends = 0;
    "#);
}

fn channel_listeners() -> u32 {
    js("window.channelListeners()").as_f64().unwrap() as u32
}

fn sends() -> u32 {
    js("window.sends").as_f64().unwrap() as u32
}

/// Nothing more is sent on any data channel: a chat line that pc1 sends now crosses to pc2 (the channel is
/// ordered, so whatever was sent before it arrives first, and the sender's pacing had its chance while the
/// channel drained), and that line is the only send meanwhile.
async fn assert_quiet() {
    let sent = sends();
    press_enter_with("chat-pc1", "Sent after the transfer stopped").await;
    wait_for(
        "the line sent after the transfer stopped to reach pc2",
        20,
        || text("#chat-pc2-messages").contains("Sent after the transfer stopped"),
    )
    .await;
    assert_eq!(sends(), sent + 1, "no further chunks are sent");
}

/// Sends since `mark_channels`, on the channels there were then.
fn sends_on_marked_channels() -> u32 {
    js("window.markedSends").as_f64().unwrap() as u32
}

fn uncaught() -> String {
    js("window.uncaught.join('\\n')").as_string().unwrap()
}

fn pick_file(panel: &str, size: u64, name: &str) {
    js(&format!(
        "window.pickFile('{panel}-file', {size}, '{name}')"
    ));
}

/// A panel's transfer rows, oldest first.
fn rows(panel: &str) -> Vec<Element> {
    all(&format!("#{panel}-transfers > li"))
}

/// A panel's latest transfer row.
fn last_row(panel: &str) -> Option<Element> {
    rows(panel).pop()
}

fn state(panel: &str) -> String {
    last_row(panel)
        .and_then(|row| row.get_attribute("data-state"))
        .unwrap_or_default()
}

fn row_text(panel: &str, class: &str) -> String {
    last_row(panel)
        .and_then(|row| row.query_selector(&format!(".{class}")).unwrap())
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

/// The latest row's `<progress>` as (value, max).
fn bar(panel: &str) -> (f64, f64) {
    let Some(progress) = last_row(panel).and_then(|row| row.query_selector("progress").unwrap())
    else {
        return (0.0, 0.0);
    };
    let number = |name: &str| {
        progress
            .get_attribute(name)
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0)
    };
    (number("value"), number("max"))
}

fn download_link(panel: &str) -> Option<Element> {
    last_row(panel).and_then(|row| row.query_selector("a[download]").unwrap())
}

/// Waits until the receiver (pc2) has some but not all of file `name`, then runs `act` at once.
async fn when_mid_way(name: &str, act: impl Fn()) {
    let mut acted = false;
    let what = format!("pc2 to be receiving {name}");
    wait_for(&what, 30, || {
        if !row_text("chat-pc2", "chat-transfer-name").contains(name) {
            return false;
        }
        let (value, max) = bar("chat-pc2");
        if state("chat-pc2") == "running" && value > 0.0 && value < max {
            act();
            acted = true;
        }
        acted || state("chat-pc2") == "verified"
    })
    .await;
    assert!(
        acted,
        "the transfer finished before it could be interrupted"
    );
}

/// Sends a small file from pc1 and checks it verifies: the panels recovered from whatever came before.
async fn a_small_file_still_verifies() {
    let before = rows("chat-pc2").len();
    pick_file("chat-pc1", 100_000, "after.bin");
    wait_for("a new row on pc2", 10, || {
        rows("chat-pc2").len() == before + 1
    })
    .await;
    wait_for("after.bin verified on pc2", 20, || {
        state("chat-pc2") == "verified"
    })
    .await;
    assert!(row_text("chat-pc2", "chat-transfer-name").contains("after.bin"));
}

const MB: u64 = 1_000_000;

// ---------------------------------------------------------------------------------------------------------------
// Tests

#[wasm_bindgen_test]
async fn chat_goes_both_ways_and_sending_says_why_it_cannot() {
    let page = Page::new(MAX_FILE_SIZE).await;
    for panel in ["chat-pc1", "chat-pc2"] {
        assert!(button(&format!("#{panel}-send")).disabled());
        assert!(input(&format!("{panel}-file")).disabled());
        assert!(shown(&format!("#{panel}-reason")));
        assert!(
            text(&format!("#{panel}-reason")).contains("nobody to send to"),
            "{panel}: {}",
            text(&format!("#{panel}-reason"))
        );
    }
    assert!(text("#chat-pc1-limit").contains("up to 500 MB"));

    page.start_call().await;
    assert!(!shown("#chat-pc1-reason"), "no reason once open");
    assert!(text("#chat-pc1").contains("with pc2 (connected)"));
    assert!(
        button("#chat-pc1-send").disabled(),
        "nothing typed, nothing to send"
    );
    type_text("chat-pc1", "Hello from pc1");
    wait_for("Send to be enabled", 5, || {
        !button("#chat-pc1-send").disabled()
    })
    .await;
    button("#chat-pc1-send").click();
    wait_for("the message on pc2's side", 10, || {
        text("#chat-pc2-messages").contains("Hello from pc1")
    })
    .await;
    assert_eq!(
        text("#chat-pc2-messages li .chat-from"),
        "pc1",
        "with who sent it"
    );
    assert!(text("#chat-pc1-messages").contains("Hello from pc1"));
    assert_eq!(input("chat-pc1-text").value(), "", "the box is emptied");

    // Enter in the box submits the form (requestSubmit is what Enter does).
    press_enter_with("chat-pc2", "And back").await;
    wait_for("the answer on pc1's side", 10, || {
        text("#chat-pc1-messages").contains("And back")
    })
    .await;
    let lines = all("#chat-pc1-messages li");
    assert_eq!(lines.len(), 2);
    assert!(lines[1].text_content().unwrap().starts_with("pc2"));

    page.hang_up();
    wait_for("sending disabled after hang-up", 5, || {
        input("chat-pc1-file").disabled()
    })
    .await;
    assert!(shown("#chat-pc1-reason"));
    assert!(text("#chat-pc1-reason").contains("nobody to send to"));
    assert!(
        text("#chat-pc1-messages").contains("And back"),
        "the conversation stays"
    );
}

#[wasm_bindgen_test]
async fn a_5_mb_file_crosses_and_is_verified() {
    let page = Page::new(MAX_FILE_SIZE).await;
    page.start_call().await;
    let started = now();
    pick_file("chat-pc1", 5 * MB, "test.bin");
    wait_for("a row on both sides", 10, || {
        last_row("chat-pc1").is_some() && last_row("chat-pc2").is_some()
    })
    .await;
    assert!(row_text("chat-pc2", "chat-transfer-name").contains("From pc1: test.bin"));
    wait_for("pc2 to verify test.bin", 60, || {
        state("chat-pc2") == "verified"
    })
    .await;
    let took = now() - started;
    console_log!("5 MB in {took:.0} ms: {:.1} MB/s", 5.0 / (took / 1000.0));

    let (value, max) = bar("chat-pc2");
    assert_eq!((value, max), (5e6, 5e6), "the receiver's bar is full");
    assert!(row_text("chat-pc2", "chat-transfer-figures").contains("5 MB of 5 MB · 100 %"));
    assert!(row_text("chat-pc2", "chat-transfer-figures").contains("MB/s"));
    assert!(row_text("chat-pc2", "chat-transfer-status").contains("verified"));
    let link = download_link("chat-pc2").expect("a download link");
    assert_eq!(link.get_attribute("download").as_deref(), Some("test.bin"));
    assert!(link.text_content().unwrap().contains("(5 MB)"));
    let href = link.get_attribute("href").unwrap();
    assert!(href.starts_with("blob:"), "{href}");
    let received = js_async(&format!("fetch('{href}').then(r => r.arrayBuffer())")).await;
    let received: js_sys::ArrayBuffer = received.unchecked_into();
    assert_eq!(received.byte_length(), 5_000_000, "the saved file's size");
    let ours = js_async("window.sha256(window.sentBytes)").await;
    js_sys::Reflect::set(&js_sys::global(), &"receivedBuffer".into(), &received).unwrap();
    let theirs = js_async("window.sha256(window.receivedBuffer)").await;
    assert_eq!(theirs, ours, "the saved file is the sent one");

    wait_for("pc1 to hear it was verified", 10, || {
        state("chat-pc1") == "verified"
    })
    .await;
    assert!(row_text("chat-pc1", "chat-transfer-status").contains("pc2 verified it"));
    assert_eq!(bar("chat-pc1"), (5e6, 5e6));
    assert!(
        download_link("chat-pc1").is_none(),
        "the sender has no link"
    );
    assert!(
        !shown("#chat-pc1-transfers .chat-cancel"),
        "nothing to cancel"
    );
    assert!(shown("#chat-pc1-transfers .chat-remove"));

    // Remove revokes the link: the blob can no longer be fetched.
    button("#chat-pc2-transfers .chat-remove").click();
    wait_for("the row to go", 5, || rows("chat-pc2").is_empty()).await;
    let fetched = js_async(&format!(
        "fetch('{href}').then(() => 'still there', () => 'revoked')"
    ))
    .await;
    assert_eq!(fetched.as_string().as_deref(), Some("revoked"));
    js("delete window.receivedBuffer; delete window.sentBytes;");
    drop(page);
}

#[wasm_bindgen_test]
async fn cancel_on_the_receiving_side_stops_both() {
    install_probes();
    let page = Page::new(MAX_FILE_SIZE).await;
    page.start_call().await;
    pick_file("chat-pc1", 50 * MB, "big.bin");
    when_mid_way("big.bin", || {
        button("#chat-pc2-transfers .chat-cancel").click()
    })
    .await;
    wait_for("both sides cancelled", 10, || {
        state("chat-pc1") == "cancelled" && state("chat-pc2") == "cancelled"
    })
    .await;
    for panel in ["chat-pc1", "chat-pc2"] {
        assert_eq!(
            row_text(panel, "chat-transfer-status"),
            "Cancelled by pc2",
            "{panel}"
        );
        assert!(download_link(panel).is_none(), "{panel}: no link");
        assert!(
            !shown(&format!("#{panel}-transfers .chat-cancel")),
            "{panel}: no Cancel button once cancelled"
        );
    }
    // The bar stays where it stopped.
    let (value, max) = bar("chat-pc2");
    assert!(value < max);
    assert_quiet().await;
    assert_eq!(bar("chat-pc2"), (value, max), "nothing more is counted");
    js("delete window.sentBytes;");
    a_small_file_still_verifies().await;
    assert_eq!(uncaught(), "");
    drop(page);
}

#[wasm_bindgen_test]
async fn cancel_on_the_sending_side_stops_both() {
    install_probes();
    let page = Page::new(MAX_FILE_SIZE).await;
    page.start_call().await;
    pick_file("chat-pc1", 50 * MB, "big.bin");
    when_mid_way("big.bin", || {
        button("#chat-pc1-transfers .chat-cancel").click()
    })
    .await;
    wait_for("both sides cancelled", 10, || {
        state("chat-pc1") == "cancelled" && state("chat-pc2") == "cancelled"
    })
    .await;
    for panel in ["chat-pc1", "chat-pc2"] {
        assert_eq!(
            row_text(panel, "chat-transfer-status"),
            "Cancelled by pc1",
            "{panel}"
        );
        assert!(download_link(panel).is_none(), "{panel}: no link");
    }
    assert_quiet().await;
    js("delete window.sentBytes;");
    a_small_file_still_verifies().await;
    assert_eq!(uncaught(), "");
    drop(page);
}

#[wasm_bindgen_test]
async fn hanging_up_mid_transfer_fails_both_sides() {
    install_probes();
    let page = Page::new(MAX_FILE_SIZE).await;
    page.start_call().await;
    pick_file("chat-pc1", 50 * MB, "big.bin");
    when_mid_way("big.bin", || page.hang_up()).await;
    wait_for("both sides failed", 10, || {
        state("chat-pc1") == "failed" && state("chat-pc2") == "failed"
    })
    .await;
    assert_eq!(
        row_text("chat-pc1", "chat-transfer-status"),
        "Failed: the connection to pc2 closed"
    );
    assert_eq!(
        row_text("chat-pc2", "chat-transfer-status"),
        "Failed: the connection to pc1 closed"
    );
    assert!(download_link("chat-pc2").is_none());
    assert!(input("chat-pc1-file").disabled());
    js("delete window.sentBytes;");
    js("window.markChannels()");

    // A new call works; and a file sent and verified on it proves the old sender had its chance to send more.
    page.start_call().await;
    a_small_file_still_verifies().await;
    assert_eq!(
        sends_on_marked_channels(),
        0,
        "no further chunks are sent on the old call's channels"
    );
    assert_eq!(uncaught(), "");
    drop(page);
}

#[wasm_bindgen_test]
async fn an_empty_file_is_sent_and_verified() {
    let page = Page::new(MAX_FILE_SIZE).await;
    page.start_call().await;
    pick_file("chat-pc1", 0, "empty.txt");
    wait_for("pc2 to verify empty.txt", 10, || {
        state("chat-pc2") == "verified"
    })
    .await;
    assert_eq!(bar("chat-pc2"), (1.0, 1.0), "full bar");
    assert!(row_text("chat-pc2", "chat-transfer-figures").starts_with("0 B of 0 B · 100 %"));
    let link = download_link("chat-pc2").expect("a download link");
    assert_eq!(link.get_attribute("download").as_deref(), Some("empty.txt"));
    let href = link.get_attribute("href").unwrap();
    let size = js_async(&format!(
        "fetch('{href}').then(r => r.arrayBuffer()).then(b => b.byteLength)"
    ))
    .await;
    assert_eq!(size.as_f64(), Some(0.0));
    wait_for("pc1 to hear it was verified", 10, || {
        state("chat-pc1") == "verified"
    })
    .await;
    drop(page);
}

#[wasm_bindgen_test]
async fn a_file_over_the_limit_is_refused_with_the_limit_stated() {
    let page = Page::new(1000).await;
    assert!(text("#chat-pc1-limit").contains("files up to 1 kB"));
    pick_file("chat-pc1", 10, "early.bin");
    assert!(
        rows("chat-pc1").is_empty(),
        "the picker is disabled before the call, and a file sent anyway goes nowhere"
    );
    page.start_call().await;
    pick_file("chat-pc1", 1001, "big.bin");
    wait_for("the refusal", 5, || {
        text("#chat-pc1-notice").contains("big.bin")
    })
    .await;
    assert_eq!(
        text("#chat-pc1-notice"),
        "big.bin was not sent: it is 1001 B, and files up to 1000 B can be sent."
    );

    // At the limit exactly, it goes; once it has crossed, the refused file had its chance to start or arrive.
    pick_file("chat-pc1", 1000, "fits.bin");
    wait_for("fits.bin verified", 10, || state("chat-pc2") == "verified").await;
    assert_eq!(text("#chat-pc1-notice"), "", "the refusal is cleared");
    for panel in ["chat-pc1", "chat-pc2"] {
        let names: Vec<String> = rows(panel)
            .iter()
            .filter_map(|row| row.query_selector(".chat-transfer-name").unwrap())
            .filter_map(|name| name.text_content())
            .collect();
        assert_eq!(
            names.len(),
            1,
            "{panel}: big.bin was neither started nor received, only fits.bin: {names:?}"
        );
        assert!(names[0].contains("fits.bin"), "{panel}: {names:?}");
    }
    drop(page);
}

#[wasm_bindgen_test]
async fn unmounting_releases_handlers_transfers_and_links() {
    install_probes();
    let mut page = Page::new(MAX_FILE_SIZE).await;
    let before = channel_listeners();
    page.start_call().await;
    assert_eq!(
        channel_listeners() - before,
        10,
        "open, close, error, message and bufferedamountlow on each end"
    );
    pick_file("chat-pc1", 100_000, "kept.bin");
    wait_for("kept.bin verified on both sides", 20, || {
        state("chat-pc2") == "verified" && state("chat-pc1") == "verified"
    })
    .await;
    let href = download_link("chat-pc2")
        .and_then(|link| link.get_attribute("href"))
        .expect("a download link");

    // Unmount in the middle of a transfer, with the call still up.
    pick_file("chat-pc1", 50 * MB, "big.bin");
    when_mid_way("big.bin", || {}).await;
    page.unmount();
    // Leptos runs the cleanups once its pending tasks have let go of the page's owner.
    tick().await;
    assert_eq!(
        channel_listeners(),
        before,
        "every data channel handler is removed"
    );
    let fetched = js_async(&format!(
        "fetch('{href}').then(() => 'still there', () => 'revoked')"
    ))
    .await;
    assert_eq!(
        fetched.as_string().as_deref(),
        Some("revoked"),
        "the download link is revoked"
    );
    // Nothing more is sent, and whatever was in flight arrives at no handler and changes nothing: a marker sent
    // after the unmount, past the app, crosses the channel after all of it.
    js("window.markChannels()");
    js_async("window.crossMarker('after the unmount')").await;
    assert_eq!(
        sends_on_marked_channels(),
        0,
        "no further chunks are sent after the unmount"
    );
    assert_eq!(uncaught(), "");
    js("delete window.sentBytes;");
    drop(page);
}
