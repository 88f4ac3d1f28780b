//! What travels on the data channel: chat messages, and files cut into chunks and put back together.
//! (To be written: issue 5, part 3.)
