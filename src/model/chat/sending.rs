//! Sending files: what a person picked goes to every open channel that is free, then its progress, its end, and
//! the receiver's verdict.

use super::{me_or_you, named, Actions, ChatState, Door, FileInfo, Key, LinkKey, Start, State};
use crate::model::frames::{check_size, Message};

impl ChatState {
    /// A person picked or dropped `files`: the first goes to every open channel that is not busy sending another,
    /// each as a transfer to [`Start`]. `new_id` makes the id for the wire (a fallback is used if it cannot).
    pub fn send_files(
        &mut self,
        files: &[FileInfo],
        now: f64,
        new_id: &mut dyn FnMut() -> Option<String>,
    ) -> (Vec<Start>, Actions) {
        let mut actions = Actions::default();
        let mut starts = Vec::new();
        if let Some(reason) = self.blocked_reason() {
            self.say_into(format!("Nothing was sent: {reason}"), &mut actions);
            return (starts, actions);
        }
        let Some(file) = files.first() else {
            return (starts, actions);
        };
        let name = &file.name;
        if let Err(error) = check_size(file.size, self.limit) {
            self.say_into(format!("{name} was not sent: {error}."), &mut actions);
        } else {
            starts = self.start_sending(file, now, new_id, &mut actions);
        }
        if files.len() > 1 {
            let text = format!("One file at a time: only {name} was sent.");
            self.say_into(text, &mut actions);
        }
        (starts, actions)
    }

    /// Starts `file` on every open channel that is free, and says which are busy.
    fn start_sending(
        &mut self,
        file: &FileInfo,
        now: f64,
        new_id: &mut dyn FnMut() -> Option<String>,
        actions: &mut Actions,
    ) -> Vec<Start> {
        let (busy, idle): (Vec<_>, Vec<_>) = self
            .links
            .clone()
            .into_iter()
            .filter(|link| link.door == Door::Open)
            .partition(|link| self.find_running(link.key, true, None).is_some());
        if busy.is_empty() {
            self.notice = None;
        } else {
            let names = busy.iter().map(|link| link.peer.as_str());
            let text = format!(
                "{} was not sent to {}: a file is still on its way there. Wait for it, or cancel it.",
                file.name,
                names.collect::<Vec<_>>().join(", ")
            );
            self.say_into(text, actions);
        }
        let mut starts = Vec::new();
        for link in idle {
            let to = (link.key, link.peer.as_str());
            let mut transfer = self.new_transfer(to, file.clone(), State::Sending, now);
            transfer.id = new_id().unwrap_or_else(|| format!("{}-{}", link.key.0, transfer.key.0));
            let (key, id) = (transfer.key, transfer.id.clone());
            self.add_transfer(transfer);
            let to = &link.peer;
            actions.info(format!("Sending {} to {to}", named(&file.name, file.size)));
            let (link, file) = (link.key, file.clone());
            starts.push(Start {
                key,
                link,
                id,
                file,
            });
        }
        starts
    }

    /// The sending task got `done` bytes through; true if that is to be shown now.
    pub fn sending(&mut self, key: Key, done: u64, now: f64) -> bool {
        self.get_mut(key)
            .filter(|transfer| matches!(transfer.state, State::Sending))
            .is_some_and(|transfer| transfer.show(done, now))
    }

    /// Every chunk and the end went out: wait for the verdict.
    pub fn sent(&mut self, key: Key, now: f64) {
        if let Some(transfer) = self.get_mut(key) {
            if matches!(transfer.state, State::Sending) {
                transfer.done = transfer.file.size;
                transfer.elapsed = now - transfer.started;
                transfer.state = State::Sent;
            }
        }
    }

    /// The sending task failed: with the browser's `error`, or (`None`) because the channel closed.
    pub fn send_failed(&mut self, key: Key, error: Option<&str>, me: &str, now: f64) -> Actions {
        let mut actions = Actions::default();
        if let Some(transfer) = self.get_mut(key).filter(|transfer| transfer.outgoing) {
            let reason = match error {
                Some(error) => format!("{} could not send it: {error}", me_or_you(me)),
                None => format!("the connection to {} closed", transfer.peer),
            };
            let id = transfer.id.clone();
            actions.send(
                transfer.link,
                Message::Cancel {
                    id,
                    reason: reason.clone(),
                },
            );
            actions.error(format!("Sending {} failed: {reason}", transfer.file.name));
            transfer.end(State::Failed(reason), now);
        }
        actions
    }

    /// The receiver's verdict on a file this side sent.
    pub(super) fn verdict(
        &mut self,
        (link, peer): (LinkKey, &str),
        id: &str,
        verified: bool,
        now: f64,
        actions: &mut Actions,
    ) {
        let Some(transfer) = self.find_running(link, true, Some(id)) else {
            return;
        };
        let name = &transfer.file.name;
        if verified {
            actions.info(format!("{peer} verified {name}"));
            transfer.done = transfer.file.size;
            transfer.end(State::Verified, now);
        } else {
            let reason = format!("{peer} did not get an intact copy");
            actions.error(format!("Sending {name} failed: {reason}"));
            transfer.end(State::Failed(reason), now);
        }
    }
}
