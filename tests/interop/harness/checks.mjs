// checks.mjs — failures, assertions and bounded waits, with the address
// and the wait limit every part of the harness shares.
//
// Part of the interop harness (see ../harness.mjs); node: built-ins only at load time.

import { isDeepStrictEqual, inspect } from 'node:util';

export const HOST = '127.0.0.1';
export const WAIT_MS = Number(process.env.INTEROP_WAIT_MS || 10000);

export class InteropFailure extends Error {}

export function fail(message) {
  throw new InteropFailure(message);
}

export function show(v) {
  if (typeof v === 'string') return JSON.stringify(v);
  return inspect(v, { depth: 8, breakLength: 160 });
}

export function check(cond, message) {
  if (!cond) fail(message);
}

export function checkEqual(actual, expected, what) {
  if (!isDeepStrictEqual(actual, expected))
    fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}

/** Resolve a promise or fail with `what` after `ms`. */
export function within(promise, what, ms = WAIT_MS) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new InteropFailure(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Poll `fn` (sync or async) until it returns a truthy value. */
export async function until(fn, what, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) fail(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}
