// cluster.mjs — what the cluster scenarios add to the interop harness: their own
// redis-server (on a Unix socket in a temporary directory, no persistence, killed at the
// end) and N `crier --server` nodes clustered through it.
//
// Node built-ins only at load time, like ../interop/harness.mjs (a missing node_modules
// or redis-server is a skip, 77).

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { keyFile, sleep, until, within, fail } from '../interop/harness.mjs';

export * from '../interop/harness.mjs';

function redisBinary(name) {
  const env = process.env[name === 'redis-server' ? 'REDIS_SERVER' : 'REDIS_CLI'];
  if (env) return env;
  for (const dir of (process.env.PATH || '').split(':')) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

/** Skip (77) unless redis-server and redis-cli are installed. */
export function needRedis() {
  if (!redisBinary('redis-server') || !redisBinary('redis-cli')) {
    console.log('SKIP: redis-server or redis-cli not found');
    process.exit(77);
  }
}

/** One redis-server of the scenario's own, on a Unix socket. */
export class Redis {
  constructor(t) {
    this.t = t;
    this.dir = t.tempDir();
    this.socket = join(this.dir, 'redis.sock');
    this.url = `unix://${this.socket}`;
    this.proc = null;
  }

  async start() {
    const args = ['--port', '0', '--unixsocket', this.socket, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', this.dir];
    this.proc = spawn(redisBinary('redis-server'), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.log = '';
    this.proc.stdout.on('data', (d) => (this.log += d));
    this.proc.stderr.on('data', (d) => (this.log += d));
    const proc = this.proc;
    this.exited = new Promise((resolve) => proc.on('exit', resolve));
    await until(() => this.cli(['PING']).trim() === 'PONG', 'redis-server to answer PING');
    this.t.log(`redis-server up on ${this.socket} (pid ${this.proc.pid})`);
    this.t.defer(() => this.stop());
    return this;
  }

  /** kill -9, and wait for the exit. */
  async stop() {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGKILL');
    await within(this.exited, 'redis-server to exit');
  }

  /** redis-cli against this server; its stdout. */
  cli(args) {
    const r = spawnSync(redisBinary('redis-cli'), ['-s', this.socket, ...args], { encoding: 'utf8', timeout: 5000 });
    return r.stdout || '';
  }

  /** A `redis-cli SUBSCRIBE` spy (it only listens), killed at the end. */
  spy(channel) {
    const proc = spawn(redisBinary('redis-cli'), ['-s', this.socket, 'SUBSCRIBE', channel], { stdio: ['ignore', 'pipe', 'ignore'] });
    const spy = { out: '', proc };
    proc.stdout.on('data', (d) => (spy.out += d));
    this.t.defer(() => proc.kill('SIGKILL'));
    return spy;
  }
}

/** The [cluster] section (plus the usual key file) for a node. */
export function clusterConfig(redis, { apps, server = {}, webhooks = [], cluster = {} }) {
  const lines = ['', '[cluster]', `redis=${redis.url}`, 'prefix=test', 'heartbeat-interval=200', 'node-timeout=1000'];
  for (const [k, v] of Object.entries(cluster)) lines.push(`${k}=${v}`);
  return keyFile({ server, apps, webhooks }) + lines.join('\n') + '\n';
}

/** Start `n` nodes on their own ports, all clustered through `redis`; wait until each
 * counts the n nodes in /metrics. */
export async function startNodes(t, redis, n, opts) {
  const nodes = [];
  for (let i = 0; i < n; i++) {
    // One webhook journal per node: a journal has one owner.
    const server = { ...(opts.server || {}), 'webhook-spool': join(t.tempDir(), 'spool.jsonl') };
    nodes.push(await t.crier({ config: clusterConfig(redis, { ...opts, server }), apps: opts.apps, extraArgs: opts.extraArgs }));
  }
  for (const node of nodes) await waitNodes(node, n);
  return nodes;
}

/** Wait until `node`'s /metrics counts `n` live nodes and Redis up. */
export async function waitNodes(node, n, ms) {
  let last;
  await until(async () => {
    last = await node.metrics();
    return last.crier_cluster_nodes === n && last.crier_cluster_redis_up === 1;
  }, `node on port ${node.port} to count ${n} cluster nodes (last: ${JSON.stringify({ nodes: last?.crier_cluster_nodes, up: last?.crier_cluster_redis_up })})`, ms);
}

export { sleep, fail };
