// What every end-to-end script needs around its checks: its arguments and usage, a skip that fails unless the
// developer allows it, and browsers that can always be killed.
//
//   scriptArgs(script, { usage, needs })  -> { dist, serverBinary }; prints the usage and exits 2 when arguments
//                                           are missing
//   skip(title, why)                      exits 1 with "FAIL <title> cannot run here: <why>", or, when
//                                           E2E_ALLOW_SKIP=1 (a developer's own machine; CI never sets it), exits 0
//                                           with "SKIP ..."
//   listening(port)                      resolves once something accepts TCP connections on 127.0.0.1:port
//   launchChromium({ executablePath, args }) -> { browser, process }; closeBrowser(launched) closes it and kills
//                                           its process if it does not go within 10 s

import { connect } from 'node:net';
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

/** The usage line's note on skips, for each script's usage text. */
export const SKIP_NOTE =
  'A test that cannot run here (no root, a missing program) fails; set E2E_ALLOW_SKIP=1 on your own machine to let it skip instead. CI never sets it.';

/** The dist directory and server binary from argv; on missing arguments, the usage (and `needs`) and exit 2. */
export function scriptArgs(script, { usage = '<dist dir> <server binary>', needs = '' } = {}) {
  const wanted = usage.split(' ').filter((word) => word.startsWith('<')).length;
  if (process.argv.length < 2 + wanted) {
    console.error(`usage: node e2e/${script} ${usage}`);
    if (needs) console.error(`needs: ${needs}`);
    console.error(SKIP_NOTE);
    process.exit(2);
  }
  return { dist: resolve(process.argv[2]), serverBinary: process.argv[3] && resolve(process.argv[3]) };
}

/** The test cannot run on this machine: a failure, unless the developer allowed skips (E2E_ALLOW_SKIP=1). */
export function skip(title, why) {
  if (process.env.E2E_ALLOW_SKIP === '1') {
    console.log(`SKIP ${title}: ${why} (allowed by E2E_ALLOW_SKIP=1)`);
    process.exit(0);
  }
  console.log(`FAIL ${title} cannot run here: ${why}. (E2E_ALLOW_SKIP=1 lets it skip on your own machine; CI never sets it.)`);
  process.exit(1);
}

/**
 * Starts Chromium as a browser server (whose process we hold, so it can always be killed) and connects to it.
 * Playwright's `chromium.launch()` gives a Browser without its process: a hung browser could not be killed.
 */
export async function launchChromium({ executablePath, args, headless = true }) {
  const server = await chromium.launchServer({ executablePath, headless, args });
  try {
    const browser = await chromium.connect(server.wsEndpoint());
    return { browser, server, process: server.process() };
  } catch (error) {
    await server.kill();
    throw error;
  }
}

/** Closes a browser from `launchChromium`; if it is not gone within 10 s, kills its process. Never throws. */
export async function closeBrowser(launched) {
  let timer;
  const late = new Promise((done) => (timer = setTimeout(() => done('late'), 10_000)));
  const closed = launched.server.close().then(() => 'closed', () => 'failed');
  const how = await Promise.race([closed, late]);
  clearTimeout(timer);
  if (how !== 'closed') await launched.server.kill().catch(() => {});
  killNow(launched);
}

/** Kills a launched browser's process at once (synchronous: for an 'exit' handler). */
export function killNow(launched) {
  const child = launched?.process;
  if (child && child.exitCode === null && child.signalCode === null) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
}

/** Resolves once something accepts TCP connections on 127.0.0.1:`port`, or fails after `timeout` ms. */
export async function listening(port, timeout = 10_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    const up = await new Promise((done) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (up) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port} after ${timeout} ms`);
}

