//! Which call a signal belongs to, and what to do with one that belongs to another.
//!
//! Each side numbers its connection to a peer at random when it makes it, and every signal carries both numbers
//! (a [`CallRef`]): the sender's, and the receiver's as far as the sender knows it. After a long outage one side
//! may have dropped the call (the server said the other had timed out) while the other kept it. The numbers let
//! both sides notice and agree:
//! - a late candidate or answer from an old connection is ignored, never applied to a new one;
//! - a fresh offer from a new connection of theirs replaces ours ([`Verdict::NewCall`]);
//! - an offer that renegotiates a connection we no longer have is answered with `call-ended`
//!   ([`Verdict::Ended`]), and its sender makes a new call ([`Verdict::Redial`]).

use protocol::{CallRef, Signal};

/// Our connection's number and theirs, once we have heard from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallIds {
    mine: u32,
    theirs: Option<u32>,
}

/// What to do with a signal that arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// It belongs to this call: apply it.
    Apply,
    /// It belongs to an older connection on either side: ignore it.
    Stale,
    /// A first offer from a new connection of theirs, while ours was made for an older one: replace ours with
    /// a connection that answers it.
    NewCall,
    /// An offer for a connection of ours that no longer exists: tell them with `call-ended` (addressed by the
    /// returned reference) so that they call again.
    Ended(CallRef),
    /// They say the call we are signalling is gone on their side: make a new one.
    Redial,
}

impl CallIds {
    /// A new connection numbered `mine` (random), which has not heard from the other side yet.
    pub fn new(mine: u32) -> CallIds {
        CallIds { mine, theirs: None }
    }

    /// Our connection's number.
    pub fn mine(&self) -> u32 {
        self.mine
    }

    /// What to put on a signal we send.
    pub fn stamp(&self) -> CallRef {
        CallRef {
            from: self.mine,
            to: self.theirs,
        }
    }

    /// Decides what to do with `signal`, which came with `call` (`None` from a peer that does not number its
    /// calls: applied as before). Learns their number from the first offer or answer addressed to us.
    pub fn check(&mut self, call: Option<CallRef>, signal: &Signal) -> Verdict {
        let Some(CallRef { from, to }) = call else {
            return Verdict::Apply;
        };
        let offer = matches!(signal, Signal::Offer { .. });
        let ended = matches!(signal, Signal::CallEnded);
        if to.is_some_and(|to| to != self.mine) {
            // For a connection of ours that is gone. Only an offer, or a request for one, needs an answer: they
            // still think the call exists and would wait forever for ours.
            return if offer || matches!(signal, Signal::RestartIce) {
                Verdict::Ended(CallRef {
                    from: self.mine,
                    to: Some(from),
                })
            } else {
                Verdict::Stale
            };
        }
        // Addressed to this connection, or to none yet.
        if ended {
            return if to == Some(self.mine) {
                Verdict::Redial
            } else {
                Verdict::Stale
            };
        }
        match self.theirs {
            Some(theirs) if theirs == from => Verdict::Apply,
            Some(_) if offer && to.is_none() => Verdict::NewCall,
            Some(_) => Verdict::Stale,
            None => {
                // The first signal we take from them opens the call: their offer, or the answer to ours.
                let answer_to_us = matches!(signal, Signal::Answer { .. }) && to == Some(self.mine);
                if offer || answer_to_us {
                    self.theirs = Some(from);
                    Verdict::Apply
                } else {
                    Verdict::Stale
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer() -> Signal {
        Signal::Offer { sdp: "o".into() }
    }
    fn answer() -> Signal {
        Signal::Answer { sdp: "a".into() }
    }
    fn candidate() -> Signal {
        Signal::Candidate {
            candidate: "c".into(),
            sdp_mid: None,
            sdp_m_line_index: None,
            username_fragment: None,
        }
    }
    fn call(from: u32, to: Option<u32>) -> Option<CallRef> {
        Some(CallRef { from, to })
    }

    #[test]
    fn a_normal_call_learns_their_number_and_applies_everything() {
        // We dial (1); they answer from 2.
        let mut ours = CallIds::new(1);
        assert_eq!(ours.stamp(), CallRef { from: 1, to: None });
        assert_eq!(ours.check(call(2, Some(1)), &answer()), Verdict::Apply);
        assert_eq!(
            ours.stamp(),
            CallRef {
                from: 1,
                to: Some(2)
            }
        );
        assert_eq!(ours.check(call(2, Some(1)), &candidate()), Verdict::Apply);
        // An ICE restart from them on the same call.
        assert_eq!(ours.check(call(2, Some(1)), &offer()), Verdict::Apply);

        // They dial (2); we answer from 1. Their candidates may come before they heard from us.
        let mut ours = CallIds::new(1);
        assert_eq!(ours.check(call(2, None), &offer()), Verdict::Apply);
        assert_eq!(ours.check(call(2, None), &candidate()), Verdict::Apply);
        assert_eq!(ours.check(call(2, Some(1)), &candidate()), Verdict::Apply);
    }

    #[test]
    fn signals_of_an_old_connection_are_ignored() {
        // We made a new connection (5) after dropping the old one (1); their old connection (2) still trickles.
        let mut ours = CallIds::new(5);
        assert_eq!(ours.check(call(2, Some(1)), &candidate()), Verdict::Stale);
        assert_eq!(ours.check(call(2, Some(1)), &answer()), Verdict::Stale);
        // Candidates before any offer cannot open a call.
        assert_eq!(ours.check(call(3, None), &candidate()), Verdict::Stale);
        // Their new connection's offer does.
        assert_eq!(ours.check(call(3, None), &offer()), Verdict::Apply);
        // Then the old one's late candidates are still ignored.
        assert_eq!(ours.check(call(2, None), &candidate()), Verdict::Stale);
        assert_eq!(ours.check(call(3, None), &candidate()), Verdict::Apply);
    }

    #[test]
    fn a_fresh_offer_from_a_new_connection_of_theirs_replaces_ours() {
        let mut ours = CallIds::new(1);
        assert_eq!(ours.check(call(2, None), &offer()), Verdict::Apply);
        assert_eq!(ours.check(call(4, None), &offer()), Verdict::NewCall);
        // The replacement takes it as its first offer.
        let mut fresh = CallIds::new(7);
        assert_eq!(fresh.check(call(4, None), &offer()), Verdict::Apply);
    }

    #[test]
    fn renegotiating_a_dropped_call_gets_call_ended_and_its_sender_redials() {
        // They kept call 2 for our connection 1, which we dropped; our new connection is 5.
        let mut ours = CallIds::new(5);
        let reply = ours.check(call(2, Some(1)), &offer());
        assert_eq!(
            reply,
            Verdict::Ended(CallRef {
                from: 5,
                to: Some(2)
            })
        );
        let Verdict::Ended(back) = reply else {
            unreachable!()
        };
        // At their end, call 2 (which knew ours as 1) hears it is over.
        let mut theirs = CallIds::new(2);
        assert_eq!(theirs.check(call(1, None), &offer()), Verdict::Apply);
        assert_eq!(
            theirs.check(Some(back), &Signal::CallEnded),
            Verdict::Redial
        );
        // A call-ended for a connection that is already gone changes nothing.
        let mut other = CallIds::new(9);
        assert_eq!(other.check(Some(back), &Signal::CallEnded), Verdict::Stale);
    }

    #[test]
    fn a_restart_request_for_a_dropped_call_gets_call_ended_too() {
        let mut ours = CallIds::new(5);
        assert_eq!(
            ours.check(call(2, Some(1)), &Signal::RestartIce),
            Verdict::Ended(CallRef {
                from: 5,
                to: Some(2)
            })
        );
        // On the call it names, it is applied; it cannot open a call.
        let mut ours = CallIds::new(1);
        assert_eq!(
            ours.check(call(2, None), &Signal::RestartIce),
            Verdict::Stale
        );
        assert_eq!(ours.check(call(2, Some(1)), &answer()), Verdict::Apply);
        assert_eq!(
            ours.check(call(2, Some(1)), &Signal::RestartIce),
            Verdict::Apply
        );
    }

    #[test]
    fn signals_without_numbers_are_applied_as_before() {
        let mut ours = CallIds::new(1);
        assert_eq!(ours.check(None, &candidate()), Verdict::Apply);
        assert_eq!(ours.check(None, &offer()), Verdict::Apply);
    }
}
