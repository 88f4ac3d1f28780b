//! Where the demo is, derived from what exists, and what each button may do there.

/// The demo's phase. It is never stored: [`Phase::of`] derives it from the resources that exist, so the
/// buttons cannot disagree with reality.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// No camera yet: Start is the only thing to do.
    Idle,
    /// `getUserMedia` is pending (the permission prompt may be up).
    Starting,
    /// The camera is on and no call is running.
    Ready,
    /// pc1 and pc2 exist.
    InCall,
}

impl Phase {
    /// Derives the phase from: is a capture pending, is there a local stream, is there a call.
    pub fn of(starting: bool, has_media: bool, in_call: bool) -> Self {
        match (starting, has_media, in_call) {
            (_, true, true) => Phase::InCall,
            (_, true, false) => Phase::Ready,
            (true, false, _) => Phase::Starting,
            (false, false, _) => Phase::Idle,
        }
    }

    /// Start asks for the camera.
    pub fn can_start(self) -> bool {
        self == Phase::Idle
    }

    /// Call connects pc1 to pc2.
    pub fn can_call(self) -> bool {
        self == Phase::Ready
    }

    /// Hang Up closes both connections.
    pub fn can_hang_up(self) -> bool {
        self == Phase::InCall
    }

    /// Stop releases the camera and microphone (hanging up first if needed).
    pub fn can_stop(self) -> bool {
        matches!(self, Phase::Ready | Phase::InCall)
    }

    /// One sentence telling the person where they are and what to do next.
    pub fn status(self) -> &'static str {
        match self {
            Phase::Idle => "Camera off. Press Start to turn it on.",
            Phase::Starting => "Waiting for the camera and microphone\u{2026}",
            Phase::Ready => "Camera on. Press Call to connect pc1 to pc2.",
            Phase::InCall => "In a call: pc1 sends your camera to pc2. Press Hang Up to end it.",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (can_start, can_call, can_hang_up) for a phase.
    fn buttons(phase: Phase) -> (bool, bool, bool) {
        (phase.can_start(), phase.can_call(), phase.can_hang_up())
    }

    #[test]
    fn the_button_table_of_the_page_contract() {
        // after load
        assert_eq!(
            buttons(Phase::of(false, false, false)),
            (true, false, false)
        );
        // after Start succeeds
        assert_eq!(buttons(Phase::of(false, true, false)), (false, true, false));
        // after Call
        assert_eq!(buttons(Phase::of(false, true, true)), (false, false, true));
        // after Hang Up: the same as after Start
        assert_eq!(buttons(Phase::of(false, true, false)), (false, true, false));
    }

    #[test]
    fn nothing_is_clickable_while_the_camera_is_being_asked_for() {
        assert_eq!(Phase::of(true, false, false), Phase::Starting);
        assert_eq!(buttons(Phase::Starting), (false, false, false));
        assert!(!Phase::Starting.can_stop());
    }

    #[test]
    fn a_failed_start_allows_a_retry() {
        assert!(Phase::of(false, false, false).can_start());
    }

    #[test]
    fn stop_is_offered_whenever_the_camera_is_on() {
        assert!(Phase::Ready.can_stop());
        assert!(Phase::InCall.can_stop());
        assert!(!Phase::Idle.can_stop());
    }
}
