/**
 * Hostile Registry.pol (issue 6): sizes that lie (bigger, smaller, 0xFFFFFFFF), odd lengths,
 * missing terminators, missing separators and brackets, zero-length data, truncation anywhere, and
 * more tiny records than the record limit. Every damaged file gives a problem at a byte offset inside the file, keeps the
 * records before the damage, and never throws. test/unit/parsers/pol.test.ts pins the exact messages
 * of single examples; this file states the same as properties over random record lists.
 *
 * Measured (2-core CI-class VM, Node 20): 1,000,000 records (26 MB) parsed in about 2–3 s with a peak
 * RSS of about 0.8 GB, so LIMITS.maxPolRecords is now 200,000 (real files hold hundreds), which
 * bounds a hostile file to a fifth of that. The time cap is 50× the per-record time of 10,000 records.
 * Found here: duplicate-value problems were not capped (a million records repeating one value gave a
 * million problems); pol.ts now caps them like every other problem and adds one summary line.
 */
import { assertTime } from '../../helpers/timing';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { LIMITS } from '../../../server/src/core/limits';
import { parsePol } from '../../../server/src/core/parsers/pol';
import type { ParsedFile } from '../../../server/src/core/types';
import type { ChildResult } from './child';
import { tinyPol } from './child';
import { checkAll, LINT_OPTIONS, runs, SEED, timed } from './support';

const u16 = (s: string) => Buffer.from(s, 'utf16le');
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
};
const NUL = Buffer.alloc(2);
const HEADER = Buffer.from('PReg\x01\x00\x00\x00', 'latin1');

interface Rec {
  key: string;
  name: string;
  type: number;
  data: Buffer;
}

/** The parts of one record, so a test can damage any of them. */
function parts(r: Rec): Buffer[] {
  return [u16('['), u16(r.key), NUL, u16(';'), u16(r.name), NUL, u16(';'), u32(r.type), u16(';'), u32(r.data.length), u16(';'), r.data, u16(']')];
}
const encode = (r: Rec) => Buffer.concat(parts(r));

// Names without NUL, ';', '[' or ']' so a well-formed record stays well-formed; distinct names avoid duplicates.
const word = fc.string({ minLength: 1, maxLength: 10, unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789\\ ._-é€'.split('')) });
const data = fc.oneof(
  fc.uint8Array({ minLength: 4, maxLength: 4 }).map((d) => ({ type: 4, data: Buffer.from(d) })),
  word.map((s) => ({ type: 1, data: Buffer.concat([u16(s), NUL]) })),
  fc.array(word, { maxLength: 3 }).map((l) => ({ type: 7, data: Buffer.concat([...l.flatMap((s) => [u16(s), NUL]), NUL]) })),
  fc.uint8Array({ maxLength: 16 }).map((d) => ({ type: 3, data: Buffer.from(d) })),
  fc.uint8Array({ minLength: 8, maxLength: 8 }).map((d) => ({ type: 11, data: Buffer.from(d) })),
);
const records = fc
  .array(fc.record({ key: word, data }), { minLength: 1, maxLength: 10 })
  .map((rs) => rs.map((r, i): Rec => ({ key: `Software\\Policies\\${r.key}`, name: `v${i}`, type: r.data.type, data: r.data.data })));

function check(p: ParsedFile, bytes: Buffer): void {
  checkAll('Registry.pol', p, bytes.length, LINT_OPTIONS[0], { features: [0, p.text.length >> 1] });
  for (const pr of p.problems) {
    assert.ok(pr.offset !== undefined && pr.offset >= 0 && pr.offset <= bytes.length, `problem offset ${pr.offset} outside the ${bytes.length}-byte file: ${pr.message}`);
  }
}

/** Record start offsets. */
function starts(rs: Rec[]): number[] {
  const out: number[] = [];
  let at = HEADER.length;
  for (const r of rs) {
    out.push(at);
    at += encode(r).length;
  }
  return out;
}

test('well-formed random records read back exactly, at their byte offsets', () => {
  fc.assert(
    fc.property(records, (rs) => {
      const bytes = Buffer.concat([HEADER, ...rs.map(encode)]);
      const p = parsePol(bytes, 'HKLM');
      check(p, bytes);
      assert.deepEqual(p.problems.filter((x) => x.severity === 'error'), []);
      assert.deepEqual(
        p.settings.map((s) => [s.name, s.offset]),
        rs.map((r, i) => [r.name, starts(rs)[i]]),
      );
      rs.forEach((r, i) => {
        if (r.type === 4) assert.equal(p.settings[i].value, r.data.readUInt32LE(0));
      });
    }),
    { seed: SEED, numRuns: runs(300) },
  );
});

type Damage =
  | 'size+'
  | 'size-'
  | 'size-max'
  | 'size-zero'
  | 'no-key-nul'
  | 'no-name-nul'
  | 'no-close'
  | 'no-open'
  | 'no-separator'
  | 'cut'
  | 'odd';
const DAMAGE: Damage[] = ['size+', 'size-', 'size-max', 'size-zero', 'no-key-nul', 'no-name-nul', 'no-close', 'no-open', 'no-separator', 'cut', 'odd'];

/** One damaged record at index `at`; returns the file and whether the damage must give an error problem. */
function damaged(rs: Rec[], at: number, damage: Damage, k: number): { bytes: Buffer; mustFail: boolean } {
  const before = rs.slice(0, at).map(encode);
  const after = rs.slice(at + 1).map(encode);
  const p = parts(rs[at]);
  const size = rs[at].data.length;
  let rec: Buffer;
  let mustFail = true;
  switch (damage) {
    case 'size+':
      p[9] = u32(size + 1 + (k % 64));
      // Larger than what is left only when it reaches past the file; otherwise the ']' check fails.
      rec = Buffer.concat(p);
      break;
    case 'size-':
      if (size === 0) return damaged(rs, at, 'size+', k);
      p[9] = u32(size - 1 - (k % size));
      rec = Buffer.concat(p);
      break;
    case 'size-max':
      p[9] = u32(0xffffffff);
      rec = Buffer.concat(p);
      break;
    case 'size-zero':
      // Zero-length data is legal: a REG_DWORD / REG_QWORD without data is reported as a warning.
      p[9] = u32(0);
      p[11] = Buffer.alloc(0);
      rec = Buffer.concat(p);
      mustFail = false;
      break;
    case 'no-key-nul':
      p[2] = Buffer.alloc(0);
      rec = Buffer.concat(p);
      break;
    case 'no-name-nul':
      p[5] = Buffer.alloc(0);
      rec = Buffer.concat(p);
      break;
    case 'no-close':
      p[12] = Buffer.alloc(0);
      rec = Buffer.concat(p);
      break;
    case 'no-open':
      p[0] = Buffer.alloc(0);
      rec = Buffer.concat(p);
      break;
    case 'no-separator':
      p[[3, 6, 8, 10][k % 4]] = Buffer.alloc(0);
      rec = Buffer.concat(p);
      break;
    case 'cut': {
      const whole = Buffer.concat(p);
      return { bytes: Buffer.concat([HEADER, ...before, whole.subarray(0, k % whole.length)]), mustFail: k % whole.length > 0 };
    }
    case 'odd':
      return { bytes: Buffer.concat([HEADER, ...before, encode(rs[at]), Buffer.from([k & 0xff])]), mustFail: true };
  }
  return { bytes: Buffer.concat([HEADER, ...before, rec, ...after]), mustFail };
}

test('one damaged record: a problem at a byte offset at or after it, earlier records kept, never a throw', () => {
  fc.assert(
    fc.property(records, fc.nat(), fc.constantFrom(...DAMAGE), fc.nat(), fc.constantFrom('HKLM' as const, 'HKCU' as const), (rs, i, damage, k, hive) => {
      const at = i % rs.length;
      const { bytes, mustFail } = damaged(rs, at, damage, k);
      const p = parsePol(bytes, hive);
      check(p, bytes);
      const recStart = starts(rs)[at];
      // The records before the damage are all there, unchanged.
      assert.deepEqual(
        p.settings.slice(0, at).map((s) => [s.name, s.offset]),
        rs.slice(0, at).map((r, j) => [r.name, starts(rs)[j]]),
        damage,
      );
      const errors = p.problems.filter((x) => x.severity === 'error');
      if (mustFail) {
        assert.ok(errors.length > 0, `${damage}: no error problem`);
        for (const e of errors) assert.ok(e.offset! >= recStart, `${damage}: problem at ${e.offset}, before the damaged record at ${recStart}`);
      }
      if (damage === 'size-max') assert.match(errors[0].message, /declares 4294967295 bytes of data/);
      if (damage === 'odd') assert.match(errors[0].message, /stray byte \(odd length\)/);
      if (damage === 'size-zero' && (rs[at].type === 4 || rs[at].type === 11)) {
        assert.ok(p.problems.some((x) => x.severity === 'warning' && x.offset === recStart && /must hold/.test(x.message)));
        assert.equal(p.settings[at].value, null);
      }
    }),
    { seed: SEED, numRuns: runs(1500) },
  );
});

test('a size field that lies is never trusted for allocation: every 32-bit size on a small file', () => {
  const rec: Rec = { key: 'Software\\Policies\\K', name: 'v', type: 4, data: u32(1) };
  const p = parts(rec);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (size) => {
      p[9] = u32(size);
      const bytes = Buffer.concat([HEADER, ...p]);
      const { value: parsed, ms } = timed(() => parsePol(bytes, 'HKLM'));
      check(parsed, bytes);
      assertTime(ms < 100, `${ms} ms for one record`);
      if (size !== 4) assert.ok(parsed.problems.some((x) => x.severity === 'error' || /must hold/.test(x.message)), `size ${size}`);
    }),
    { seed: SEED, numRuns: runs(500) },
  );
});

test('a file of only lies: random 32-bit words after the header never throw', () => {
  fc.assert(
    fc.property(fc.array(fc.oneof(fc.constant(0x5b), fc.constant(0x3b), fc.constant(0x5d), fc.constant(0), fc.constant(0xffffffff), fc.nat()), { maxLength: 64 }), (words) => {
      const bytes = Buffer.concat([HEADER, ...words.map((w) => (w < 0x10000 && w % 3 === 0 ? u16(String.fromCharCode(w)) : u32(w)))]);
      check(parsePol(bytes, 'HKLM'), bytes);
    }),
    { seed: SEED, numRuns: runs(800) },
  );
});

// ---------------------------------------------------------------------------------------------
// A million tiny records, in a child process with a heap budget.

const CHILD = path.join(__dirname, 'child.js');
const POL_HEAP_MB = 1536;

function child(args: string[], heapMb: number): ChildResult {
  const r = spawnSync(process.execPath, [`--max-old-space-size=${heapMb}`, CHILD, '--robust-child', ...args], { encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  assert.equal(r.status, 0, `child ${args.join(' ')} failed (signal ${r.signal}): ${r.stderr.slice(-2000)}`);
  return JSON.parse(r.stdout) as ChildResult;
}

test('more tiny records than the record limit: bounded time, capped problems, within the child heap', () => {
  // Typical per-record cost on 10,000 records, in this process.
  const small = tinyPol(10_000, true);
  const perRecordMs = Math.min(...[0, 1, 2].map(() => timed(() => parsePol(small, 'HKLM')).ms)) / 10_000;
  const capMs = Math.max(20_000, 50 * perRecordMs * LIMITS.maxPolRecords);
  // One record more than the limit, every record repeating one value: the last record is not read
  // (a limit problem), and the million duplicates are capped with one summary line.
  const res = child(['pol', String(LIMITS.maxPolRecords + 1), 'same'], POL_HEAP_MB);
  const c = res.cases[0];
  assert.equal(c.settings, LIMITS.maxPolRecords);
  assertTime(c.parseMs + c.lintMs < capMs, `${c.parseMs.toFixed(0)} + ${c.lintMs.toFixed(0)} ms, cap ${capMs.toFixed(0)} ms`);
  assert.ok(c.problems <= LIMITS.maxProblemsPerFile + 2, `${c.problems} problems`);
  assert.ok(c.findings <= LIMITS.maxProblemsPerFile + 2, `${c.findings} findings`);
  assert.deepEqual(c.problemCodes, ['duplicate', 'limit', 'parse']);
  process.stdout.write(
    `# record-limit .pol: parse ${c.parseMs.toFixed(0)} ms, lint ${c.lintMs.toFixed(0)} ms, peak RSS ${res.maxRssMB.toFixed(0)} MB (input built: ${res.rssBeforeMB.toFixed(0)} MB); cap ${capMs.toFixed(0)} ms\n`,
  );
});
