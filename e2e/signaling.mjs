// Starts the signaling server binary for a test: on 127.0.0.1, serving a built page, with no ICE servers (so no
// browser ever looks beyond this machine). Resolves once it printed `listening on http://127.0.0.1:PORT`.

import { spawn } from 'node:child_process';

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/**
 * One attempt: the server, or an error if it exits or stays silent for `timeout` ms. `args` are more flags;
 * `prefix` runs it through another command (`ip netns exec NS`); `cwd` is its working directory.
 */
function startOnce(binary, dist, listen, timeout, { args = [], prefix = [], cwd } = {}) {
  const env = { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'info' };
  delete env.ICE_SERVERS;
  delete env.ICE_USERNAME;
  delete env.ICE_CREDENTIAL;
  const command = [...prefix, binary, '--listen', listen, '--dist', dist, ...args];
  const child = spawn(command[0], command.slice(1), { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  const stdoutText = () => stdout;
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (stderr.length > 200_000) stderr = stderr.slice(-100_000);
  });
  const exited = new Promise((done) => child.once('exit', (code, signal) => done({ code, signal })));
  let ended = false;
  exited.then(() => (ended = true));

  const killNow = () => {
    if (!ended) {
      try {
        child.kill('SIGKILL');
      } catch {}
    }
  };
  const server = {
    pid: child.pid,
    stderr: () => stderr,
    stdout: stdoutText,
    killNow,
    /** SIGKILL (a crash), and wait until it is gone. */
    kill: async () => {
      killNow();
      await Promise.race([exited, sleep(5000)]);
    },
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      killNow();
      reject(new Error(`the server printed no "listening on" line within ${timeout} ms; stderr: ${stderr.slice(-1000)}`));
    }, timeout);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (code ${code}, signal ${signal}) before listening; stderr: ${stderr.slice(-1000)}`));
    });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const match = /listening on (https?:\/\/[0-9.]+:(\d+))/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ ...server, url: `${match[1]}/`, port: Number(match[2]) });
      }
    });
  });
}

/**
 * Starts `binary --listen <listen> --dist <dist>`. A fixed port may still be held for a moment after a kill, so
 * a failed start is retried for up to `retryFor` ms.
 */
export async function startServer(binary, dist, listen, { timeout = 10_000, retryFor = 5_000, ...more } = {}) {
  const end = Date.now() + retryFor;
  for (;;) {
    try {
      return await startOnce(binary, dist, listen, timeout, more);
    } catch (error) {
      if (Date.now() > end || listen.endsWith(':0')) throw error;
      await sleep(250);
    }
  }
}
