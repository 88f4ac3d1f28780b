//! The list of transfer rows of a [`ChatState`]: finding them, adding them, and what happens to them in either
//! direction.
//! One file at a time goes each way on a channel; [`ChatState::find_running`] is the one place a transfer is
//! found by the id on the wire.

use super::{me_or_you, Actions, ChatState, FileInfo, Key, LinkKey, State, Transfer, MAX_ROWS};
use crate::model::frames::{Message, CANCELLED};

impl ChatState {
    /// The rows, oldest first.
    pub fn transfers(&self) -> &[Transfer] {
        &self.transfers
    }

    /// Row `key`, if it is still listed.
    pub fn transfer(&self, key: Key) -> Option<&Transfer> {
        self.transfers.iter().find(|transfer| transfer.key == key)
    }

    /// True while transfer `key` is under way (its task or its received chunks are still needed).
    pub fn is_running(&self, key: Key) -> bool {
        self.transfer(key)
            .is_some_and(|transfer| !transfer.state.is_final())
    }

    /// Transfer `key`, if it is still under way.
    pub(super) fn get_mut(&mut self, key: Key) -> Option<&mut Transfer> {
        self.transfers
            .iter_mut()
            .find(|transfer| transfer.key == key && !transfer.state.is_final())
    }

    /// The transfer under way on `link` in that direction: the one with the wire id `id`, or any.
    pub(super) fn find_running(
        &mut self,
        link: LinkKey,
        outgoing: bool,
        id: Option<&str>,
    ) -> Option<&mut Transfer> {
        self.transfers.iter_mut().find(|transfer| {
            transfer.link == link
                && transfer.outgoing == outgoing
                && !transfer.state.is_final()
                && id.is_none_or(|id| transfer.id == id)
        })
    }

    /// A new row, dropping the oldest finished ones past [`MAX_ROWS`].
    pub(super) fn add_transfer(&mut self, transfer: Transfer) {
        while self.transfers.len() >= MAX_ROWS {
            let Some(oldest) = self
                .transfers
                .iter()
                .position(|transfer| transfer.state.is_final())
            else {
                break;
            };
            self.transfers.remove(oldest);
        }
        self.transfers.push(transfer);
    }

    /// A transfer with `from` (the channel, and who is at the other end) that starts in `state`: going out if
    /// that is [`State::Sending`], coming in otherwise. Its wire id is for the caller to set.
    pub(super) fn new_transfer(
        &mut self,
        (link, peer): (LinkKey, &str),
        file: FileInfo,
        state: State,
        now: f64,
    ) -> Transfer {
        Transfer {
            key: Key(self.next()),
            link,
            id: String::new(),
            outgoing: matches!(state, State::Sending),
            peer: peer.to_owned(),
            file,
            done: 0,
            state,
            href: None,
            started: now,
            elapsed: 0.0,
            shown_at: now,
        }
    }

    /// Fails whatever is under way over a channel that went away (what comes in first, then what goes out).
    pub(super) fn fail_link(&mut self, link: LinkKey, peer: &str, now: f64, actions: &mut Actions) {
        let reason = format!("the connection to {peer} closed");
        for outgoing in [false, true] {
            if let Some(transfer) = self.find_running(link, outgoing, None) {
                transfer.end(State::Failed(reason.clone()), now);
                actions.error(format!("Transfer failed: {reason}"));
            }
        }
    }

    /// Cancel, on either side: stop, and tell the other side.
    pub fn cancel(&mut self, key: Key, me: &str, now: f64) -> Actions {
        let mut actions = Actions::default();
        let me = me_or_you(me);
        let Some(transfer) = self
            .get_mut(key)
            .filter(|transfer| !matches!(transfer.state, State::Received))
        else {
            return actions;
        };
        let id = transfer.id.clone();
        let reason = CANCELLED.to_owned();
        actions.send(transfer.link, Message::Cancel { id, reason });
        actions.info(format!("{me} cancelled {}", transfer.file.name));
        transfer.end(State::Cancelled(me.to_owned()), now);
        actions
    }

    /// The other side cancelled (or gave up on) a transfer, in either direction.
    pub(super) fn cancelled(
        &mut self,
        (link, peer): (LinkKey, &str),
        id: &str,
        reason: &str,
        now: f64,
        actions: &mut Actions,
    ) {
        let found = match self.find_running(link, false, Some(id)) {
            Some(transfer) => Some(transfer),
            None => self.find_running(link, true, Some(id)),
        };
        let Some(transfer) = found else { return };
        if reason == CANCELLED {
            actions.info(format!("{peer} cancelled a transfer"));
            transfer.end(State::Cancelled(peer.to_owned()), now);
        } else {
            actions.error(format!("Transfer failed: {reason}"));
            transfer.end(State::Failed(reason.to_owned()), now);
        }
    }

    /// Remove: a finished row goes (and with it its download link).
    pub fn remove(&mut self, key: Key) {
        self.transfers
            .retain(|transfer| transfer.key != key || !transfer.state.is_final());
    }
}
