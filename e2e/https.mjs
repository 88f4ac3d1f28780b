// End-to-end test of HTTPS built in, on an address that is not loopback: what a second computer on a LAN sees.
//
//   node e2e/https.mjs <dist dir> <server binary>
//
// Two network namespaces joined by a veth pair with documentation addresses: the server in one
// (198.51.100.2), the browsers in the other (198.51.100.1). Nothing else is reachable from either.
// 1. `--tls-self-signed`: the server prints the certificate's SHA-256 fingerprint, the same as the file's;
//    Chromium trusts it by its SPKI hash (--ignore-certificate-errors-spki-list); over HTTPS the camera works
//    and a room call plays both ways; a restart keeps the same certificate.
// 2. Plain HTTP on the same address: the page shows its insecure-context message.
//
// Needs root (ip netns); without it the test fails, saying why, unless E2E_ALLOW_SKIP=1 (a developer's machine)
// lets it skip.
// Prints PASS/FAIL per check; exits non-zero on any failure. Screenshots go to target/e2e/https-*.png.

import { execFileSync } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CHROMIUM_ARGS, chromiumInNamespace } from './browser.mjs';
import { startServer } from './signaling.mjs';
import { scriptArgs, skip } from './harness.mjs';
import {
  check,
  checkPlaying,
  close,
  enter,
  screenshot,
  shots,
  text,
  waitIn,
  runTest,
  servers,
  sleep,
} from './people.mjs';

const { dist, serverBinary } = scriptArgs('https.mjs', { needs: 'root (network namespaces) and ip (iproute2)' });
const WATCHDOG_MS = 240_000;

if (process.getuid?.() !== 0) {
  skip('https e2e', 'it needs root, to make network namespaces (ip netns) with a non-loopback address');
}

// Names with this test's prefix and pid, so that parallel runs (and other tests' namespaces) never clash.
const SERVER_NS = `https-${process.pid}-srv`;
const BROWSER_NS = `https-${process.pid}-web`;
const SERVER_IF = `hs${process.pid}`.slice(0, 15);
const BROWSER_IF = `hb${process.pid}`.slice(0, 15);
const SERVER_IP = '198.51.100.2';
const BROWSER_IP = '198.51.100.1';

const ip = (...args) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const work = mkdtempSync(join(tmpdir(), 'e2e-https-'));

function makeNetwork() {
  ip('netns', 'add', SERVER_NS);
  ip('netns', 'add', BROWSER_NS);
  ip('link', 'add', SERVER_IF, 'netns', SERVER_NS, 'type', 'veth', 'peer', 'name', BROWSER_IF, 'netns', BROWSER_NS);
  for (const [ns, dev, addr] of [
    [SERVER_NS, SERVER_IF, SERVER_IP],
    [BROWSER_NS, BROWSER_IF, BROWSER_IP],
  ]) {
    ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
    ip('-n', ns, 'link', 'set', dev, 'up');
    ip('-n', ns, 'link', 'set', 'lo', 'up');
  }
}

function removeNetwork() {
  for (const ns of [SERVER_NS, BROWSER_NS]) {
    try {
      ip('netns', 'del', ns); // takes its end of the veth pair, and so the other end, with it
    } catch {}
  }
}

/** The base64 SHA-256 of the certificate's public key, as --ignore-certificate-errors-spki-list takes it. */
function spkiHash(pem) {
  const cert = new X509Certificate(pem.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/)[0]);
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return { spki: createHash('sha256').update(spki).digest('base64'), fingerprint: cert.fingerprint256, cert };
}

async function serverIn(args) {
  const server = await startServer(serverBinary, dist, `${SERVER_IP}:0`, {
    args,
    prefix: ['ip', 'netns', 'exec', SERVER_NS],
    cwd: work,
  });
  servers.push(server);
  return server;
}

/**
 * Waits until the link is usable from both ends: carrier on both veths, no address still tentative (IPv6's
 * duplicate address detection adds the link-local one about a second after the link comes up), and a route to the
 * other side. Each of these is a network change to a Chromium already running, which fails a page load in flight
 * with ERR_NETWORK_CHANGED; so the browsers start once all is there.
 */
async function networkSettled() {
  const settled = ([ns, dev, other]) => {
    const [link] = JSON.parse(execFileSync('ip', ['-n', ns, '-j', 'addr', 'show', 'dev', dev]).toString());
    const route = execFileSync('ip', ['-n', ns, 'route', 'get', other]).toString();
    return link?.operstate === 'UP' && !link.addr_info.some((a) => a.tentative) && route.includes(`dev ${dev}`);
  };
  const ends = [
    [SERVER_NS, SERVER_IF, BROWSER_IP],
    [BROWSER_NS, BROWSER_IF, SERVER_IP],
  ];
  while (!ends.every(settled)) await sleep(50);
}

async function main() {
  await mkdir(shots, { recursive: true });
  makeNetwork();
  await networkSettled();
  console.log(`namespaces ${SERVER_NS} (${SERVER_IP}) and ${BROWSER_NS} (${BROWSER_IP}), joined by a veth pair`);

  console.log('--- 1. HTTPS with a self-signed certificate');
  let server = await serverIn(['--tls-self-signed']);
  const printed = /SHA-256 fingerprint ([0-9A-F:]{95})/.exec(server.stdout())?.[1];
  const pem = readFileSync(join(work, 'self-signed.pem'), 'utf8');
  const { spki, fingerprint, cert } = spkiHash(pem);
  console.log(`     figure: stdout: ${server.stdout().trim().split('\n').join(' | ')}`);
  check(server.url.startsWith(`https://${SERVER_IP}:`), `the server says it listens on https:// (${server.url})`);
  check(printed === fingerprint, `the printed fingerprint is the certificate's (${printed?.slice(0, 23)}…)`);
  check(
    cert.checkIP(SERVER_IP) === SERVER_IP && cert.checkHost('localhost') === 'localhost',
    `the certificate names ${SERVER_IP} and localhost (${cert.subjectAltName})`,
  );

  const args = [
    ...CHROMIUM_ARGS.filter((arg) => !arg.startsWith('--host-resolver-rules')),
    `--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${SERVER_IP}`,
    `--ignore-certificate-errors-spki-list=${spki}`,
  ];
  const launch = { executablePath: chromiumInNamespace(BROWSER_NS, work), args };
  const url = `${server.url}room/${randomBytes(16).toString('hex')}`;
  const [A, B] = await Promise.all([enter('A', url, launch), enter('B', url, launch)]);
  for (const p of [A, B]) {
    await waitIn(p, 'the camera works (local video has frames)', () => document.getElementById('localVideo')?.videoWidth > 0);
    await waitIn(p, 'shows "In the room" (WSS)', () => document.querySelector('#connection')?.textContent === 'In the room');
  }
  for (const p of [A, B]) await checkPlaying(p, 'over HTTPS', 1);
  for (const p of [A, B]) {
    const problem = await text(p, '#problem');
    check(problem === null, `${p.name}: no alert banner${problem === null ? '' : `: "${problem}"`}`);
  }
  await screenshot(A, 'https-room.png');
  await Promise.all([A, B].map(close));

  await server.kill();
  server = await serverIn(['--tls-self-signed']);
  const again = /SHA-256 fingerprint ([0-9A-F:]{95})/.exec(server.stdout())?.[1];
  check(again === printed, 'a restart keeps the same certificate (same fingerprint)');
  await server.kill();

  console.log('--- 2. plain HTTP on the same address');
  const plain = await serverIn([]);
  const C = await enter('C', `${plain.url}room/${randomBytes(16).toString('hex')}`, launch);
  await waitIn(
    C,
    'the page says it is not secure, and how to fix it',
    () => {
      const problem = document.querySelector('#problem')?.textContent ?? '';
      return problem.includes('secure page') && problem.includes('https://');
    },
    undefined,
    10_000,
    { fatal: false },
  );
  console.log(`     figure: C: the banner: "${(await text(C, '#problem'))?.trim()}"`);
  await screenshot(C, 'https-plain-http.png');
  await close(C);
}

/** Removes the namespaces and the working files (servers and browsers are runTest's). */
function cleanUp() {
  removeNetwork();
  rmSync(work, { recursive: true, force: true });
}

runTest('https e2e', main, { watchdogMs: WATCHDOG_MS, onExit: cleanUp, after: async () => cleanUp() });
