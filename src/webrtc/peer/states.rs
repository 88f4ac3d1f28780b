//! The connection's three states as the browser spells them, for the log: the one place a state becomes text.

use web_sys::{RtcIceConnectionState, RtcPeerConnectionState, RtcSignalingState};

/// A state's name as the specification spells it (`"have-local-offer"`), or `"unknown"` for a value this build
/// of web-sys does not know (a browser newer than the bindings, or one that lacks the attribute).
pub trait StateText {
    /// The state's name.
    fn text(&self) -> &'static str;
}

impl StateText for RtcPeerConnectionState {
    fn text(&self) -> &'static str {
        match self {
            RtcPeerConnectionState::New => "new",
            RtcPeerConnectionState::Connecting => "connecting",
            RtcPeerConnectionState::Connected => "connected",
            RtcPeerConnectionState::Disconnected => "disconnected",
            RtcPeerConnectionState::Failed => "failed",
            RtcPeerConnectionState::Closed => "closed",
            _ => "unknown",
        }
    }
}

impl StateText for RtcIceConnectionState {
    fn text(&self) -> &'static str {
        match self {
            RtcIceConnectionState::New => "new",
            RtcIceConnectionState::Checking => "checking",
            RtcIceConnectionState::Connected => "connected",
            RtcIceConnectionState::Completed => "completed",
            RtcIceConnectionState::Disconnected => "disconnected",
            RtcIceConnectionState::Failed => "failed",
            RtcIceConnectionState::Closed => "closed",
            _ => "unknown",
        }
    }
}

impl StateText for RtcSignalingState {
    fn text(&self) -> &'static str {
        match self {
            RtcSignalingState::Stable => "stable",
            RtcSignalingState::HaveLocalOffer => "have-local-offer",
            RtcSignalingState::HaveRemoteOffer => "have-remote-offer",
            RtcSignalingState::HaveLocalPranswer => "have-local-pranswer",
            RtcSignalingState::HaveRemotePranswer => "have-remote-pranswer",
            RtcSignalingState::Closed => "closed",
            _ => "unknown",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_read_as_the_specification_spells_them() {
        assert_eq!(RtcPeerConnectionState::Connected.text(), "connected");
        assert_eq!(RtcIceConnectionState::Checking.text(), "checking");
        assert_eq!(RtcSignalingState::HaveLocalOffer.text(), "have-local-offer");
    }
}
