// End-to-end test of the real built page (dist/), served over HTTP on 127.0.0.1 and driven in Debian's
// headless Chromium with the fake camera, clicking the buttons as a person would.
//
//   node e2e/run.mjs [dist-dir]
//
// Screenshots go to target/e2e/*.png. Exits non-zero on the first failed check.

import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveDir } from './serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from './browser.mjs';
import { closeBrowser, launchChromium } from './harness.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(process.argv[2] ?? join(root, 'dist'));
const shots = join(root, 'target', 'e2e');

let failures = 0;
function check(condition, what) {
  if (condition) {
    console.log(`  ok   ${what}`);
  } else {
    failures += 1;
    console.log(`  FAIL ${what}`);
    throw new Error(what);
  }
}

/** Disabled state of Start, Call, Hang Up. */
async function buttons(page) {
  return page.evaluate(() =>
    ['startButton', 'callButton', 'hangupButton'].map((id) => document.getElementById(id).disabled),
  );
}

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const AFTER_LOAD = [false, true, true];
const AFTER_START = [true, false, true];
const AFTER_CALL = [true, true, false];

/** Waits until the video has frames and its clock advances. */
async function waitPlaying(page, id, timeout = 20000) {
  await page.waitForFunction((id) => document.getElementById(id).videoWidth > 0, id, { timeout });
  const before = await page.evaluate((id) => document.getElementById(id).currentTime, id);
  await page.waitForFunction(
    ([id, t]) => document.getElementById(id).currentTime > t,
    [id, before],
    { timeout },
  );
  return page.evaluate((id) => {
    const v = document.getElementById(id);
    return `${v.videoWidth}x${v.videoHeight}`;
  }, id);
}

async function logLines(page) {
  return page.$$eval('#log li', (items) => items.map((li) => li.textContent));
}

function watchErrors(page, errors) {
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
}

async function main() {
  await mkdir(shots, { recursive: true });
  const server = await serveDir(dist);
  const launched = await launchChromium({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const browser = launched.browser;
  const setupTimes = [];
  try {
    // ---- The happy path: Start, then Call / Hang Up three times.
    console.log(`page: ${server.url}`);
    const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    const page = await context.newPage();
    const errors = [];
    watchErrors(page, errors);
    await page.goto(server.url);
    await page.waitForSelector('#startButton:not([disabled])', { timeout: 20000 });
    check(same(await buttons(page), AFTER_LOAD), 'after load: Start enabled, Call and Hang Up disabled');
    check(await page.$eval('#localVideo', (v) => v.muted && v.autoplay && v.playsInline), 'local video muted, autoplay, playsinline');
    check(await page.$eval('#remoteVideo', (v) => v.autoplay && v.playsInline), 'remote video autoplay, playsinline');
    await page.screenshot({ path: join(shots, 'loaded.png'), fullPage: true });

    await page.click('#startButton');
    await page.waitForSelector('#callButton:not([disabled])', { timeout: 20000 });
    check(same(await buttons(page), AFTER_START), 'after Start: Call enabled only');
    const localSize = await waitPlaying(page, 'localVideo');
    check(true, `local video plays (${localSize})`);

    for (let round = 1; round <= 3; round++) {
      await page.click('#callButton');
      await page.waitForSelector('#hangupButton:not([disabled])');
      check(same(await buttons(page), AFTER_CALL), `call ${round}: Hang Up enabled only`);
      const remoteSize = await waitPlaying(page, 'remoteVideo');
      check(true, `call ${round}: remote video plays (${remoteSize})`);
      await page.waitForFunction(
        (n) => [...document.querySelectorAll('#log li')].filter((li) => li.textContent.includes('Setup time: ')).length === n,
        round,
      );
      const lines = await logLines(page);
      const setup = lines.filter((l) => l.includes('Setup time: ')).at(-1);
      setupTimes.push(parseFloat(setup.split('Setup time: ')[1]));
      check(lines.some((l) => l.includes('pc2 connection state: connected')), `call ${round}: pc2 connected (logged)`);
      if (round === 1) {
        await page.waitForTimeout(500); // a few more frames, so the screenshot shows moving video
        await page.screenshot({ path: join(shots, 'call.png'), fullPage: true });
      }
      await page.click('#hangupButton');
      await page.waitForSelector('#callButton:not([disabled])');
      check(same(await buttons(page), AFTER_START), `call ${round}: after Hang Up, Call enabled only`);
      check(await page.$eval('#remoteVideo', (v) => v.srcObject === null), `call ${round}: remote video cleared`);
    }
    await page.screenshot({ path: join(shots, 'hung-up.png'), fullPage: true });

    // ---- A phone: the videos stack.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.click('#callButton');
    await waitPlaying(page, 'remoteVideo');
    const stacked = await page.evaluate(() => {
      const a = document.getElementById('localVideo').getBoundingClientRect();
      const b = document.getElementById('remoteVideo').getBoundingClientRect();
      return b.top >= a.bottom;
    });
    check(stacked, 'on a phone the remote video is below the local one');
    await page.screenshot({ path: join(shots, 'phone.png'), fullPage: true });

    // ---- Stop releases the camera.
    await page.click('#stopButton');
    await page.waitForSelector('#startButton:not([disabled])');
    check(same(await buttons(page), AFTER_LOAD), 'Stop camera: back to the state after load');
    check(await page.$eval('#localVideo', (v) => v.srcObject === null), 'Stop camera: local video cleared');
    check(errors.length === 0, `no errors in the console${errors.length ? ': ' + errors.join('; ') : ''}`);
    await context.close();

    // ---- The camera is refused: the page says so, and Start can be pressed again.
    const denied = await browser.newContext({ viewport: { width: 1200, height: 900 } });
    await denied.addInitScript(() => {
      navigator.mediaDevices.getUserMedia = () =>
        Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
    });
    const page2 = await denied.newPage();
    await page2.goto(server.url);
    await page2.click('#startButton');
    await page2.waitForSelector('#problem');
    const message = await page2.textContent('#problem');
    check(message.includes('refused'), `refused camera explained: "${message}"`);
    await page2.waitForSelector('#startButton:not([disabled])');
    check(same(await buttons(page2), AFTER_LOAD), 'refused camera: Start enabled again');
    await page2.screenshot({ path: join(shots, 'denied.png'), fullPage: true });
    await denied.close();
  } finally {
    await closeBrowser(launched);
    await server.close();
  }

  const sorted = [...setupTimes].sort((a, b) => a - b);
  console.log(`setup time (Call click to first remote frame), ms: ${setupTimes.join(', ')}; median ${sorted[Math.floor(sorted.length / 2)]}`);
  console.log(`screenshots: ${shots}`);
}

main().then(
  () => console.log('e2e: all checks passed'),
  (error) => {
    console.error(`e2e: failed${failures ? '' : ' (error)'}: ${error.stack ?? error}`);
    process.exit(1);
  },
);
