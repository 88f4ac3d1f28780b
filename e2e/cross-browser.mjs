// End-to-end test of a room call between Chromium and Firefox: the real signaling server and the built page, one
// person in headless Chromium (playwright-core) and one in headless Firefox ESR (puppeteer-core over WebDriver
// BiDi), each with its browser's fake camera, all on 127.0.0.1.
//
// Over 300 lines: one test read top to bottom, the steps of a call between two engines with the Firefox waits beside them.
//
//   node e2e/cross-browser.mjs <dist dir> <server binary>
//
// 1. Both join: each plays the other's video. In headless Firefox `getVideoPlaybackQuality()` counts no frames,
//    so frames are proven on both sides by the video drawn to a canvas at two moments (the pixels differ), with
//    `videoWidth > 0` and a `currentTime` that advances.
// 1b. Firefox (who made the first offer) restarts ICE: new candidates on both sides, and the media goes on.
// 2. Chat crosses both ways.
// 3. A file crosses both ways, and the receiver's download has the sender's SHA-256.
// 4. Camera off in Firefox shows in Chromium's stats (the received video bitrate falls), and Mute in Chromium
//    shows in Firefox's (the received audio bitrate falls); both come back.
// 5. The server is killed and restarted on the same port: both rejoin with the same ids, with no new connection.
// 6. Share screen in headless Firefox, which has no screen to share: the page says so in words.
// 7. Firefox leaves: Chromium is told and drops the tile.
//
// The checks and page readers are e2e/room.mjs's. Screenshots of the Firefox side go to target/e2e/cross-*.png.

import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import puppeteer from 'puppeteer-core';
import { CHROMIUM, CHROMIUM_ARGS, FIREFOX, FIREFOX_PREFS } from './browser.mjs';
import { startServer } from './signaling.mjs';
import { closeBrowser, killNow, launchChromium, scriptArgs } from './harness.mjs';
import {
  check,
  checkPlaying,
  countLines,
  dumpState,
  failureCount as failed,
  logLines,
  mediaDiagnosis,
  noProblem,
  openPcs,
  ownShortId,
  pcs,
  recordPeerConnections,
  require_,
  runSteps,
  screenshot,
  shots,
  sleep,
  text,
  tiles,
  waitIn,
} from './people.mjs';

const { dist, serverBinary } = scriptArgs('cross-browser.mjs');

const WATCHDOG_MS = 300_000;
const VIEWPORT = { width: 1100, height: 900 };
const FILE_BYTES = 2 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// The two people

const people = [];
const servers = [];

/** Chromium, through playwright-core, as e2e/room.mjs starts it. */
async function enterChromium(name, url) {
  const launched = await launchChromium({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const browser = launched.browser;
  const person = { name, browser, launched, errors: [], closed: false, kill: () => killNow(launched) };
  people.push(person);
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(recordPeerConnections);
  person.page = await context.newPage();
  person.page.on('pageerror', (e) => person.errors.push(`pageerror: ${e.message}`));
  person.page.on('console', (m) => panicked(person, m.type(), m.text()));
  person.type = (selector, words) => person.page.fill(selector, words);
  await person.page.goto(url, { timeout: 15_000 });
  return person;
}

/**
 * Firefox ESR, through puppeteer-core over WebDriver BiDi. Its page is wrapped so that room.mjs's helpers, written
 * for Playwright, work unchanged: only `waitForFunction` takes its arguments in another order.
 */
async function enterFirefox(name, url) {
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    extraPrefsFirefox: FIREFOX_PREFS,
  });
  const person = { name, browser, errors: [], closed: false, kill: () => browser.process()?.kill('SIGKILL') };
  people.push(person);
  const page = await browser.newPage();
  await page.setViewport(VIEWPORT);
  await page.evaluateOnNewDocument(recordPeerConnections);
  page.on('pageerror', (e) => {
    // Firefox reports a WebSocket that cannot connect as a page error; while the server is down (step 5) that is
    // what the page's reconnecting is meant to meet.
    if (!/can.t establish a connection to the server at ws:/.test(e.message)) person.errors.push(`pageerror: ${e.message}`);
  });
  page.on('console', (m) => panicked(person, m.type(), m.text()));
  person.page = new Proxy(page, {
    get(target, key) {
      if (key === 'waitForFunction') {
        return (fn, arg, { timeout, polling } = {}) => target.waitForFunction(fn, { timeout, polling }, arg);
      }
      const value = target[key];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  person.type = (selector, words) => page.type(selector, words);
  await page.goto(url, { timeout: 15_000 });
  return person;
}

function panicked(person, type, message) {
  if (type === 'error' && /panic|unreachable|RuntimeError/i.test(message)) person.errors.push(`console: ${message}`);
}

async function close(person) {
  if (person.closed) return;
  person.closed = true;
  if (person.launched) return closeBrowser(person.launched);
  let timer;
  await Promise.race([person.browser.close(), new Promise((done) => (timer = setTimeout(done, 10_000)))]).catch(() => {});
  clearTimeout(timer);
  try {
    person.kill();
  } catch {}
}

// ---------------------------------------------------------------------------------------------------------------
// What the checks read

/**
 * The video from `peer` drawn to a canvas, then again a second later: how many of its pixels changed, whether it
 * is more than black, its size, and how far its clock moved.
 */
const frames = (person, peer) =>
  person.page.evaluate(async (peer) => {
    const video = document.querySelector(`video[data-peer="${peer}"]`);
    if (!video) return null;
    const grab = () => {
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 48;
      const context = canvas.getContext('2d');
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      return context.getImageData(0, 0, canvas.width, canvas.height).data;
    };
    const time = video.currentTime;
    const first = grab();
    await new Promise((done) => setTimeout(done, 1000));
    const second = grab();
    let changed = 0;
    let lit = 0;
    for (let i = 0; i < first.length; i += 4) {
      if (first[i] !== second[i] || first[i + 1] !== second[i + 1] || first[i + 2] !== second[i + 2]) changed += 1;
      if (first[i] + first[i + 1] + first[i + 2] > 48) lit += 1;
    }
    return {
      width: video.videoWidth,
      height: video.videoHeight,
      advanced: video.currentTime - time,
      changed,
      lit,
      pixels: first.length / 4,
    };
  }, peer);

/** Asserts that the one remote video of `person` shows moving pictures, by its pixels. */
async function checkPixels(person, label) {
  const [tile] = await tiles(person);
  const seen = tile && (await frames(person, tile.peer));
  if (!(seen?.changed >= 16) && tile) console.log(`     ${person.name}: the video from ${tile.peer.slice(0, 6)}: ${await mediaDiagnosis(person, tile.peer)}`);
  check(
    seen && seen.width > 0 && seen.advanced > 0.3 && seen.changed >= 16 && seen.lit > 0,
    `${person.name}: ${label}: the picture from ${tile?.peer.slice(0, 6)} moves (${seen?.width}x${seen?.height}, ` +
      `${seen?.changed} of ${seen?.pixels} canvas pixels changed in 1 s, currentTime +${seen?.advanced.toFixed(2)} s)`,
  );
}

/** A number from the stats panel's cell `data-stat=key` ("123 kbit/s" gives 123), or null. */
const stat = (person, key) =>
  person.page.evaluate((key) => {
    const cell = document.querySelector(`[data-stat="${key}"]`)?.textContent ?? '';
    const number = /^(\d+)/.exec(cell);
    return number ? Number(number[1]) : null;
  }, key);

/** Waits until `fn(value of the stats cell key)` holds, polling the page once a second. */
async function waitForStat(person, key, what, fn, timeout = 15_000) {
  const end = Date.now() + timeout;
  let value;
  while (Date.now() < end) {
    value = await stat(person, key);
    if (value !== null && fn(value)) return check(true, `${person.name}: ${what} (${key} = ${value})`);
    await sleep(1000);
  }
  return check(false, `${person.name}: ${what} (${key} = ${value} after ${timeout} ms)`);
}

const chatLines = (person) =>
  person.page.$$eval('#chat-messages li', (items) =>
    items.map((li) => ({ from: li.querySelector('.chat-from')?.textContent, text: li.querySelector('.chat-text')?.textContent })),
  );

// ---------------------------------------------------------------------------------------------------------------
// The test

async function main() {
  await mkdir(shots, { recursive: true });
  let server = await startServer(serverBinary, dist, '127.0.0.1:0');
  servers.push(server);
  const room = randomBytes(16).toString('hex');
  const url = `${server.url}room/${room}`;
  console.log(`server: ${server.url} (pid ${server.pid}); room link: ${url}`);
  const ids = {};
  let C, F; // Chromium, Firefox

  const steps = [
    [
      '1. Chromium and Firefox join; each plays the other',
      async () => {
        // Chromium first, so that Firefox is the newcomer who calls (makes the first offer): see step 1b.
        C = await enterChromium('Chromium', url);
        await waitIn(C, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
        F = await enterFirefox('Firefox', url);
        await waitIn(F, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
        for (const p of [C, F]) ids[p.name] = { short: await ownShortId(p) };
        require_(ids.Chromium.short && ids.Firefox.short, `own ids: ${ids.Chromium.short}, ${ids.Firefox.short}`);
        for (const [p, other] of [[C, F], [F, C]]) {
          await checkPlaying(p, 'after joining', 1);
          await checkPixels(p, 'after joining');
          const [tile] = await tiles(p);
          require_(tile?.peer.startsWith(ids[other.name].short), `${p.name}: the tile is ${other.name}'s (${tile?.peer})`);
          ids[other.name].full = tile.peer;
          const line = `First frame from ${ids[other.name].short}: `;
          await waitIn(p, `logs "${line}…"`, (l) => [...document.querySelectorAll('#log li span')].some((s) => s.textContent.startsWith(l)), line);
          check(openPcs(await pcs(p)).length === 1, `${p.name}: one open RTCPeerConnection`);
          await noProblem(p, 'after joining');
        }
        // What each side's stats panel says of the other: codec names and the selected pair read in both.
        for (const p of [C, F]) {
          await waitIn(p, 'the stats show the received codec and the selected pair', () => {
            const cell = (key) => document.querySelector(`[data-stat="${key}"]`)?.textContent ?? '';
            return /VP8|VP9|H264|AV1/.test(cell('received-codec')) && /opus/.test(cell('received-codec')) && cell('local-candidate') === 'host';
          });
          console.log(`     ${p.name} receives: ${await text(p, '[data-stat="received-resolution"]')}, ${await text(p, '[data-stat="received-codec"]')}`);
        }
        await screenshot(F, 'cross-firefox-joined.png');
        await screenshot(C, 'cross-chromium-joined.png');
      },
    ],
    [
      '1b. Firefox, who made the first offer, restarts ICE: both get new candidates and the media goes on',
      async () => {
        // Only the side that made the first offer restarts. A re-offer from Chromium, where Firefox made the first
        // offer, is answered by Firefox with a=setup:active although Firefox is the DTLS server, and Chromium
        // refuses that answer ("Failed to set SSL role for the transport"): see the docs/TESTING.md lists it.
        const ufrag = (p) =>
          p.page.evaluate(() => /a=ice-ufrag:(\S+)/.exec(window.__pcs.find((pc) => pc.connectionState !== 'closed')?.localDescription?.sdp ?? '')?.[1]);
        const before = {};
        for (const p of [C, F]) before[p.name] = { pcs: (await pcs(p)).length, ufrag: await ufrag(p) };
        await F.page.evaluate(() => window.__pcs.find((pc) => pc.connectionState !== 'closed')?.restartIce());
        for (const p of [C, F]) {
          // A restart is a new ICE username fragment in the local description, once negotiated.
          await waitIn(
            p,
            `ICE restarted (a new ufrag, not ${before[p.name].ufrag}), and the pc is stable and connected again`,
            (old) => {
              const open = window.__pcs.filter((pc) => pc.connectionState !== 'closed');
              const now = /a=ice-ufrag:(\S+)/.exec(open[0]?.localDescription?.sdp ?? '')?.[1];
              return open.length === 1 && now && now !== old && open[0].signalingState === 'stable' && open[0].connectionState === 'connected';
            },
            before[p.name].ufrag,
          );
        }
        await sleep(2000); // past the switch to the new candidate pair
        for (const p of [C, F]) {
          const list = await pcs(p);
          check(list.length === before[p.name].pcs, `${p.name}: no new RTCPeerConnection (${list.length} made)`);
          const failed = (await logLines(p)).filter((l) => l.includes('Negotiation step failed'));
          check(failed.length === 0, `${p.name}: no "Negotiation step failed" line${failed.length ? ': ' + failed.join(' | ') : ''}`);
          await checkPixels(p, 'after the ICE restart');
        }
        // What a file is cut into (16 KiB frames) must fit what the two browsers agreed on.
        for (const p of [C, F]) {
          const size = await p.page.evaluate(() => window.__pcs.find((pc) => pc.connectionState !== 'closed')?.sctp?.maxMessageSize);
          check(size >= 16 * 1024, `${p.name}: the data channel's maxMessageSize (${size}) takes a 16 KiB frame`);
        }
      },
    ],
    [
      '2. chat both ways',
      async () => {
        for (const [from, to] of [[C, F], [F, C]]) {
          const words = `hello from ${from.name} ${randomBytes(3).toString('hex')}`;
          await waitIn(from, 'the chat can send', () => document.querySelector('#chat-reason')?.hidden === true);
          await from.type('#chat-text', words);
          await waitIn(from, 'Send is enabled once typed', () => !document.querySelector('#chat-send')?.disabled, undefined, 5000);
          await from.page.click('#chat-send');
          await waitIn(
            to,
            `shows "${words}" from ${ids[from.name].short}`,
            ([words, short]) =>
              [...document.querySelectorAll('#chat-messages li')].some(
                (li) => li.querySelector('.chat-text')?.textContent === words && li.querySelector('.chat-from')?.textContent.includes(short),
              ),
            [words, ids[from.name].short],
            10_000,
          );
        }
        console.log(`     Firefox's chat: ${JSON.stringify(await chatLines(F))}`);
      },
    ],
    [
      '3. a file both ways, SHA-256 verified',
      async () => {
        for (const [from, to] of [[C, F], [F, C]]) {
          const name = `from-${from.name.toLowerCase()}.bin`;
          const sent = await from.page.evaluate(
            async ([size, name]) => {
              const bytes = new Uint8Array(size);
              for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
              const transfer = new DataTransfer();
              transfer.items.add(new File([bytes], name));
              const input = document.getElementById('chat-file');
              input.files = transfer.files;
              input.dispatchEvent(new Event('change', { bubbles: true }));
              const digest = await crypto.subtle.digest('SHA-256', bytes);
              return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
            },
            [FILE_BYTES, name],
          );
          const started = Date.now();
          await waitIn(
            to,
            `receives ${name} and says it is verified`,
            (name) =>
              [...document.querySelectorAll('#chat-transfers > li[data-direction="in"]')].some(
                (li) => li.dataset.state === 'verified' && li.textContent.includes(name) && li.querySelector('a.chat-download'),
              ),
            name,
            30_000,
          );
          const seconds = (Date.now() - started) / 1000;
          const received = await to.page.evaluate(async (name) => {
            const row = [...document.querySelectorAll('#chat-transfers > li[data-direction="in"]')].find((li) => li.textContent.includes(name));
            const buffer = await (await fetch(row.querySelector('a.chat-download').href)).arrayBuffer();
            const digest = await crypto.subtle.digest('SHA-256', buffer);
            return { size: buffer.byteLength, sha: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('') };
          }, name);
          check(
            received.size === FILE_BYTES && received.sha === sent,
            `${from.name} → ${to.name}: ${received.size} bytes in ${seconds.toFixed(1)} s, SHA-256 ${received.sha.slice(0, 16)}… ` +
              `${received.sha === sent ? 'matches' : `differs from ${sent.slice(0, 16)}…`}`,
          );
          await waitIn(
            from,
            `says ${to.name} verified ${name}`,
            (name) =>
              [...document.querySelectorAll('#chat-transfers > li[data-direction="out"]')].some(
                (li) => li.dataset.state === 'verified' && li.textContent.includes(name),
              ),
            name,
            10_000,
          );
        }
        await screenshot(F, 'cross-firefox-files.png');
      },
    ],
    [
      '4. camera off and mute show in the other side\'s stats',
      async () => {
        const cases = [
          [F, C, '#cameraButton', 'Camera off', 'received-video-bitrate'],
          [C, F, '#muteButton', 'Mute', 'received-audio-bitrate'],
        ];
        for (const [actor, watcher, button, label, key] of cases) {
          await waitForStat(watcher, key, `before ${label} in ${actor.name}: a bitrate is received`, (v) => v > 0);
          await sleep(2000); // a settled figure, not the first second's
          const before = await stat(watcher, key);
          await actor.page.click(button);
          await waitIn(actor, `${label} is pressed`, (b) => document.querySelector(b)?.getAttribute('aria-pressed') === 'true', button, 5000);
          await waitForStat(watcher, key, `after ${label} in ${actor.name}, it falls below half of ${before}`, (v) => v < before / 2);
          await actor.page.click(button);
          await waitIn(actor, `${label} is released`, (b) => document.querySelector(b)?.getAttribute('aria-pressed') === 'false', button, 5000);
          await waitForStat(watcher, key, `once back on, it rises again above half of ${before}`, (v) => v >= before / 2, 20_000);
        }
        await screenshot(F, 'cross-firefox-stats.png');
      },
    ],
    [
      '5. server crash (SIGKILL) and restart on the same port',
      async () => {
        const before = {};
        for (const p of [C, F]) {
          before[p.name] = { pcs: (await pcs(p)).length, rejoined: countLines(await logLines(p), 'Rejoined room') };
        }
        const port = server.port;
        await server.kill();
        console.log(`     killed the server (pid ${server.pid}) with SIGKILL`);
        for (const p of [C, F]) {
          await waitIn(p, '#connection says "Lost the server … Reconnecting"', () =>
            /Lost the server.*Reconnecting/.test(document.querySelector('#connection')?.textContent ?? ''), undefined, 12_000);
        }
        for (const p of [C, F]) await checkPixels(p, 'while the server is down');
        await screenshot(F, 'cross-firefox-server-down.png');
        server = await startServer(serverBinary, dist, `127.0.0.1:${port}`);
        servers.push(server);
        for (const p of [C, F]) {
          await waitIn(p, 'shows "In the room" again', () => document.querySelector('#connection')?.textContent === 'In the room', undefined, 30_000);
        }
        for (const p of [C, F]) {
          const lines = (await logLines(p)).filter((l) => l.startsWith('Rejoined room'));
          check(
            lines.length === before[p.name].rejoined + 1 && lines.at(-1) === `Rejoined room ${room} as ${ids[p.name].short}`,
            `${p.name}: logs "Rejoined room … as ${ids[p.name].short}" (${lines.at(-1) ?? 'none'})`,
          );
          check((await ownShortId(p)) === ids[p.name].short, `${p.name}: the same id in the caption`);
          const list = await pcs(p);
          check(
            list.length === before[p.name].pcs && openPcs(list).length === 1,
            `${p.name}: no new RTCPeerConnection (${before[p.name].pcs} before, ${list.length} after)`,
          );
          await checkPlaying(p, 'after the restart', 1);
          await checkPixels(p, 'after the restart');
          await noProblem(p, 'after the restart');
        }
        await screenshot(F, 'cross-firefox-after-restart.png');
      },
    ],
    [
      '6. Share screen in headless Firefox, which has no screen: the page says so, and the call goes on',
      async () => {
        await F.page.click('#shareButton');
        await waitIn(
          F,
          'the banner says there is no screen to share',
          () => /found no screen or window to share/.test(document.querySelector('#problem')?.textContent ?? ''),
          undefined,
          10_000,
        );
        console.log(`     Firefox: #problem: "${await text(F, '#problem')}"`);
        await waitIn(F, 'Share screen is offered again', () => {
          const button = document.querySelector('#shareButton');
          return button && !button.disabled && button.textContent === 'Share screen';
        });
        await checkPixels(C, 'after Firefox tried to share');
        await screenshot(F, 'cross-firefox-no-screen.png');
      },
    ],
    [
      '7. Firefox leaves',
      async () => {
        await F.page.click('#leaveButton');
        await waitIn(
          C,
          `#notice says "${ids.Firefox.short} left" and the tile is gone`,
          ([short, full]) =>
            (document.querySelector('#notice')?.textContent ?? '').includes(`${short} left`) &&
            !document.querySelector(`video[data-peer="${full}"]`),
          [ids.Firefox.short, ids.Firefox.full],
          5000,
        );
        await waitIn(F, '#connection says "You left the room"', () => document.querySelector('#connection')?.textContent === 'You left the room', undefined, 5000);
        check(openPcs(await pcs(F)).length === 0, 'Firefox: every RTCPeerConnection closed');
        check(openPcs(await pcs(C)).length === 0, 'Chromium: no open RTCPeerConnection left');
        await screenshot(F, 'cross-firefox-left.png');
      },
    ],
  ];

  await runSteps(steps, dump, people);
}

const dump = () => dumpState({ who: people, running: servers, prefix: 'cross' });

process.on('exit', () => {
  for (const s of servers) s.killNow();
  for (const p of people) {
    try {
      p.kill();
    } catch {}
  }
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

const began = Date.now();
const watchdog = setTimeout(async () => {
  console.log(`FAIL the whole run took longer than ${WATCHDOG_MS / 1000} s; killing everything`);
  await Promise.race([dump().catch(() => {}), sleep(15_000)]);
  process.exit(1);
}, WATCHDOG_MS);

main()
  .catch((error) => check(false, `unexpected error: ${error.stack ?? error}`))
  .finally(async () => {
    await Promise.all(people.map(close));
    await Promise.all(servers.map((s) => s.kill()));
    clearTimeout(watchdog);
    const seconds = ((Date.now() - began) / 1000).toFixed(1);
    console.log(failed() ? `cross-browser e2e: ${failed()} check(s) FAILED (${seconds} s)` : `cross-browser e2e: all checks passed (${seconds} s)`);
    console.log(`screenshots: ${shots}/cross-*.png`);
    process.exit(failed() ? 1 : 0);
  });
