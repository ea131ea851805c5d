// api.mjs — checking the answers of the pusher server SDK (the HTTP API);
// the SDK client itself comes from CrierServer.api().
//
// Part of the interop harness (see ../harness.mjs); node: built-ins only at load time.

import { InteropFailure, check, fail, show } from './checks.mjs';

/** Fetch JSON from an SDK response, checking status 200. */
export async function jsonOk(resPromise, what) {
  let res;
  try {
    res = await resPromise;
  } catch (e) {
    fail(`${what}: request failed: ${e.message}${e.status ? ` (status ${e.status}, body ${show(e.body)})` : ''}`);
  }
  const text = await res.text();
  check(res.status === 200, `${what}: expected HTTP 200, got ${res.status} ${show(text)}`);
  try {
    return JSON.parse(text);
  } catch {
    fail(`${what}: body is not JSON: ${show(text)}`);
  }
}

/** Await an SDK call that must fail; returns the RequestError. */
export async function apiError(resPromise, what) {
  try {
    const res = await resPromise;
    fail(`${what}: expected an HTTP error, got ${res.status} ${show(await res.text())}`);
  } catch (e) {
    if (e instanceof InteropFailure) throw e;
    if (!e.status) fail(`${what}: request failed without an HTTP status: ${e.message}`);
    return e;
  }
}
