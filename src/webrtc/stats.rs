//! `RTCPeerConnection.getStats()`, read into plain Rust values. (To be written: issue 5, part 1.)
