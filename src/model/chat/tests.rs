//! Every event of [`ChatState`], natively: what the page would show and say, and what goes on the wire.
//!
//! Over 300 lines: a test suite, one independent test per event of the chat.
//!
//! Over 150 lines as a file, but it is a list of independent tests, each short, that share the helpers at the top.

use super::*;
use crate::model::frames::{Hasher, CANCELLED};

const LIMIT: u64 = 1000;

/// A state with one open channel to pc2.
fn open() -> (ChatState, LinkKey) {
    let mut state = ChatState::new(LIMIT);
    let link = state.add_link("pc2".into(), Door::Open);
    (state, link)
}

fn file(name: &str, size: u64) -> FileInfo {
    FileInfo {
        name: name.into(),
        size,
        mime: "text/plain".into(),
    }
}

fn no_id() -> Option<String> {
    None
}

/// Starts sending `name` (`size` bytes) on every open channel; its starts.
fn send(state: &mut ChatState, name: &str, size: u64) -> Vec<Start> {
    let (starts, _) = state.send_files(&[file(name, size)], 0.0, &mut || Some("t1".into()));
    starts
}

fn offer(state: &mut ChatState, link: LinkKey, id: &str, size: u64) -> Actions {
    let message = Message::Offer {
        id: id.into(),
        name: "in.bin".into(),
        size,
        mime: "application/octet-stream".into(),
    };
    state.receive(link, Some(message), "pc1", 0.0)
}

fn message(state: &mut ChatState, link: LinkKey, message: Message, now: f64) -> Actions {
    state.receive(link, Some(message), "pc1", now)
}

fn sha256(bytes: &[u8]) -> String {
    let mut hasher = Hasher::default();
    hasher.update(bytes);
    hasher.finish()
}

fn only(state: &ChatState) -> &Transfer {
    assert_eq!(state.transfers().len(), 1);
    &state.transfers()[0]
}

fn texts(actions: &Actions) -> Vec<&str> {
    actions.log.iter().map(|(_, text)| text.as_str()).collect()
}

#[test]
fn sending_says_why_it_cannot() {
    let mut state = ChatState::new(LIMIT);
    assert!(state.blocked_reason().unwrap().contains("nobody"));
    assert_eq!(state.who(""), "· you, not connected");
    let pc2 = state.add_link("pc2".into(), Door::Connecting);
    assert!(state
        .blocked_reason()
        .unwrap()
        .contains("waiting for the data channel to pc2"));
    assert!(state.set_door(pc2, Door::Closed));
    assert!(!state.set_door(pc2, Door::Closed), "no change, no redraw");
    assert!(state
        .blocked_reason()
        .unwrap()
        .contains("connection to pc2 has closed"));
    let b = state.add_link("b".into(), Door::Open);
    assert_eq!(state.blocked_reason(), None);
    assert_eq!(state.who("pc1"), "· pc1, with pc2 (closed), b (connected)");
    let _ = state.remove_link(b, 0.0);
    let _ = state.remove_link(pc2, 0.0);
    assert_eq!(state.links(), []);
}

#[test]
fn chat_lines_are_clipped_and_capped() {
    let (mut state, link) = open();
    assert_eq!(state.newest_line(), None);
    assert_eq!(chat_text("  hi  "), "hi");
    assert_eq!(chat_text(&"x".repeat(MAX_TEXT + 5)).len(), MAX_TEXT);
    assert_eq!(state.chatted("", "hi", true), Actions::default());
    let line = state.lines().back().unwrap();
    assert_eq!((line.from.as_str(), line.mine), ("you", true));
    let long = Message::Chat {
        text: "y".repeat(MAX_TEXT + 1),
    };
    let _ = message(&mut state, link, long, 0.0);
    let line = state.lines().back().unwrap();
    assert_eq!((line.from.as_str(), line.mine), ("pc2", false));
    assert_eq!(
        line.text.chars().count(),
        MAX_TEXT,
        "what arrives is clipped too"
    );
    for i in 0..MAX_LINES {
        let _ = state.chatted("pc1", &format!("line {i}"), true);
    }
    assert_eq!(state.lines().len(), MAX_LINES);
    assert_eq!(state.lines().front().unwrap().text, "line 0");
    assert_eq!(
        state.newest_line(),
        state.lines().back().map(|line| line.id)
    );

    let actions = state.chatted("pc1", "lost", false);
    assert_eq!(
        state.notice(),
        Some("The message was not sent: no connection is open.")
    );
    assert_eq!(texts(&actions), [state.notice().unwrap()]);
    let _ = state.chatted("pc1", "found", true);
    assert_eq!(state.notice(), None, "a sent line clears the notice");
}

#[test]
fn a_file_goes_out_and_is_verified() {
    let (mut state, link) = open();
    let (starts, actions) =
        state.send_files(&[file("a.txt", 500)], 10.0, &mut || Some("t1".into()));
    assert_eq!(texts(&actions), ["Sending a.txt (500 B) to pc2"]);
    assert_eq!(starts.len(), 1);
    let start = &starts[0];
    assert_eq!((start.link, start.id.as_str()), (link, "t1"));
    assert_eq!(
        start.offer(),
        Message::Offer {
            id: "t1".into(),
            name: "a.txt".into(),
            size: 500,
            mime: "text/plain".into()
        }
    );
    assert_eq!(
        start.end("ab".into()),
        Message::End {
            id: "t1".into(),
            sha256: "ab".into()
        }
    );
    let key = start.key;
    let row = only(&state);
    assert!(row.outgoing);
    assert_eq!(
        (row.state.name(), row.status().as_str()),
        ("running", "Sending…")
    );
    assert!(state.is_running(key));

    assert!(!state.sending(key, 100, 50.0), "too soon to show");
    assert_eq!(only(&state).done, 0);
    assert!(state.sending(key, 200, 110.0));
    assert_eq!(only(&state).bar(), (200, 500));
    assert_eq!(only(&state).progress().elapsed_ms, 100.0);

    state.sent(key, 210.0);
    let row = only(&state);
    assert_eq!((row.state.name(), row.done), ("sent", 500));
    assert_eq!(row.status(), "Sent; waiting for pc2 to check it");
    assert!(!state.sending(key, 300, 900.0), "nothing counts once sent");

    let verdict = Message::Received {
        id: "t1".into(),
        verified: true,
    };
    let actions = message(&mut state, link, verdict, 300.0);
    assert_eq!(texts(&actions), ["pc2 verified a.txt"]);
    let row = only(&state);
    assert_eq!(row.state.name(), "verified");
    assert_eq!(row.status(), "Delivered: pc2 verified it (SHA-256 matches)");
    assert!(!state.is_running(key));
}

#[test]
fn a_damaged_copy_fails_the_sender() {
    let (mut state, link) = open();
    send(&mut state, "a.txt", 5);
    let other = Message::Received {
        id: "other".into(),
        verified: true,
    };
    assert_eq!(message(&mut state, link, other, 0.0), Actions::default());
    assert_eq!(
        only(&state).state.name(),
        "running",
        "another id changes nothing"
    );
    let verdict = Message::Received {
        id: "t1".into(),
        verified: false,
    };
    let actions = message(&mut state, link, verdict, 0.0);
    assert_eq!(actions.log[0].0, Level::Error);
    assert_eq!(
        texts(&actions),
        ["Sending a.txt failed: pc2 did not get an intact copy"]
    );
    assert_eq!(
        only(&state).status(),
        "Failed: pc2 did not get an intact copy"
    );
}

#[test]
fn what_is_sent_and_to_whom() {
    let mut state = ChatState::new(LIMIT);
    let (starts, actions) = state.send_files(&[file("a", 1)], 0.0, &mut no_id);
    assert!(starts.is_empty());
    assert_eq!(
        state.notice(),
        Some("Nothing was sent: Not connected: there is nobody to send to yet.")
    );
    assert_eq!(texts(&actions), [state.notice().unwrap()]);

    let pc2 = state.add_link("pc2".into(), Door::Open);
    let (starts, _) = state.send_files(&[file("big", LIMIT + 1)], 0.0, &mut no_id);
    assert!(starts.is_empty());
    assert_eq!(
        state.notice(),
        Some("big was not sent: it is 1001 B, and files up to 1000 B can be sent.")
    );
    assert!(state.transfers().is_empty());

    let (starts, _) = state.send_files(&[file("a", 1), file("b", 1)], 0.0, &mut no_id);
    assert_eq!(starts.len(), 1);
    assert_eq!(
        starts[0].id,
        format!("{}-{}", pc2.0, starts[0].key.0),
        "the fallback id"
    );
    assert_eq!(state.notice(), Some("One file at a time: only a was sent."));

    // pc2 is busy with a; b goes to pc3 only, and the notice says why not to pc2.
    let pc3 = state.add_link("pc3".into(), Door::Open);
    let _closed = state.add_link("pc4".into(), Door::Closed);
    let (starts, _) = state.send_files(&[file("b", 1)], 0.0, &mut no_id);
    assert_eq!(
        starts.iter().map(|start| start.link).collect::<Vec<_>>(),
        [pc3]
    );
    assert_eq!(
        state.notice(),
        Some("b was not sent to pc2: a file is still on its way there. Wait for it, or cancel it.")
    );
    let (starts, _) = state.send_files(&[file("c", 1)], 0.0, &mut no_id);
    assert!(starts.is_empty());
    assert_eq!(
        state.notice(),
        Some("c was not sent to pc2, pc3: a file is still on its way there. Wait for it, or cancel it.")
    );
    let _ = state.cancel(starts_key(&state, pc3), "pc1", 0.0);
    let (starts, _) = state.send_files(&[file("d", 1)], 0.0, &mut no_id);
    assert_eq!(starts.len(), 1, "pc3 is free again");
    let _ = state.send_files(&[], 0.0, &mut no_id);
}

fn starts_key(state: &ChatState, link: LinkKey) -> Key {
    let transfer = state.transfers().iter();
    transfer
        .filter(|transfer| transfer.link == link && state.is_running(transfer.key))
        .map(|transfer| transfer.key)
        .next()
        .unwrap()
}

#[test]
fn cancel_on_this_side_tells_the_other() {
    let (mut state, link) = open();
    let key = send(&mut state, "a.txt", 500)[0].key;
    let actions = state.cancel(key, "pc1", 40.0);
    assert_eq!(
        actions.send,
        [(
            link,
            Message::Cancel {
                id: "t1".into(),
                reason: CANCELLED.into()
            }
        )]
    );
    assert_eq!(texts(&actions), ["pc1 cancelled a.txt"]);
    assert_eq!(only(&state).status(), "Cancelled by pc1");
    assert_eq!(only(&state).progress().elapsed_ms, 40.0);
    assert_eq!(state.cancel(key, "pc1", 50.0), Actions::default(), "once");
    let verdict = Message::Received {
        id: "t1".into(),
        verified: true,
    };
    let _ = message(&mut state, link, verdict, 60.0);
    assert_eq!(only(&state).state.name(), "cancelled", "an outcome stays");
}

#[test]
fn cancel_from_the_other_side_in_either_direction() {
    let (mut state, link) = open();
    send(&mut state, "out.txt", 5);
    let _ = offer(&mut state, link, "in1", 5);
    let cancel = |id: &str, reason: &str| Message::Cancel {
        id: id.into(),
        reason: reason.into(),
    };
    let actions = message(&mut state, link, cancel("in1", CANCELLED), 0.0);
    assert_eq!(texts(&actions), ["pc2 cancelled a transfer"]);
    assert_eq!(state.transfers()[1].status(), "Cancelled by pc2");
    assert_eq!(state.transfers()[0].state.name(), "running");
    let actions = message(&mut state, link, cancel("t1", "pc2 refused it"), 0.0);
    assert_eq!(texts(&actions), ["Transfer failed: pc2 refused it"]);
    assert_eq!(state.transfers()[0].status(), "Failed: pc2 refused it");
    assert_eq!(
        message(&mut state, link, cancel("t1", CANCELLED), 0.0),
        Actions::default(),
        "nothing left to cancel"
    );
}

#[test]
fn a_failed_send_says_why_and_tells_the_receiver() {
    let (mut state, link) = open();
    let key = send(&mut state, "a.txt", 5)[0].key;
    let actions = state.send_failed(key, Some("NotReadableError: gone"), "", 0.0);
    let reason = "you could not send it: NotReadableError: gone";
    assert_eq!(
        actions.send,
        [(
            link,
            Message::Cancel {
                id: "t1".into(),
                reason: reason.into()
            }
        )]
    );
    assert_eq!(texts(&actions), [format!("Sending a.txt failed: {reason}")]);
    assert_eq!(only(&state).status(), format!("Failed: {reason}"));

    let key = send(&mut state, "b.txt", 5)[0].key;
    let _ = state.send_failed(key, None, "pc1", 0.0);
    assert_eq!(
        state.transfer(key).unwrap().status(),
        "Failed: the connection to pc2 closed"
    );
    assert_eq!(state.send_failed(key, None, "pc1", 0.0), Actions::default());
}

#[test]
fn a_file_comes_in_and_is_verified() {
    let (mut state, link) = open();
    let bytes: Vec<u8> = (0..=255).collect();
    let actions = offer(&mut state, link, "in1", 256);
    assert_eq!(texts(&actions), ["pc2 is sending in.bin (256 B)"]);
    let row = only(&state);
    let key = row.key;
    assert!(!row.outgoing);
    assert_eq!(
        (row.state.name(), row.status().as_str()),
        ("running", "Receiving…")
    );

    assert_eq!(
        state.chunk(link, &bytes[..100], 50.0),
        ChunkIn::Kept { key, redraw: false }
    );
    assert_eq!(only(&state).done, 0, "shown at most every 100 ms");
    assert_eq!(
        state.chunk(link, &bytes[100..200], 100.0),
        ChunkIn::Kept { key, redraw: true }
    );
    assert_eq!(only(&state).bar(), (200, 256));
    assert!(!ChunkIn::Ignored.redraw());
    let _ = state.chunk(link, &bytes[200..], 120.0);

    let wrong_id = Message::End {
        id: "in2".into(),
        sha256: sha256(&bytes),
    };
    assert_eq!(
        message(&mut state, link, wrong_id, 150.0),
        Actions::default()
    );
    let end = Message::End {
        id: "in1".into(),
        sha256: sha256(&bytes),
    };
    let actions = message(&mut state, link, end, 150.0);
    assert_eq!(actions.assemble, Some(key), "put it together");
    assert!(actions.send.is_empty(), "the verdict waits for the link");
    assert_eq!(only(&state).state.name(), "running");
    assert_eq!(
        state.chunk(link, &[1], 160.0),
        ChunkIn::Ignored,
        "nothing is coming in any more"
    );

    let actions = state.assembled(key, Ok("blob:x".into()), 200.0);
    assert_eq!(
        actions.send,
        [(
            link,
            Message::Received {
                id: "in1".into(),
                verified: true
            }
        )]
    );
    assert_eq!(
        texts(&actions),
        ["Received in.bin (256 B) from pc2 in 200.0 ms (0 MB/s), SHA-256 verified"]
    );
    let row = only(&state);
    assert_eq!(row.href.as_deref(), Some("blob:x"));
    assert_eq!(row.bar(), (256, 256));
    assert_eq!(row.status(), "Received and verified (SHA-256 matches)");
    assert_eq!(
        state.assembled(key, Ok("again".into()), 0.0),
        Actions::default()
    );
}

#[test]
fn a_file_that_cannot_be_put_together_fails() {
    let (mut state, link) = open();
    let _ = offer(&mut state, link, "in1", 0);
    let end = Message::End {
        id: "in1".into(),
        sha256: sha256(b""),
    };
    let key = message(&mut state, link, end, 0.0).assemble.unwrap();
    assert_eq!(
        only(&state).bar(),
        (0, 1),
        "an empty file's bar is empty..."
    );
    let actions = state.assembled(key, Err("no memory".into()), 0.0);
    assert_eq!(
        actions.send[0].1,
        Message::Received {
            id: "in1".into(),
            verified: false
        }
    );
    assert_eq!(
        texts(&actions),
        ["Receiving in.bin from pc2 failed: no memory"]
    );
    assert_eq!(only(&state).status(), "Failed: no memory");
    assert_eq!(only(&state).href, None);

    let _ = offer(&mut state, link, "in2", 0);
    let end = Message::End {
        id: "in2".into(),
        sha256: sha256(b""),
    };
    let key = message(&mut state, link, end, 0.0).assemble.unwrap();
    let _ = state.assembled(key, Ok("blob:y".into()), 0.0);
    assert_eq!(state.transfer(key).unwrap().bar(), (1, 1), "...then full");
}

#[test]
fn a_short_damaged_or_long_file_fails() {
    let (mut state, link) = open();
    let _ = offer(&mut state, link, "in1", 4);
    let _ = state.chunk(link, b"abc", 0.0);
    let end = Message::End {
        id: "in1".into(),
        sha256: sha256(b"abc"),
    };
    let actions = message(&mut state, link, end, 0.0);
    assert_eq!(actions.assemble, None);
    assert_eq!(
        actions.send,
        [(
            link,
            Message::Received {
                id: "in1".into(),
                verified: false
            }
        )]
    );
    assert_eq!(
        texts(&actions),
        ["Receiving in.bin from pc2 failed: the file ended after 3 of its 4 bytes"]
    );

    let _ = offer(&mut state, link, "in2", 3);
    let _ = state.chunk(link, b"abd", 0.0);
    let end = Message::End {
        id: "in2".into(),
        sha256: sha256(b"abc"),
    };
    let _ = message(&mut state, link, end, 0.0);
    assert!(state.transfers()[1].status().contains("damaged"));

    let _ = offer(&mut state, link, "in3", 2);
    let ChunkIn::Refused(actions) = state.chunk(link, b"abc", 0.0) else {
        panic!("one byte too many is refused");
    };
    let reason = "more data arrived than the 2 B announced";
    assert_eq!(
        actions.send,
        [(
            link,
            Message::Cancel {
                id: "in3".into(),
                reason: reason.into()
            }
        )]
    );
    assert_eq!(texts(&actions), [format!("Transfer failed: {reason}")]);
    assert_eq!(state.transfers()[2].status(), format!("Failed: {reason}"));
}

#[test]
fn an_offer_too_large_is_refused() {
    let (mut state, link) = open();
    let long_name = "n".repeat(300);
    let message = Message::Offer {
        id: "in1".into(),
        name: long_name,
        size: LIMIT + 1,
        mime: String::new(),
    };
    let actions = state.receive(link, Some(message), "", 0.0);
    let name = "n".repeat(MAX_NAME);
    let reason = format!("you refused {name}: it is 1001 B, and files up to 1000 B can be sent");
    assert_eq!(
        actions.send,
        [(
            link,
            Message::Cancel {
                id: "in1".into(),
                reason: reason.clone()
            }
        )]
    );
    assert_eq!(texts(&actions), [reason]);
    let row = only(&state);
    assert_eq!(row.file.name, name, "the name is clipped");
    assert_eq!(
        row.status(),
        "Failed: refused: it is 1001 B, and files up to 1000 B can be sent"
    );
    assert_eq!(state.chunk(link, &[0], 0.0), ChunkIn::Ignored);
}

#[test]
fn a_new_offer_fails_the_file_still_coming_in() {
    let (mut state, link) = open();
    let _ = offer(&mut state, link, "in1", 10);
    let _ = state.chunk(link, &[0; 5], 0.0);
    let _ = offer(&mut state, link, "in2", 10);
    assert_eq!(
        state.transfers()[0].status(),
        "Failed: the sender started another file before this one ended"
    );
    let second = state.transfers()[1].key;
    assert_eq!(
        state.chunk(link, &[0; 10], 200.0),
        ChunkIn::Kept {
            key: second,
            redraw: true
        }
    );
}

#[test]
fn a_channel_that_closes_or_goes_fails_its_transfers() {
    let (mut state, link) = open();
    let _ = send(&mut state, "out.txt", 5);
    let other = state.add_link("pc3".into(), Door::Open);
    let _ = offer(&mut state, link, "in1", 5);
    let _ = offer(&mut state, other, "in9", 5);
    assert_eq!(texts(&state.opened(link)), ["Data channel to pc2 is open"]);
    let actions = state.closed(link, 0.0);
    let failed = "Transfer failed: the connection to pc2 closed";
    assert_eq!(
        texts(&actions),
        ["Data channel to pc2 closed", failed, failed]
    );
    let status = |state: &ChatState, i: usize| state.transfers()[i].status();
    assert_eq!(status(&state, 0), "Failed: the connection to pc2 closed");
    assert_eq!(status(&state, 1), "Failed: the connection to pc2 closed");
    assert_eq!(status(&state, 2), "Receiving…", "another channel goes on");
    assert_eq!(state.closed(link, 0.0).log.len(), 1, "nothing more to fail");

    let actions = state.remove_link(other, 0.0);
    assert_eq!(
        texts(&actions),
        ["Transfer failed: the connection to pc3 closed"]
    );
    assert_eq!(state.links().len(), 1);
    let text = Message::Chat { text: "x".into() };
    assert_eq!(
        state.receive(other, Some(text), "", 0.0),
        Actions::default(),
        "a channel that went is not heard"
    );
}

#[test]
fn rows_are_capped_but_never_while_under_way() {
    let (mut state, link) = open();
    let first = send(&mut state, "first", 1)[0].key;
    for i in 0..MAX_ROWS + 5 {
        let _ = offer(&mut state, link, &format!("in{i}"), 1);
        let key = state.transfers().last().unwrap().key;
        let _ = state.cancel(key, "pc1", 0.0);
    }
    assert_eq!(state.transfers().len(), MAX_ROWS);
    assert_eq!(state.transfers()[0].key, first, "the running one stays");
    assert!(state.transfers().iter().all(|t| t.file.name != "in0"));

    // Only a finished row can be removed.
    state.remove(first);
    assert!(state.transfer(first).is_some());
    let _ = state.cancel(first, "pc1", 0.0);
    state.remove(first);
    assert!(state.transfer(first).is_none());
    assert_eq!(state.transfers().len(), MAX_ROWS - 1);
}

#[test]
fn a_message_not_understood_is_logged() {
    let (mut state, link) = open();
    // What the page makes of an unknown frame such as `{"nope":1}`.
    let actions = state.receive(link, Message::decode("{\"nope\":1}"), "", 0.0);
    assert_eq!(
        actions.log,
        [(
            Level::Error,
            "pc2 sent a message this page does not understand".to_owned()
        )]
    );
    assert_eq!(
        state.say("hello".into()).log,
        [(Level::Info, "hello".to_owned())]
    );
    assert_eq!(state.notice(), Some("hello"));
}
