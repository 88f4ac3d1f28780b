//! Call statistics: `getStats()` reports parsed into typed structs, and the rates computed from two of them.
//! (To be written: issue 5, part 1.)
