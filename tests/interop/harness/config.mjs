// config.mjs — apps and the key file a scenario gives crier with --config.
//
// Part of the interop harness (see ../harness.mjs); node: built-ins only at load time.

/** The default app Crier creates without --config (no PUSHER_APP_* in the environment). */
export const DEFAULT_APP = Object.freeze({ id: 'app-id', key: 'app-key', secret: 'app-secret' });

/**
 * Build a GLib key file.  `server` is an object of [server] keys, `apps` an
 * array of {id, key, secret, ...settings}; setting names are written as
 * given (use the config spelling, e.g. 'client-events'); `webhooks` an array
 * of {name, app, url, events, headers} ([webhook:NAME] sections).
 */
export function keyFile({ server = {}, apps = [], webhooks = [] } = {}) {
  const lines = [];
  const val = (v) => (typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v));
  lines.push('[server]');
  for (const [k, v] of Object.entries(server)) lines.push(`${k}=${val(v)}`);
  for (const app of apps) {
    lines.push('', `[app:${app.id}]`);
    for (const [k, v] of Object.entries(app)) {
      if (k === 'id') continue;
      lines.push(`${k}=${val(v)}`);
    }
  }
  // [webhook:NAME] sections after the apps they name: {name, app, url, events: [...], headers: [...]}.
  for (const hook of webhooks) {
    lines.push('', `[webhook:${hook.name}]`);
    for (const [k, v] of Object.entries(hook)) {
      if (k === 'name') continue;
      lines.push(`${k}=${Array.isArray(v) ? v.join(';') : val(v)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** An app definition with the defaults of the contract, overridable. */
export function app(id, settings = {}) {
  return { id, key: `${id}-key`, secret: `${id}-secret`, 'client-events': true, ...settings };
}
