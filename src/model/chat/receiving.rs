//! Receiving files: an offer, its chunks, its end, and the file put together.

use std::mem;

use super::{
    me_or_you, named, Actions, ChatState, ChunkIn, FileInfo, Key, LinkKey, State, MAX_NAME,
};
use crate::model::{
    bytes::rate_text,
    frames::{check_size, Message, Reassembly},
    log::millis,
};

impl ChatState {
    /// A file is coming: a row, and an empty reassembly (or a refusal if it is too large). A file still coming in
    /// on that channel fails: its sender moved on.
    pub(super) fn offered(
        &mut self,
        (link, peer): (LinkKey, &str),
        id: String,
        mut file: FileInfo,
        me: &str,
        now: f64,
        actions: &mut Actions,
    ) {
        file.name = file.name.chars().take(MAX_NAME).collect();
        let before = self
            .find_running(link, false, None)
            .map(|transfer| transfer.key);
        let (name, size) = (file.name.clone(), file.size);
        if let Err(error) = check_size(size, self.limit) {
            let failed = State::Failed(format!("refused: {error}"));
            let mut transfer = self.new_transfer((link, peer), file, failed, now);
            transfer.id = id.clone();
            self.add_transfer(transfer);
            let reason = format!("{} refused {name}: {error}", me_or_you(me));
            actions.send(
                link,
                Message::Cancel {
                    id,
                    reason: reason.clone(),
                },
            );
            actions.error(reason);
            return;
        }
        let offered = State::Offered(Reassembly::new(size));
        let mut transfer = self.new_transfer((link, peer), file, offered, now);
        transfer.id = id;
        self.add_transfer(transfer);
        actions.info(format!("{peer} is sending {}", named(&name, size)));
        if let Some(before) = before.and_then(|key| self.get_mut(key)) {
            let why = "the sender started another file before this one ended";
            before.end(State::Failed(why.to_owned()), now);
        }
    }

    /// A chunk arrived on `link`: counted and hashed into the file coming in, or refused if it is one too many.
    pub fn chunk(&mut self, link: LinkKey, bytes: &[u8], now: f64) -> ChunkIn {
        let Some(transfer) = self.find_running(link, false, None) else {
            return ChunkIn::Ignored;
        };
        let State::Offered(file) = &mut transfer.state else {
            return ChunkIn::Ignored;
        };
        match file.accept(bytes).map(|()| file.received()) {
            Ok(received) => ChunkIn::Kept {
                key: transfer.key,
                redraw: transfer.show(received, now),
            },
            Err(error) => {
                let mut actions = Actions::default();
                let (id, reason) = (transfer.id.clone(), error.to_string());
                actions.send(link, Message::Cancel { id, reason });
                actions.error(format!("Transfer failed: {error}"));
                transfer.end(State::Failed(error.to_string()), now);
                ChunkIn::Refused(actions)
            }
        }
    }

    /// The sender is done: check the size and hash; if they match, the file is put together.
    pub(super) fn ended(
        &mut self,
        link: LinkKey,
        id: &str,
        sha256: &str,
        now: f64,
        actions: &mut Actions,
    ) {
        let Some(transfer) = self.find_running(link, false, Some(id)) else {
            return;
        };
        let file = match mem::replace(&mut transfer.state, State::Received) {
            State::Offered(file) => file,
            other => {
                transfer.state = other;
                return;
            }
        };
        match file.finish(sha256) {
            Ok(()) => actions.assemble = Some(transfer.key),
            Err(error) => {
                let id = transfer.id.clone();
                actions.send(
                    link,
                    Message::Received {
                        id,
                        verified: false,
                    },
                );
                let (name, peer) = (&transfer.file.name, &transfer.peer);
                actions.error(format!("Receiving {name} from {peer} failed: {error}"));
                transfer.end(State::Failed(error.to_string()), now);
            }
        }
    }

    /// File `key` was put together: its download link, or why it could not. Either way the sender hears
    /// the verdict.
    pub fn assembled(&mut self, key: Key, link: Result<String, String>, now: f64) -> Actions {
        let mut actions = Actions::default();
        let Some(transfer) = self
            .get_mut(key)
            .filter(|transfer| matches!(transfer.state, State::Received))
        else {
            return actions;
        };
        let id = transfer.id.clone();
        let verified = link.is_ok();
        actions.send(transfer.link, Message::Received { id, verified });
        let (file, peer) = (
            named(&transfer.file.name, transfer.file.size),
            transfer.peer.clone(),
        );
        match link {
            Ok(href) => {
                transfer.done = transfer.file.size;
                transfer.end(State::Verified, now);
                transfer.href = Some(href);
                let rate = rate_text(transfer.progress().bytes_per_second());
                let took = millis(transfer.elapsed);
                actions.info(format!(
                    "Received {file} from {peer} in {took} ms ({rate}), SHA-256 verified"
                ));
            }
            Err(reason) => {
                let name = &transfer.file.name;
                actions.error(format!("Receiving {name} from {peer} failed: {reason}"));
                transfer.end(State::Failed(reason), now);
            }
        }
        actions
    }
}
