// soketi.mjs — soketi 1.6 from npm (bench/node_modules, installed by build-aux/install-deps)
// as a foreign Pusher server: a process of its own on free loopback ports, one app.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';

import { HOST, fail, sleep } from './checks.mjs';
import { HERE } from './libs.mjs';

const SOKETI = join(HERE, '..', '..', 'bench', 'node_modules', '@soketi', 'soketi', 'bin', 'server.js');
const SOKETI_CONFIG = join(HERE, '..', '..', 'bench', 'soketi.json');

export function soketiInstalled() {
  return existsSync(SOKETI);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts soketi serving `app` ({id, key, secret}); resolves to {port, stop()} once it listens. */
export async function startSoketi(ctx, app) {
  const port = await freePort();
  const env = {
    ...process.env,
    SOKETI_PORT: String(port),
    SOKETI_METRICS_SERVER_PORT: String(await freePort()),
    SOKETI_CLUSTER_PORT: String(await freePort()),
    SOKETI_DEFAULT_APP_ID: app.id,
    SOKETI_DEFAULT_APP_KEY: app.key,
    SOKETI_DEFAULT_APP_SECRET: app.secret,
    SOKETI_DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'true',
  };
  const child = spawn(process.execPath, [SOKETI, 'start', `--config=${SOKETI_CONFIG}`], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  };
  ctx.defer(stop);
  // soketi prints its banner before it listens: poll the port (node starts slowly under load).
  for (let waited = 0; ; waited += 100) {
    const up = await new Promise((resolve) => {
      fetch(`http://${HOST}:${port}/`).then(() => resolve(true), () => resolve(false));
    });
    if (up) break;
    if (child.exitCode !== null || waited > 30000) fail(`soketi did not start on port ${port}:\n${output}`);
    await sleep(100);
  }
  ctx.log(`soketi listening on port ${port} (pid ${child.pid})`);
  return { port, stop, host: HOST };
}
