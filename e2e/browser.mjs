// How the end-to-end test and the benchmark start Chromium: Debian's binary, the fake camera and microphone,
// and no traffic anywhere but 127.0.0.1. Nothing here downloads a browser.

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--use-fake-device-for-media-stream',
  '--use-fake-ui-for-media-stream',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  // Belt and braces: no host name resolves, so nothing but 127.0.0.1 can be reached over HTTP.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];
