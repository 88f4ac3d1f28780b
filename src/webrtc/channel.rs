//! `RTCDataChannel`, with owned handlers. (To be written: issue 5, part 3.)
