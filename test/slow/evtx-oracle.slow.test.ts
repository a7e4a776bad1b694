/**
 * Slow: python-evtx (Debian python3-evtx, the development oracle) run live on every sample, and
 * relaylint's reader compared with it record by record; also checks that the stored oracle output
 * used by the fast test (test/fixtures/evtx/oracle) is still what python-evtx writes.
 * Needs `apt-get install -y python3-evtx` (.ci/run installs it).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { readEvtx } from '../../server/src/core/evidence/evtx';
import { bytesSource } from '../../server/src/core/evidence/types';
import { compare } from '../helpers/evtx-compare';
import { EVTX_FIXTURES, fixture, runOracle } from '../helpers/evidence';

for (const file of readdirSync(EVTX_FIXTURES).filter((f) => f.endsWith('.evtx')).sort()) {
  test(`${file}: relaylint and python-evtx (live) read the same records`, () => {
    const oracle = runOracle(join(EVTX_FIXTURES, file));
    const ours = [...readEvtx(bytesSource(fixture(file)), [])];
    assert.deepEqual(compare(file, ours, oracle).slice(0, 20), []);
    const stored = gunzipSync(readFileSync(join(EVTX_FIXTURES, 'oracle', file.replace(/\.evtx$/, '.jsonl.gz')))).toString('utf8');
    assert.equal(oracle.map((o) => JSON.stringify(o)).join('\n'), stored.trim().split('\n').map((l) => JSON.stringify(JSON.parse(l))).join('\n'));
  });
}
