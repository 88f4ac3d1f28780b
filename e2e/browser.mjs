// How the end-to-end test and the benchmark start Chromium: Debian's binary, the fake camera and microphone,
// and no traffic anywhere but 127.0.0.1. Nothing here downloads a browser.

import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/**
 * Writes, in `dir`, a script that starts Chromium inside network namespace `ns`, for `executablePath`
 * (playwright talks to it over a pipe, which works across namespaces). Returns its path.
 */
export function chromiumInNamespace(ns, dir) {
  const path = join(dir, `chromium-in-${ns}.sh`);
  writeFileSync(path, `#!/bin/sh\nexec ip netns exec ${ns} ${CHROMIUM} "$@"\n`);
  chmodSync(path, 0o755);
  return path;
}

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

// Firefox: Debian's Firefox ESR, driven over WebDriver BiDi by puppeteer-core (Playwright's Firefox is a patched
// build that cannot be downloaded here). The same prefs as webdriver-firefox.json, for the wasm tests.
export const FIREFOX = process.env.FIREFOX ?? '/usr/bin/firefox-esr';

export const FIREFOX_PREFS = {
  // The fake camera and microphone, without a permission prompt.
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // Videos with sound may play without a click.
  'media.autoplay.default': 0,
  // Candidates on 127.0.0.1 too, and real host addresses instead of mDNS names nobody here resolves.
  'media.peerconnection.ice.loopback': true,
  'media.peerconnection.ice.obfuscate_host_addresses': false,
  // Nothing but 127.0.0.1: no update checks, telemetry or remote settings.
  'network.proxy.type': 0,
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.enabled': false,
  'services.settings.server': 'http://127.0.0.1:9/',
};
