// End-to-end test of a room call through a real TURN relay with short-lived credentials: Debian's coturn
// (`turnserver`) on 127.0.0.1 with `use-auth-secret`, the signaling server handing every page credentials made
// from the same secret, and the relay-only policy, so that no direct path is even tried.
//
//   node e2e/turn.mjs <dist dir> <server binary>
//
// 1. Two people join a room with `--ice-transport-policy relay`: each plays the other's video; the selected
//    candidate pair is relay/relay in getStats on both sides, and the stats panel says "relay".
// 2. "Check my connection" on the same page: direct addresses, and TURN over UDP and over TCP work, with the
//    round trip to the relay.
// 3. The server restarts: both rejoin, and the running connections get the fresh credentials (for their next ICE
//    restart) while the call keeps playing.
// 4. A server with the wrong `--turn-secret`: the page says "The TURN server refused our credentials".
// 5. Credentials past their expiry (`--turn-ttl 1s`, used 2.5 s later): the same words.
//
// When coturn is not installed, the test says so and fails (scripts/setup.sh installs it).
// Prints PASS/FAIL per check; exits non-zero on any failure. Screenshots go to target/e2e/turn-*.png.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { startServer } from './signaling.mjs';
import { listening, scriptArgs } from './harness.mjs';
import {
  check,
  checkPlaying,
  close,
  enter,
  failureCount,
  logLines,
  screenshot,
  shots,
  sleep,
  text,
  waitIn,
  runTest,
  freePort,
} from './people.mjs';

const { dist, serverBinary } = scriptArgs('turn.mjs');
const TURNSERVER = process.env.TURNSERVER ?? '/usr/bin/turnserver';
const WATCHDOG_MS = 120_000;
const SECRET = randomBytes(16).toString('hex');
const REFUSED = 'The TURN server refused our credentials';

const children = [];

/** coturn on 127.0.0.1 with the TURN REST scheme (use-auth-secret) and the loopback peers a test needs. */
async function startCoturn(secret) {
  const port = await freePort();
  const dir = join(shots, `turn-${process.pid}`);
  await mkdir(dir, { recursive: true });
  const args = [
    '-n',
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--realm=webrtc-demo.test',
    '--allow-loopback-peers',
    '--no-cli',
    '--no-tls',
    '--no-dtls',
    `--pidfile=${join(dir, 'turnserver.pid')}`,
    `--log-file=${join(dir, 'turnserver.log')}`,
  ];
  const child = spawn(TURNSERVER, args, { stdio: 'ignore' });
  children.push(child);
  await listening(port);
  return { port, pid: child.pid, dir };
}

/** The selected candidate pair of every open connection: [local type, remote type] from getStats. */
const selectedPairs = (person) =>
  person.page.evaluate(async () => {
    const result = [];
    for (const pc of window.__pcs ?? []) {
      if (pc.connectionState === 'closed') continue;
      const stats = await pc.getStats();
      let pairId = null;
      stats.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
      });
      const pair = pairId ? stats.get(pairId) : null;
      const local = pair ? stats.get(pair.localCandidateId) : null;
      const remote = pair ? stats.get(pair.remoteCandidateId) : null;
      result.push({
        local: local?.candidateType ?? null,
        remote: remote?.candidateType ?? null,
        protocol: local?.relayProtocol ?? local?.protocol ?? null,
      });
    }
    return result;
  });

async function main() {
  await mkdir(shots, { recursive: true });
  if (!existsSync(TURNSERVER)) {
    check(false, `coturn is installed (${TURNSERVER}); scripts/setup.sh installs it: apt-get install -y coturn`);
    return;
  }
  const turn = await startCoturn(SECRET);
  console.log(`coturn: 127.0.0.1:${turn.port} (pid ${turn.pid})`);
  const turnUrl = `turn:127.0.0.1:${turn.port}?transport=udp`;
  const tcpUrl = `turn:127.0.0.1:${turn.port}?transport=tcp`;
  const relayOnly = ['--turn-url', turnUrl, '--turn-url', tcpUrl, '--turn-ttl', '10m', '--ice-transport-policy', 'relay'];

  console.log('--- 1. a relay-only call through coturn');
  const server = await startServer(serverBinary, dist, '127.0.0.1:0', { args: [...relayOnly, '--turn-secret', SECRET] });
  children.push({ kill: () => server.killNow() });
  const url = `${server.url}room/${randomBytes(16).toString('hex')}`;
  const [A, B] = await Promise.all([enter('A', url), enter('B', url)]);
  for (const p of [A, B]) {
    await waitIn(p, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
  }
  for (const p of [A, B]) await checkPlaying(p, 'relay only', 1, 20_000);
  for (const p of [A, B]) {
    const pairs = await selectedPairs(p);
    console.log(`     figure: ${p.name}: selected pair ${JSON.stringify(pairs)}`);
    check(
      pairs.length === 1 && pairs[0].local === 'relay' && pairs[0].remote === 'relay',
      `${p.name}: the selected candidate pair is relay/relay in getStats (${pairs.map((x) => `${x.local}/${x.remote}`)})`,
    );
    await waitIn(
      p,
      'the stats panel says "relay" for both candidates',
      () =>
        document.querySelector('[data-stat="local-candidate"]')?.textContent.includes('relay') &&
        document.querySelector('[data-stat="remote-candidate"]')?.textContent.includes('relay'),
      undefined,
      5000,
      { fatal: false },
    );
    const problem = await text(p, '#problem');
    check(problem === null, `${p.name}: no alert banner${problem === null ? '' : `: "${problem}"`}`);
  }
  await screenshot(A, 'turn-relay.png');

  console.log('--- 2. "Check my connection"');
  await A.page.click('#checkButton', { timeout: 5000 });
  const reportLines = () =>
    A.page.evaluate(() => (document.querySelector('#connectionCheck')?.textContent ?? '').split('\n').filter(Boolean));
  await waitIn(
    A,
    'the check reports direct, TURN over UDP and TURN over TCP',
    () =>
      (document.querySelector('#connectionCheck')?.textContent ?? '').split('\n').filter(Boolean).length === 3 &&
      !document.querySelector('#checkButton').disabled,
    undefined,
    20_000,
    { fatal: false },
  );
  const report = await reportLines();
  for (const line of report) console.log(`     figure: A: check: ${line}`);
  check(/^\u2713 Direct \(host\): [1-9]/.test(report[0] ?? ''), 'A: the check finds direct (host) addresses');
  for (const [i, transport, url] of [[1, 'UDP', turnUrl], [2, 'TCP', tcpUrl]]) {
    const line = report[i] ?? '';
    check(
      line.startsWith(`\u2713 TURN over ${transport} (${url}): works; relay address 127.0.0.1, allocated in `),
      `A: the check says TURN over ${transport} works, with the time to the relay (${line})`,
    );
  }
  await A.page.$eval('.connection-check', (el) => el.scrollIntoView());
  await A.page.locator('.connection-check').screenshot({ path: join(shots, 'turn-check.png') });
  console.log(`     screenshot: ${join(shots, 'turn-check.png')} (A)`);

  console.log('--- 3. a rejoin hands the running connections fresh credentials');
  const turnUsername = (person) =>
    person.page.evaluate(() => {
      const pc = (window.__pcs ?? []).find((pc) => pc.connectionState !== 'closed');
      return pc?.getConfiguration().iceServers.find((s) => s.username)?.username ?? null;
    });
  const before = { A: await turnUsername(A), B: await turnUsername(B) };
  await sleep(1100); // credentials made in a later second
  const port = server.port;
  await server.kill();
  const again = await startServer(serverBinary, dist, `127.0.0.1:${port}`, { args: [...relayOnly, '--turn-secret', SECRET] });
  children.push({ kill: () => again.killNow() });
  for (const p of [A, B]) {
    await waitIn(
      p,
      'logs "Rejoined room" after the server restart',
      () => [...document.querySelectorAll('#log li span')].some((s) => s.textContent.startsWith('Rejoined room')),
      undefined,
      20_000,
      { fatal: false },
    );
    const after = await turnUsername(p);
    const expiry = (name) => Number(String(name).split(':')[0]);
    check(
      before[p.name] && after && expiry(after) > expiry(before[p.name]) && after.split(':')[1] === before[p.name].split(':')[1],
      `${p.name}: the running connection's TURN username is fresh (${before[p.name]} -> ${after})`,
    );
  }
  await checkPlaying(A, 'after the rejoin', 1);
  await Promise.all([A, B].map(close));
  again.killNow();

  console.log('--- 4. the wrong TURN secret');
  const wrong = await startServer(serverBinary, dist, '127.0.0.1:0', { args: [...relayOnly, '--turn-secret', 'not-the-secret'] });
  children.push({ kill: () => wrong.killNow() });
  const url2 = `${wrong.url}room/${randomBytes(16).toString('hex')}`;
  const [C, D] = await Promise.all([enter('C', url2), enter('D', url2)]);
  for (const p of [C, D]) {
    await waitIn(
      p,
      `the banner says "${REFUSED}" (before the 15 s connect timeout)`,
      (words) => (document.querySelector('#problem')?.textContent ?? '').includes(words),
      REFUSED,
      12_000,
      { fatal: false },
    );
  }
  const banner = await text(C, '#problem');
  console.log(`     figure: C: the banner: "${banner?.trim()}"`);
  const lines = (await logLines(C)).filter((l) => l.includes(REFUSED));
  check(lines.length === 1, `C: the log says it once (${lines.length} line(s))`);
  await screenshot(C, 'turn-refused.png');
  await Promise.all([C, D].map(close));
  wrong.killNow();

  console.log('--- 5. expired credentials');
  const short = await startServer(serverBinary, dist, '127.0.0.1:0', {
    args: ['--turn-url', turnUrl, '--ice-transport-policy', 'relay', '--turn-secret', SECRET, '--turn-ttl', '1s'],
  });
  children.push({ kill: () => short.killNow() });
  const url3 = `${short.url}room/${randomBytes(16).toString('hex')}`;
  const E = await enter('E', url3);
  await waitIn(E, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
  await sleep(2500); // E's credentials, valid for 1 s from its welcome, expire before anyone else comes
  const F = await enter('F', url3);
  await waitIn(
    E,
    `with credentials past their expiry, the banner says "${REFUSED}"`,
    (words) => (document.querySelector('#problem')?.textContent ?? '').includes(words),
    REFUSED,
    12_000,
    { fatal: false },
  );
  await Promise.all([E, F].map(close));
  short.killNow();
}

/** Kills coturn and the servers this script started. */
function killAll() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {}
  }
}

runTest('turn e2e', main, {
  watchdogMs: WATCHDOG_MS,
  onExit: killAll,
  after: async () => {
    killAll();
    // coturn's log stays for a failed run.
    if (!failureCount()) await rm(join(shots, `turn-${process.pid}`), { recursive: true, force: true }).catch(() => {});
  },
});
