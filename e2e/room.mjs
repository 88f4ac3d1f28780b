// End-to-end test of a room call: the real signaling server and the built page, with each person in their own
// headless Chromium process (fake camera), all on 127.0.0.1.
//
// Over 300 lines: one test read top to bottom, a room call's steps in order.
//
//   node e2e/room.mjs <dist dir> <server binary>
//
// 1. Two people join: one tile each, for the other, playing; prints join → first remote frame.
// 2. Forced glare: both restart ICE at the same instant; perfect negotiation resolves it on the same connections.
// 3. The server is killed (SIGKILL) and restarted on the same port: calls keep playing, both rejoin with the same
//    ids, and no connection is rebuilt.
// 4. A third person joins: everyone sees the two others, and the call already running does not restart.
// 5. One leaves (Leave button), one closes the browser: the others are told and drop the tile, and the
//    remaining video does not restart.
//
// An init script records every RTCPeerConnection (window.__pcs) and counts each remote video's `loadstart`
// events (window.__loads, by data-peer): a loadstart on a video that was already playing means it was reloaded.
//
// Prints PASS/FAIL per check; exits non-zero on any failure. Screenshots go to target/e2e/room-*.png.

import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServer } from './signaling.mjs';
import { scriptArgs, skip } from './harness.mjs';
import {
  check, require_, waitIn, sleep, enter, close, logLines, text, ownShortId, tiles,
  pcs, openPcs, checkPlaying, screenshot, countLines, noProblem, runSteps, servers, dumpState, runTest,
} from './people.mjs';

const { dist, serverBinary } = scriptArgs('room.mjs');

// ---------------------------------------------------------------------------------------------------------------
// The test

async function main() {
  let server = await startServer(serverBinary, dist, '127.0.0.1:0');
  servers.push(server);
  const room = randomBytes(16).toString('hex');
  const url = `${server.url}room/${room}`;
  console.log(`server: ${server.url} (pid ${server.pid}); room link: ${url}`);

  const ids = {}; // name -> { short, full }
  let A, B, C;

  const steps = [
    [
      '1. two people join',
      async () => {
        [A, B] = await Promise.all([enter('A', url), enter('B', url)]);
        for (const p of [A, B]) {
          await waitIn(p, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
        }
        for (const p of [A, B]) ids[p.name] = { short: await ownShortId(p) };
        require_(ids.A.short && ids.B.short, `own ids from the captions: A=${ids.A.short} B=${ids.B.short}`);
        require_(ids.A.short !== ids.B.short, 'A and B have different ids');
        for (const [p, other] of [[A, B], [B, A]]) {
          await checkPlaying(p, 'after joining', 1);
          const list = await tiles(p);
          check(list.length === 1, `${p.name}: exactly one video[data-peer] (${list.length})`);
          check(
            list[0]?.peer.startsWith(ids[other.name].short) && /^[0-9a-f]{32}$/.test(list[0]?.peer),
            `${p.name}: its data-peer "${list[0]?.peer}" is ${other.name}'s id (${ids[other.name].short}…)`,
          );
          ids[other.name].full = list[0]?.peer;
        }
        require_(ids.A.full && ids.B.full, `full ids from the data-peer attributes: A=${ids.A.full} B=${ids.B.full}`);
        for (const [p, other] of [[A, B], [B, A]]) {
          const line = `First frame from ${ids[other.name].short}: `;
          await waitIn(p, `logs "${line}… ms after joining"`, (l) =>
            [...document.querySelectorAll('#log li span')].some((s) => s.textContent.startsWith(l)), line);
          const found = (await logLines(p)).find((l) => l.startsWith(line));
          console.log(`     figure: ${p.name}: ${found}`);
          const pcList = await pcs(p);
          check(openPcs(pcList).length === 1 && pcList.length === 1, `${p.name}: one RTCPeerConnection (${pcList.length} made)`);
          await noProblem(p, 'after joining');
        }
        await screenshot(A, 'room-two.png');
      },
    ],
    [
      '2. forced glare: both restart ICE at the same instant',
      async () => {
        const before = {};
        for (const p of [A, B]) before[p.name] = (await pcs(p)).length;
        let collided = false;
        let attempt = 0;
        const glareLines = (lines) => lines.filter((l) => l.includes('Offer collision'));
        const seen = { A: glareLines(await logLines(A)).length, B: glareLines(await logLines(B)).length };
        while (!collided && attempt < 3) {
          attempt += 1;
          const at = Date.now() + 300;
          const fired = await Promise.all(
            [A, B].map((p) =>
              p.page.evaluate(
                (at) =>
                  new Promise((done) =>
                    setTimeout(() => {
                      const t = Date.now();
                      let n = 0;
                      for (const pc of window.__pcs) {
                        if (pc.connectionState !== 'closed') {
                          pc.restartIce();
                          n += 1;
                        }
                      }
                      done({ late: t - at, n });
                    }, Math.max(0, at - Date.now())),
                  ),
                at,
              ),
            ),
          );
          console.log(
            `     attempt ${attempt}: restartIce() on A (${fired[0].n} pc, ${fired[0].late} ms after the deadline) ` +
              `and B (${fired[1].n} pc, ${fired[1].late} ms)`,
          );
          // Wait up to 5 s for a collision line on either side.
          const end = Date.now() + 5000;
          while (Date.now() < end) {
            const a = glareLines(await logLines(A)).slice(seen.A);
            const b = glareLines(await logLines(B)).slice(seen.B);
            if (a.length + b.length > 0) {
              await sleep(1000); // the other side's line, if it comes
              const a2 = glareLines(await logLines(A)).slice(seen.A);
              const b2 = glareLines(await logLines(B)).slice(seen.B);
              for (const l of a2) console.log(`     A: ${l}`);
              for (const l of b2) console.log(`     B: ${l}`);
              collided = true;
              break;
            }
            await sleep(100);
          }
          if (!collided) {
            // No glare this time (one offer got through before the other was made): settle, and try again.
            await sleep(2000);
          }
        }
        check(collided, `an "Offer collision" line was logged (attempt ${attempt} of at most 3)`);
        for (const p of [A, B]) {
          await waitIn(
            p,
            'after the glare every open pc is stable and connected',
            () => {
              const open = window.__pcs.filter((pc) => pc.connectionState !== 'closed');
              return open.length > 0 && open.every((pc) => pc.signalingState === 'stable' && pc.connectionState === 'connected');
            },
            undefined,
            15_000,
          );
        }
        for (const p of [A, B]) {
          const list = await pcs(p);
          check(
            list.length === before[p.name] && openPcs(list).length === 1,
            `${p.name}: no new RTCPeerConnection (${before[p.name]} before, ${list.length} after, ${openPcs(list).length} open)`,
          );
          await checkPlaying(p, 'after the glare', 1);
          const failed = (await logLines(p)).filter((l) => l.includes('Negotiation step failed'));
          check(failed.length === 0, `${p.name}: no "Negotiation step failed" line${failed.length ? ': ' + failed.join(' | ') : ''}`);
        }
      },
    ],
    [
      '3. server crash (SIGKILL) and restart on the same port',
      async () => {
        const before = {};
        for (const p of [A, B]) {
          before[p.name] = {
            short: await ownShortId(p),
            pcs: (await pcs(p)).length,
            peers: (await tiles(p)).map((t) => t.peer).sort(),
            rejoined: countLines(await logLines(p), 'Rejoined room'),
          };
        }
        const port = server.port;
        await server.kill();
        console.log(`     killed the server (pid ${server.pid}) with SIGKILL`);
        const killedAt = Date.now();
        for (const p of [A, B]) {
          await waitIn(
            p,
            '#connection says "Lost the server … Reconnecting"',
            () => /Lost the server.*Reconnecting/.test(document.querySelector('#connection')?.textContent ?? ''),
            undefined,
            12_000,
          );
        }
        console.log(`     A: #connection: "${await text(A, '#connection')}"`);
        for (const p of [A, B]) await checkPlaying(p, 'while the server is down', 1, 5000);
        await screenshot(A, 'room-server-down.png');
        server = await startServer(serverBinary, dist, `127.0.0.1:${port}`);
        servers.push(server);
        console.log(`     restarted the server on port ${port} (pid ${server.pid}), ${Date.now() - killedAt} ms after the kill`);
        for (const p of [A, B]) {
          await waitIn(p, 'shows "In the room" again', () => document.querySelector('#connection')?.textContent === 'In the room', undefined, 30_000);
        }
        for (const p of [A, B]) {
          const short = await ownShortId(p);
          const lines = await logLines(p);
          const rejoined = lines.filter((l) => l.startsWith('Rejoined room'));
          check(short === before[p.name].short, `${p.name}: same id in the caption (${before[p.name].short} → ${short})`);
          check(
            rejoined.length === before[p.name].rejoined + 1 && rejoined.at(-1) === `Rejoined room ${room} as ${before[p.name].short}`,
            `${p.name}: logs "Rejoined room … as ${before[p.name].short}" (${rejoined.at(-1) ?? 'none'})`,
          );
          const peers = (await tiles(p)).map((t) => t.peer).sort();
          check(
            JSON.stringify(peers) === JSON.stringify(before[p.name].peers),
            `${p.name}: the same remote tile(s) (${peers.map((x) => x.slice(0, 6)).join(',')})`,
          );
          const list = await pcs(p);
          check(
            list.length === before[p.name].pcs && openPcs(list).length === 1,
            `${p.name}: no new RTCPeerConnection (${before[p.name].pcs} before, ${list.length} after)`,
          );
          await checkPlaying(p, 'after the restart', 1);
          await noProblem(p, 'after the restart');
        }
        // What each side said about the other coming back (informational).
        for (const p of [A, B]) {
          const lines = (await logLines(p)).filter((l) => /Still connected to|is back on the server/.test(l));
          console.log(`     ${p.name}: ${lines.at(-1) ?? '(no "still connected"/"back on the server" line)'}`);
        }
        await screenshot(A, 'room-after-restart.png');
      },
    ],
    [
      '4. a third person joins',
      async () => {
        const loadsBefore = {};
        for (const p of [A, B]) loadsBefore[p.name] = Object.fromEntries((await tiles(p)).map((t) => [t.peer, t.loads]));
        C = await enter('C', url);
        await waitIn(C, 'shows "In the room"', () => document.querySelector('#connection')?.textContent === 'In the room');
        ids.C = { short: await ownShortId(C) };
        require_(ids.C.short, `C's id from the caption: ${ids.C.short}`);
        for (const p of [A, B, C]) await checkPlaying(p, 'three in the room', 2);
        // A call already running must not restart (go black, clock back to 0) because someone else arrived.
        for (const p of [A, B]) {
          for (const t of await tiles(p)) {
            if (t.peer in loadsBefore[p.name]) {
              check(
                t.loads === loadsBefore[p.name][t.peer],
                `${p.name}: the video from ${t.peer.slice(0, 6)} was not restarted while C joined ` +
                  `(loadstart events ${loadsBefore[p.name][t.peer]} -> ${t.loads}; currentTime now ${t.time.toFixed(2)} s)`,
              );
            }
          }
        }
        // Everyone's tiles are the two others, with the same full ids everywhere.
        const all = {};
        for (const p of [A, B, C]) all[p.name] = (await tiles(p)).map((t) => t.peer);
        ids.C.full = all.A.find((peer) => peer.startsWith(ids.C.short));
        for (const p of [A, B, C]) {
          const others = ['A', 'B', 'C'].filter((n) => n !== p.name).map((n) => ids[n].full).sort();
          check(
            others.every(Boolean) && JSON.stringify([...all[p.name]].sort()) === JSON.stringify(others),
            `${p.name}: tiles are ${others.map((x) => x?.slice(0, 6)).join(' and ')} (${all[p.name].map((x) => x.slice(0, 6)).join(', ')})`,
          );
          const list = await pcs(p);
          check(openPcs(list).length === 2, `${p.name}: two open RTCPeerConnections (${list.length} made)`);
          await noProblem(p, 'three in the room');
        }
        for (const other of ['A', 'B']) {
          const line = `First frame from ${ids[other].short}: `;
          await waitIn(C, `logs "${line}… ms after joining"`, (l) =>
            [...document.querySelectorAll('#log li span')].some((s) => s.textContent.startsWith(l)), line);
          console.log(`     figure: C: ${(await logLines(C)).find((l) => l.startsWith(line))}`);
        }
        await screenshot(C, 'room-three.png');
        await screenshot(A, 'room-three-A.png');
        await screenshot(B, 'room-three-B.png');
      },
    ],
    [
      '5. one leaves, one closes the browser',
      async () => {
        const loadsBefore = {};
        for (const p of [A, C]) loadsBefore[p.name] = Object.fromEntries((await tiles(p)).map((t) => [t.peer, t.loads]));
        await B.page.click('#leaveButton', { timeout: 5000 });
        const gone = ids.B;
        for (const p of [A, C]) {
          await waitIn(
            p,
            `#notice says "${gone.short} left" and B's tile is gone`,
            ([short, full]) =>
              (document.querySelector('#notice')?.textContent ?? '').includes(`${short} left`) &&
              !document.querySelector(`video[data-peer="${full}"]`),
            [gone.short, gone.full],
            5000,
          );
        }
        await waitIn(B, '#connection says "You left the room"', () => document.querySelector('#connection')?.textContent === 'You left the room', undefined, 5000);
        check((await tiles(B)).length === 0, `B: no remote tiles after leaving (${(await tiles(B)).length})`);
        check((await B.page.$('#rejoinButton')) !== null, 'B: #rejoinButton is shown');
        check(openPcs(await pcs(B)).length === 0, `B: every RTCPeerConnection closed (${openPcs(await pcs(B)).length} open)`);
        for (const p of [A, C]) {
          await checkPlaying(p, 'after B left', 1);
          const [t] = await tiles(p);
          check(
            t && t.loads === loadsBefore[p.name][t.peer],
            `${p.name}: the video from ${t?.peer.slice(0, 6)} was not restarted when B left ` +
              `(loadstart events ${loadsBefore[p.name][t?.peer]} -> ${t?.loads})`,
          );
        }
        await screenshot(A, 'room-after-leave.png');
        await screenshot(B, 'room-leaver.png');

        await close(C);
        console.log('     closed C\'s browser');
        await waitIn(
          A,
          `#notice says "${ids.C.short} disconnected" and C's tile is gone`,
          ([short, full]) =>
            (document.querySelector('#notice')?.textContent ?? '').includes(`${short} disconnected`) &&
            !document.querySelector(`video[data-peer="${full}"]`),
          [ids.C.short, ids.C.full],
          5000,
        );
        check(openPcs(await pcs(A)).length === 0, `A: no open RTCPeerConnection left (${openPcs(await pcs(A)).length})`);
        await screenshot(A, 'room-after-close.png');
      },
    ],
  ];

  await runSteps(steps, dumpState);
}

runTest('room e2e', main, { watchdogMs: 240_000 });
