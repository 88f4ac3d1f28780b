// End-to-end failover: two server instances sharing rooms through one Redis, behind HAProxy (deploy/haproxy.cfg),
// all on 127.0.0.1 ephemeral ports, and separate headless Chromium processes.
//
//   node e2e/failover.mjs <dist dir> <server binary>
//
// 1. A and B open the room link through HAProxy and land on different instances (HAProxy's leastconn); they call.
//    C opens the same room directly on A's instance.
// 2. A's instance is killed (SIGKILL), then C's browser closed (C, on the dead instance directly, stands for
//    someone who does not come back). A's page reconnects through HAProxy to the surviving instance and rejoins with the same id: the
//    video keeps playing both ways and no RTCPeerConnection is made. B never hears that A left; A and B are told
//    that C stopped responding once C's entry expires.
// 3. Redis is killed: A and B keep playing; D, opening the link on the surviving instance, is told "The server
//    cannot reach its room directory right now…", and gets in (seeing A and B) once Redis is restarted, empty.
// Figures: instance death -> A back in the room; -> C's tile gone at B (peer-left); Redis back -> D in.
//
// Without redis-server or haproxy it fails, saying why, unless E2E_ALLOW_SKIP=1 (a developer's machine) lets it skip. Prints PASS/FAIL per check.

import { spawn, spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { startServer } from './signaling.mjs';
import { listening, scriptArgs, skip } from './harness.mjs';
import {
  check, require_, waitIn, sleep, enter, close, people, logLines, text, ownShortId, tiles, pcs,
  openPcs, checkPlaying, screenshot, noProblem, shots, runSteps, runTest, freePort,
} from './people.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { dist, serverBinary } = scriptArgs('failover.mjs', { needs: 'redis-server and haproxy' });
const WATCHDOG_MS = 180_000;
const HAPROXY = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => spawnSync('test', ['-x', p]).status === 0);
const REDIS = spawnSync('sh', ['-c', 'command -v redis-server']).stdout?.toString().trim();

if (!HAPROXY || !REDIS) {
  skip('failover e2e', `${!REDIS ? 'redis-server' : 'haproxy'} is not installed (scripts/setup.sh installs both)`);
}

const children = [];
const instances = [];

/** A child process we kill at the end; `ready` resolves when `probe()` is true. */
function startChild(command, args, env = {}) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr = (stderr + chunk).slice(-20_000)));
  children.push(child);
  return { child, stderr: () => stderr };
}

async function until(what, probe, timeout = 10_000) {
  const end = Date.now() + timeout;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return;
    await sleep(50);
  }
  throw new Error(`${what}: not within ${timeout} ms`);
}

const status = async (url) => (await fetch(url, { signal: AbortSignal.timeout(1000) })).status;
const metric = async (instance, name) => {
  const body = await (await fetch(`${instance.url}metrics`, { signal: AbortSignal.timeout(1000) })).text();
  return Number(new RegExp(`^${name} (\\d+)`, 'm').exec(body)?.[1] ?? NaN);
};

async function main() {
  await mkdir(shots, { recursive: true });
  const redisPort = await freePort();
  const startRedis = () =>
    startChild(REDIS, ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  let redis = startRedis();
  const redisUrl = `redis://127.0.0.1:${redisPort}`;
  const args = ['--redis', redisUrl, '--redis-heartbeat', '1s', '--trusted-proxy', '127.0.0.1'];
  await listening(redisPort);
  for (let i = 0; i < 2; i += 1) {
    const server = await startServer(serverBinary, dist, '127.0.0.1:0', { args });
    instances.push(server);
  }
  for (const s of instances) await until(`instance ${s.url} ready`, async () => (await status(`${s.url}readyz`)) === 200);
  const front = await freePort();
  const haproxy = startChild(HAPROXY, ['-db', '-f', join(root, 'deploy', 'haproxy.cfg')], {
    LISTEN: `127.0.0.1:${front}`,
    S1: `127.0.0.1:${instances[0].port}`,
    S2: `127.0.0.1:${instances[1].port}`,
  });
  const base = `http://127.0.0.1:${front}/`;
  // Both health checks passed (rise 2, inter 500 ms): give them a moment, then the front must answer.
  await sleep(1500);
  await until('HAProxy answers /readyz', async () => (await status(`${base}readyz`)) === 200).catch((e) => {
    throw new Error(`${e.message}; haproxy: ${haproxy.stderr()}`);
  });
  const room = randomBytes(16).toString('hex');
  console.log(`redis ${redisUrl}; instances ${instances.map((s) => s.url).join(' ')}; HAProxy ${base}; room ${room}`);

  const ids = {};
  let A, B, C, D, home, other;
  const steps = [
    [
      '1. A and B through HAProxy, on different instances; C directly on A\'s',
      async () => {
        A = await enter('A', `${base}room/${room}`);
        await waitIn(A, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
        B = await enter('B', `${base}room/${room}`);
        await waitIn(B, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
        for (const p of [A, B]) ids[p.name] = { short: await ownShortId(p) };
        const holders = await Promise.all(instances.map((s) => metric(s, 'signaling_people')));
        require_(holders[0] === 1 && holders[1] === 1, `one person on each instance (people: ${holders.join(', ')})`);
        home = instances.find((s) => s.stderr().includes(ids.A.short));
        other = instances.find((s) => s !== home);
        require_(home && other, `A's instance found from its log (${home?.url})`);
        C = await enter('C', `${home.url}room/${room}`);
        await waitIn(C, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
        ids.C = { short: await ownShortId(C) };
        for (const p of [A, B, C]) await checkPlaying(p, 'three in the room', 2);
        for (const p of [A, B, C]) {
          for (const t of await tiles(p)) {
            for (const n of ['A', 'B', 'C']) if (t.peer.startsWith(ids[n].short)) ids[n].full = t.peer;
          }
        }
        require_(ids.A.full && ids.B.full && ids.C.full, 'full ids from the tiles');
      },
    ],
    [
      '2. A\'s instance is killed, and C does not come back',
      async () => {
        const before = {};
        for (const p of [A, B]) {
          before[p.name] = {
            pcs: (await pcs(p)).length,
            loads: Object.fromEntries((await tiles(p)).map((t) => [t.peer, t.loads])),
          };
        }
        await home.kill();
        const died = Date.now();
        // C's page was on the dead instance directly (not through HAProxy): it cannot come back. Its browser goes
        // too, so that nothing of C lingers.
        await close(C);
        console.log(`     killed A's instance (pid ${home.pid}) with SIGKILL, and closed C's browser`);
        await waitIn(A, 'says it lost the server', () => /Lost the server/.test(document.querySelector('#connection')?.textContent ?? '') ||
          [...document.querySelectorAll('#log li span')].some((s) => s.textContent.startsWith('Lost the server connection')), undefined, 10_000);
        await waitIn(A, 'shows "In the room" again (through HAProxy, on the other instance)',
          () => document.querySelector('#connection')?.textContent === 'In the room' &&
            [...document.querySelectorAll('#log li span')].some((s) => s.textContent.startsWith('Rejoined room')), undefined, 20_000);
        const back = Date.now() - died;
        const lines = await logLines(A);
        check(lines.includes(`Rejoined room ${room} as ${ids.A.short}`), `A: logs "Rejoined room ${room} as ${ids.A.short}"`);
        check((await ownShortId(A)) === ids.A.short, `A: same id (${ids.A.short})`);
        check((await metric(other, 'signaling_people')) >= 2, 'the surviving instance holds A and B');
        // C never comes back: everyone is told, within 20 s of the death.
        for (const p of [B, A]) {
          await waitIn(p, `C's tile is gone and the notice says "${ids.C.short} stopped responding"`,
            ([short, full]) => !document.querySelector(`video[data-peer="${full}"]`) &&
              (document.querySelector('#notice')?.textContent ?? '').includes(`${short} stopped responding`),
            [ids.C.short, ids.C.full], 20_000 - (Date.now() - died));
        }
        const left = Date.now() - died;
        console.log(`     figure: instance killed -> A back in the room: ${back} ms; -> C reported gone at B and A: ${left} ms (--redis-heartbeat 1s)`);
        for (const [p, o] of [[A, 'B'], [B, 'A']]) {
          const list = await pcs(p);
          check(list.length === before[p.name].pcs, `${p.name}: no new RTCPeerConnection (${before[p.name].pcs} before, ${list.length} after)`);
          check(openPcs(list).length === 1, `${p.name}: one open RTCPeerConnection (to ${o})`);
          await checkPlaying(p, 'after the failover', 1);
          const [t] = await tiles(p);
          check(t?.peer === ids[o].full && t.loads === before[p.name].loads[t.peer],
            `${p.name}: the video from ${o} was not restarted (loadstart ${before[p.name].loads[ids[o].full]} -> ${t?.loads})`);
          await noProblem(p, 'after the failover');
        }
        const notices = (await logLines(B)).filter((l) => l.includes(`${ids.A.short} left`) || l.includes(`${ids.A.short} disconnected`) || l.includes(`${ids.A.short} stopped`));
        check(notices.length === 0, `B: never told that A left (${notices.join(' | ') || 'no such line'})`);
        for (const p of [A, B]) await screenshot(p, `failover-after-${p.name}.png`).catch((e) => console.log(`     (no screenshot: ${e.message.split('\n')[0]})`));
      },
    ],
    [
      '3. Redis dies: the call goes on, a newcomer is told why, and gets in once Redis is back',
      async () => {
        const pcsBefore = (await pcs(A)).length;
        redis.child.kill('SIGKILL');
        const gone = Date.now();
        await until('/readyz 503 on the surviving instance', async () => (await status(`${other.url}readyz`)) === 503);
        console.log(`     killed Redis; /readyz 503 after ${Date.now() - gone} ms`);
        for (const p of [A, B]) await checkPlaying(p, 'while Redis is down', 1);
        // D opens the link on the instance itself (HAProxy sends nobody to an instance that is not ready).
        D = await enter('D', `${other.url}room/${room}`);
        const UNAVAILABLE = 'The server cannot reach its room directory right now. Trying again in a moment…';
        await waitIn(D, `the banner says "${UNAVAILABLE}"`, (t) => document.querySelector('#problem')?.textContent?.includes(t), UNAVAILABLE, 10_000);
        redis = startRedis();
        const back = Date.now();
        await waitIn(D, 'gets in once Redis is back: "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room', undefined, 30_000);
        console.log(`     figure: Redis restarted -> D in the room: ${Date.now() - back} ms`);
        check((await D.page.$('#problem')) === null, 'D: the banner is gone');
        // The instance wrote A and B back into the empty Redis: D sees and calls both.
        await checkPlaying(D, 'after Redis came back', 2, 20_000);
        const list = await pcs(A);
        check(list.length === pcsBefore + 1 && openPcs(list).length === 2, `A: one new RTCPeerConnection, for D (${pcsBefore} -> ${list.length})`);
      },
    ],
  ];

  await runSteps(steps, async () => {
    for (const p of people.filter((p) => !p.closed)) {
      console.log(`     ${p.name}: #connection="${await text(p, '#connection').catch(() => '?')}"`);
      for (const l of (await logLines(p).catch(() => [])).slice(-15)) console.log(`       ${p.name} log: ${l}`);
    }
    for (const s of instances) console.log(`     instance ${s.url} stderr (end):\n${s.stderr().slice(-1500)}`);
  });
}

/** Kills the instances, Redis and HAProxy (the browsers are runTest's). */
function killAll() {
  for (const s of instances) s.killNow();
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {}
  }
}

runTest('failover e2e', main, { watchdogMs: WATCHDOG_MS, onExit: killAll, after: async () => killAll() });
