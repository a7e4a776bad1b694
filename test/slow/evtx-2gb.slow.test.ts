/**
 * Slow: a 2 GB synthetic EVTX (security.evtx's chunks repeated, written to a temporary folder and
 * deleted) is read by the CLI's file-descriptor source in a child process: every record is
 * decoded, and the peak memory of that process stays far below the file size.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readEvtx } from '../../server/src/core/evidence/evtx';
import { bytesSource } from '../../server/src/core/evidence/types';
import { EVTX_FIXTURES, fixture } from '../helpers/evidence';
import { writeSyntheticEvtx } from '../helpers/evtx-synth';

test('a 2 GB EVTX is read in bounded memory', (t) => {
  const sample = fixture('security.evtx');
  // Records per valid chunk of the sample.
  const perChunk: number[] = [];
  for (let off = 4096; off + 65536 <= sample.length; off += 65536) {
    if (sample[off] !== 0x45) continue;
    const one = new Uint8Array(4096 + 65536);
    one.set(sample.subarray(0, 4096));
    one.set(sample.subarray(off, off + 65536), 4096);
    perChunk.push([...readEvtx(bytesSource(one), [])].length);
  }
  assert.equal(perChunk.reduce((a, b) => a + b, 0), 2261);
  const dir = mkdtempSync(join(tmpdir(), 'relaylint-evtx-'));
  try {
    const file = join(dir, 'big.evtx');
    const synth = writeSyntheticEvtx(join(EVTX_FIXTURES, 'security.evtx'), file, 2 * 1024 ** 3, perChunk);
    assert.ok(synth.bytes > 2 * 1024 ** 3 - 65536);
    const child = `
      const { readEvtx } = require(${JSON.stringify(join(__dirname, '../../server/src/core/evidence/evtx.js'))});
      const { fileSource } = require(${JSON.stringify(join(__dirname, '../helpers/evidence.js'))});
      const src = fileSource(${JSON.stringify(file)});
      const problems = [];
      let n = 0;
      for (const r of readEvtx(src, problems)) n++;
      src.close();
      process.stdout.write(JSON.stringify({ n, problems: problems.length, maxRssKb: process.resourceUsage().maxRSS }));
    `;
    const r = spawnSync(process.execPath, ['-e', child], { encoding: 'utf8', maxBuffer: 1 << 20 });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { n: number; problems: number; maxRssKb: number };
    assert.equal(out.n, synth.records);
    assert.equal(out.problems, 0);
    // One 64 KiB chunk at a time: the whole process (Node itself included) stays under 150 MB.
    assert.ok(out.maxRssKb < 150 * 1024, `peak RSS ${out.maxRssKb} KB`);
    t.diagnostic(`${synth.bytes} bytes, ${out.n} records, peak RSS ${Math.round(out.maxRssKb / 1024)} MB`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
