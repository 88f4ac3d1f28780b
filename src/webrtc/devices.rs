//! Cameras, microphones and screens: `enumerateDevices`, `devicechange`, constrained `getUserMedia`,
//! `getDisplayMedia`. (To be written: issue 5, part 2.)
