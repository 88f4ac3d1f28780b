//! Perfect negotiation's decisions for one peer, free of the browser: what to do with an offer that crosses
//! ours (glare), whose offer opened the call, and so who restarts ICE.

/// Whose offer opened the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Opener {
    Us,
    Them,
}

/// What to do with an offer from the peer.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum OfferDecision {
    /// Glare, and we are the impolite side: ignore it and wait for the answer to ours.
    Ignore,
    /// Answer it; `rolled_back`: ours crossed it, and taking theirs rolls ours back (we are the polite side).
    Answer { rolled_back: bool },
}

/// Who makes an ICE restart.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Restarter {
    /// We restart: our offer opened the call (or nobody's has yet).
    Us,
    /// We ask them to (`restart-ice`): only the first offerer makes later offers, since Firefox answers a
    /// re-offer from the side that answered first with the wrong DTLS role, which Chromium refuses.
    Them,
}

/// One peer's negotiation state.
#[derive(Debug)]
pub(super) struct Negotiator {
    polite: bool,
    /// We ignored their offer in a glare: their candidates for it will fail, and that is expected.
    ignoring_offer: bool,
    /// Whose offer opened the call, once one was answered.
    opener: Option<Opener>,
}

impl Negotiator {
    /// `polite`: this side yields in a glare (see [`super::is_polite`]).
    pub(super) fn new(polite: bool) -> Negotiator {
        Negotiator {
            polite,
            ignoring_offer: false,
            opener: None,
        }
    }

    /// An offer from them arrived; `stable`: we have no offer of our own outstanding.
    pub(super) fn offer_arrived(&mut self, stable: bool) -> OfferDecision {
        let collision = !stable;
        self.ignoring_offer = !self.polite && collision;
        if self.ignoring_offer {
            OfferDecision::Ignore
        } else {
            OfferDecision::Answer {
                rolled_back: collision,
            }
        }
    }

    /// We answered their offer: if it was the first, theirs opened the call.
    pub(super) fn answered(&mut self) {
        self.opener.get_or_insert(Opener::Them);
    }

    /// They answered our offer: if it was the first, ours opened the call.
    pub(super) fn got_answer(&mut self) {
        self.opener.get_or_insert(Opener::Us);
    }

    /// Who restarts ICE when the connection is down.
    pub(super) fn restarter(&self) -> Restarter {
        match self.opener {
            Some(Opener::Them) => Restarter::Them,
            Some(Opener::Us) | None => Restarter::Us,
        }
    }

    /// Whether a candidate they sent may fail without it being worth a line: it belongs to an offer we ignored.
    pub(super) fn ignoring_offer(&self) -> bool {
        self.ignoring_offer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_a_glare_the_impolite_side_ignores_and_the_polite_side_yields() {
        let mut impolite = Negotiator::new(false);
        assert_eq!(impolite.offer_arrived(false), OfferDecision::Ignore);
        assert!(impolite.ignoring_offer());
        assert_eq!(
            impolite.offer_arrived(true),
            OfferDecision::Answer { rolled_back: false }
        );
        assert!(!impolite.ignoring_offer());

        let mut polite = Negotiator::new(true);
        assert_eq!(
            polite.offer_arrived(false),
            OfferDecision::Answer { rolled_back: true }
        );
        assert!(!polite.ignoring_offer());
    }

    #[test]
    fn the_side_whose_offer_opened_the_call_restarts_ice() {
        let mut answerer = Negotiator::new(true);
        assert_eq!(answerer.restarter(), Restarter::Us, "nothing settled yet");
        answerer.answered();
        answerer.got_answer();
        assert_eq!(
            answerer.restarter(),
            Restarter::Them,
            "the first one counts"
        );

        let mut offerer = Negotiator::new(false);
        offerer.got_answer();
        offerer.answered();
        assert_eq!(offerer.restarter(), Restarter::Us);
    }
}
