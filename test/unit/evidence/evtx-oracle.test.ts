/**
 * Every record of every sample in test/fixtures/evtx (copies of ../shared/evtx, MIT, see
 * SOURCES.md there) read by relaylint's EVTX reader and compared with python-evtx's output
 * (Debian python3-evtx 0.6.1, the development oracle). The oracle's output is stored next to the
 * samples (oracle/*.jsonl.gz, written by test/helpers/evtx_oracle.py) so that `npm test` stays
 * fast; test/slow/evtx-oracle.slow.test.ts runs python-evtx live on the same files and checks the
 * stored output is still what it writes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { readEvtx } from '../../../server/src/core/evidence/evtx';
import { bytesSource, type EvidenceProblem } from '../../../server/src/core/evidence/types';
import { compare } from '../../helpers/evtx-compare';
import { EVTX_FIXTURES, fixture, type OracleRecord } from '../../helpers/evidence';

const files = readdirSync(EVTX_FIXTURES).filter((f) => f.endsWith('.evtx')).sort();

test('the samples are all there', () => {
  assert.deepEqual(files, [
    'Application_no_crc32.evtx',
    'sample-with-irregular-bool-values.evtx',
    'security.evtx',
    'security_bad_string_cache.evtx',
    'system.evtx',
  ]);
});

const EXPECTED_PROBLEMS: Record<string, string[]> = {
  'security_bad_string_cache.evtx': [
    'Chunk at byte 4096: the header checksum does not match (its string or template table may be damaged); records were read by their own offsets.',
  ],
};

for (const file of files) {
  test(`${file}: every record matches python-evtx (stored oracle output)`, () => {
    const problems: EvidenceProblem[] = [];
    const ours = [...readEvtx(bytesSource(fixture(file)), problems)];
    const oracle = gunzipSync(readFileSync(join(EVTX_FIXTURES, 'oracle', file.replace(/\.evtx$/, '.jsonl.gz'))))
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as OracleRecord);
    assert.ok(oracle.length > 0);
    assert.equal(oracle.filter((o) => o.error).length, 0);
    assert.deepEqual(compare(file, ours, oracle).slice(0, 20), []);
    assert.deepEqual(
      problems.map((p) => p.message),
      EXPECTED_PROBLEMS[file] ?? [],
    );
  });
}
