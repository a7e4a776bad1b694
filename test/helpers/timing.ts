/**
 * Timing checks run only in `npm run test:slow` (test/slow/timing.slow.test.ts sets
 * RELAYLINT_TIMING=1 and loads the suites that have them): on a shared 2-core machine a wall-time
 * cap in `npm test` fails for reasons that are not the code's. The behaviour under test still runs
 * in `npm test`; only the time assertion is skipped there.
 */
import * as assert from 'node:assert/strict';

export const TIMING = process.env.RELAYLINT_TIMING === '1';

/** `assert.ok(withinTime, message)`, only when timing checks are on. */
export function assertTime(withinTime: boolean, message: string): void {
  if (TIMING) assert.ok(withinTime, message);
}
