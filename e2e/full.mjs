// End-to-end: a server that is full lets a waiting page in once there is room. One server with --max-rooms 1
// on 127.0.0.1, and two headless Chromium processes.
//
//   node e2e/full.mjs <dist dir> <server binary>
//
// D is in room one. E opens room two: the page says "The server is full right now. Trying again in a moment…"
// and retries with backoff (the server closes the refused socket with 1013). D leaves; E gets in, and the
// banner is gone.

import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer } from './signaling.mjs';
import { killNow, scriptArgs } from './harness.mjs';
import { check, StepFailed, waitIn, enter, close, people, logLines, screenshot, shots, failureCount } from './people.mjs';

const { dist, serverBinary } = scriptArgs('full.mjs');
const FULL = 'The server is full right now. Trying again in a moment…';
let server;

async function main() {
  await mkdir(shots, { recursive: true });
  server = await startServer(serverBinary, dist, '127.0.0.1:0', { args: ['--max-rooms', '1'] });
  const [one, two] = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
  const D = await enter('D', `${server.url}room/${one}`);
  await waitIn(D, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
  const E = await enter('E', `${server.url}room/${two}`);
  await waitIn(E, `the banner says "${FULL}"`, (t) => document.querySelector('#problem')?.textContent?.includes(t), FULL, 10_000);
  // It keeps trying: a second attempt is logged while the server is still full.
  await waitIn(E, 'logs a second reconnection attempt', () =>
    [...document.querySelectorAll('#log li span')].some((s) => /Reconnecting in \d+ ms \(attempt 2\)/.test(s.textContent)), undefined, 10_000);
  await screenshot(E, 'full-waiting.png');
  await D.page.click('#leaveButton', { timeout: 5000 });
  const left = Date.now();
  await waitIn(E, 'gets in once the room is free: "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room', undefined, 20_000);
  console.log(`     figure: D left -> E in the room: ${Date.now() - left} ms`);
  check((await E.page.$('#problem')) === null, 'E: the "server is full" banner is gone');
  const attempts = (await logLines(E)).filter((l) => l.startsWith('Reconnecting in')).length;
  console.log(`     E tried ${attempts + 1} times`);
  await screenshot(E, 'full-in.png');
  for (const p of people) check(p.errors.length === 0, `${p.name}: no uncaught errors or panics${p.errors.length ? ': ' + p.errors.join(' | ') : ''}`);
}

process.on('exit', () => {
  server?.killNow();
  for (const p of people) killNow(p.launched);
});
const watchdog = setTimeout(() => {
  console.log('FAIL the whole run took longer than 90 s');
  process.exit(1);
}, 90_000);
main()
  .catch((error) => {
    if (!(error instanceof StepFailed)) check(false, `unexpected error: ${error.stack ?? error}`);
  })
  .finally(async () => {
    await Promise.all(people.map(close));
    await server?.kill();
    clearTimeout(watchdog);
    console.log(failureCount() ? `full e2e: ${failureCount()} check(s) FAILED` : 'full e2e: all checks passed');
    process.exit(failureCount() ? 1 : 0);
  });
