// process.mjs — the crier process: started on 127.0.0.1 port 0, its stdout
// monitor lines and /metrics, signals, and the tail shown when a scenario fails.
//
// Part of the interop harness (see ../harness.mjs); node: built-ins only at load time.

import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { HOST, WAIT_MS, InteropFailure, check, fail, show, sleep, within } from './checks.mjs';
import { DEFAULT_APP, keyFile } from './config.mjs';
import { HERE, loadLibs } from './libs.mjs';

function crierBinary() {
  let bin = process.env.CRIER_BIN;
  if (!bin) {
    const guess = join(HERE, '..', '..', 'build', 'src', 'crier');
    if (existsSync(guess)) bin = guess;
  }
  if (!bin) fail('CRIER_BIN is not set (meson sets it; for a manual run: CRIER_BIN=build/src/crier node tests/interop/<test>.mjs)');
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    fail(`CRIER_BIN=${bin} is not an executable file`);
  }
  return bin;
}

export class CrierServer {
  constructor(ctx, opts) {
    this.ctx = ctx;
    this.opts = opts;
    this.apps = opts.apps || [DEFAULT_APP];
    this.stdout = '';
    this.stderr = '';
    this.exit = null; // {code, signal}
    this.stopped = false;
  }

  async start() {
    const bin = crierBinary();
    const args = ['--server', '--host', HOST, '--port', String(this.opts.port ?? 0)];
    if (this.opts.config !== undefined) {
      this.dir = mkdtempSync(join(tmpdir(), 'crier-interop-'));
      this.configPath = join(this.dir, 'crier.conf');
      const text = typeof this.opts.config === 'string' ? this.opts.config : keyFile(this.opts.config);
      writeFileSync(this.configPath, text);
      args.push('--config', this.configPath);
      this.configText = text;
    }
    if (this.opts.extraArgs) args.push(...this.opts.extraArgs);

    // A deterministic environment: no PUSHER_APP_* unless the scenario asks.
    const env = { ...process.env };
    for (const k of ['PUSHER_APP_ID', 'PUSHER_APP_KEY', 'PUSHER_APP_SECRET']) delete env[k];
    // The default webhook journal lives under XDG_DATA_HOME: one per scenario, so scenarios
    // running in parallel never share one (a second server is refused its journal).
    this.ctx.dataHome ??= this.ctx.tempDir();
    env.XDG_DATA_HOME = this.ctx.dataHome;
    Object.assign(env, this.opts.env || {});

    this.args = args;
    this.ctx.log(`starting ${bin} ${args.join(' ')}`);
    this.proc = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
    this.proc.on('error', (err) => {
      this.spawnError = err;
    });
    this.proc.stderr.setEncoding('utf8');
    this.proc.stderr.on('data', (d) => (this.stderr += d));
    this.proc.stdout.setEncoding('utf8');

    const listening = new Promise((resolve, reject) => {
      this.proc.stdout.on('data', (d) => {
        this.stdout += d;
        const m = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(this.stdout);
        if (m) resolve(Number(m[1]));
      });
      this.exited.then((e) =>
        reject(new InteropFailure(`crier exited (code ${e.code}, signal ${e.signal}) before printing "listening on ws://127.0.0.1:<port>"`)),
      );
    });
    this.port = await within(listening, 'crier to print "listening on ws://127.0.0.1:<port>" on stdout');
    check(this.port > 0, `crier reported port ${this.port}`);
    this.ctx.log(`crier listening on port ${this.port} (pid ${this.proc.pid})`);
    return this;
  }

  /** The app with this id (or the first app). */
  app(id) {
    if (id === undefined) return this.apps[0];
    const a = this.apps.find((x) => x.id === id);
    if (!a) fail(`harness: no app ${id}`);
    return a;
  }

  wsUrl(key, query = 'protocol=7&client=js&version=8.6.0&flash=false', path = null) {
    return `ws://${HOST}:${this.port}${path ?? `/app/${key}`}${query === null ? '' : `?${query}`}`;
  }

  /** A pusher server SDK client for `app` (id string or app object). */
  async api(appOrId, extra = {}) {
    const { PusherServer } = await loadLibs();
    const a = typeof appOrId === 'object' ? appOrId : this.app(appOrId);
    return new PusherServer({
      appId: a.id,
      key: a.key,
      secret: a.secret,
      host: HOST,
      port: String(this.port),
      useTLS: false,
      timeout: WAIT_MS,
      ...extra,
    });
  }

  /**
   * The --verbose monitor lines printed so far (text or --log-format=json),
   * parsed as {kind, app_id, event, code, count, message, data, line};
   * only those of `kind` when given.
   */
  monitor(kind) {
    const out = [];
    for (const line of this.stdout.split('\n')) {
      let m;
      if (line.startsWith('{')) {
        try {
          m = JSON.parse(line);
        } catch {
          continue;
        }
        if (typeof m.kind !== 'string') continue;
      } else {
        const r = /^\d\d:\d\d:\d\d\.\d{3} (\w+)\s+(?:app=(\S+))?(?: socket=\S+)?(?: channel=\S+)?(?: event=(\S+))?(?: user=\S+)?(?: remote=\S+)?(?: code=(-?\d+))?(?: count=(\d+))?(?: — (.*?))?(?: data=(.*))?$/.exec(line);
        if (!r) continue;
        m = { kind: r[1], app_id: r[2], event: r[3], code: r[4] && Number(r[4]), count: r[5] && Number(r[5]), message: r[6], data: r[7] };
        // "— <message> — why: <explanation>" (or only "— why: …" without a message).
        const why = m.message === undefined ? -1 : m.message.startsWith('why: ') ? 0 : m.message.indexOf(' — why: ');
        if (why === 0) [m.message, m.explanation] = [undefined, m.message.slice('why: '.length)];
        else if (why > 0) [m.message, m.explanation] = [m.message.slice(0, why), m.message.slice(why + ' — why: '.length)];
      }
      m.line = line;
      if (kind === undefined || m.kind === kind) out.push(m);
    }
    return out;
  }

  /**
   * Wait for a monitor line of `kind` satisfying `pred(line, index among the
   * lines of that kind)` (see monitor()); returns it.  The failure names
   * `what` and shows the lines of that kind seen so far.
   */
  async waitMonitor(kind, pred = () => true, what = `a ${kind} monitor line`, ms = WAIT_MS) {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.monitor(kind).find(pred);
      if (found) return found;
      if (this.exit) fail(`crier exited (code ${this.exit.code}, signal ${this.exit.signal}) while waiting for ${what}`);
      if (Date.now() > deadline) {
        const seen = this.monitor(kind).map((l) => l.line).join('\n    ') || 'none';
        fail(`timed out after ${ms} ms waiting for ${what}; ${kind} lines so far:\n    ${seen}`);
      }
      await sleep(20);
    }
  }

  /** GET /metrics (on the main port): {name or name{labels}: number}. */
  async metrics() {
    const res = await within(fetch(`http://${HOST}:${this.port}/metrics`), 'GET /metrics');
    const text = await res.text();
    check(res.status === 200, `GET /metrics: expected HTTP 200, got ${res.status} ${show(text)}`);
    const out = {};
    for (const line of text.split('\n')) {
      const m = /^([a-zA-Z_:][\w:]*(?:\{[^}]*\})?) (\S+)$/.exec(line);
      if (m) out[m[1]] = Number(m[2]);
    }
    return out;
  }

  /** Send a signal and wait for the exit; returns {code, signal}. */
  async signal(sig = 'SIGTERM', ms = WAIT_MS) {
    if (this.exit) return this.exit;
    this.signalled = sig;
    this.proc.kill(sig);
    return within(this.exited, `crier to exit after ${sig}`, ms);
  }

  /** SIGTERM; fail unless crier exits with status 0. */
  async stop() {
    if (this.stopped) return;
    this.stopped = true;
    if (this.exit) {
      fail(`crier exited on its own before the end of the scenario (code ${this.exit.code}, signal ${this.exit.signal})`);
    }
    const e = await this.signal('SIGTERM');
    if (e.code !== 0)
      fail(`crier did not exit 0 after SIGTERM: code ${e.code}, signal ${e.signal}`);
    this.ctx.log('crier exited 0 after SIGTERM');
  }

  kill() {
    if (!this.exit && this.proc) this.proc.kill('SIGKILL');
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  tail() {
    const t = (s) => s.split('\n').slice(-40).join('\n');
    let note = '';
    if (this.exit && !this.signalled && !this.stopped)
      note += `\n--- NOTE: crier exited by itself during the scenario (code ${this.exit.code}, signal ${this.exit.signal})`;
    if (!this.signalled && /shutting down/.test(this.stderr))
      note += '\n--- NOTE: crier logged a shutdown although the harness sent no signal yet (a signal from outside the test?)';
    return `${note ? `${note.slice(1)}\n` : ""}--- crier ${this.args?.join(' ')}${this.configText ? `\n--- config:\n${this.configText}` : ''}\n--- stdout (tail):\n${t(this.stdout)}\n--- stderr (tail):\n${t(this.stderr)}`;
  }
}
