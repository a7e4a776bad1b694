/**
 * Property-based robustness of every parser entry point (issue 6, "Robustness"):
 * parseBytes (encoding detection + dispatch), parseText with each text format forced, parsePol.
 *
 * Inputs: random bytes; random token soup; random mutations (bit flips, byte sets, insertions of
 * random bytes and of parser tokens, deletions, duplicated slices) and random truncations of every
 * corpus file in test/fixtures/{inf,reg,xml,pol}; the same texts re-encoded (UTF-16LE ± BOM,
 * UTF-8 ± BOM, ANSI) with CRLF, LF and mixed line endings.
 *
 * Invariants (support.ts `checkAll`): nothing throws; every Setting span/valueSpan/nameSpan,
 * Problem span, Finding span and fix edit lies inside the document with start ≤ end; every fix
 * applies (non-overlapping edits) and its result re-parses; hover/completion answer at random
 * offsets; each input finishes within 50× the typical time of its unmutated corpus file (floor
 * 150 ms against GC pauses, and a slow input is timed twice, so only a repeatable slowdown fails);
 * ten times the input (a random chunk repeated) takes at most 50 times the time.
 *
 * Seeds are fixed (support.ts SEED); numRuns are sized so this file runs in about 10 s on 2 cores.
 */
import { TIMING } from '../../helpers/timing';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { parseBytes, parseText } from '../../../server/src/core/parse';
import { parsePol } from '../../../server/src/core/parsers/pol';
import { decode } from '../../../server/src/core/text';
import type { ParsedFile } from '../../../server/src/core/types';
import {
  checkAll,
  corpus,
  encodeText,
  LINT_OPTIONS,
  mutate,
  mutations,
  runs,
  SEED,
  TARGET_ENCODINGS,
  TEXT_FORMATS,
  timed,
  tokenText,
  typicalMs,
  withEol,
  type CorpusFile,
} from './support';

const NAMES = ['GptTmpl.inf', 'policy.inf', 'import.reg', 'Registry.xml', 'gpreport.xml', 'rsop.xml', 'Machine/Registry.pol', 'User/Registry.pol', 'notes.txt', 'blob.bin', 'noext'];
const lintOption = fc.constantFrom(...LINT_OPTIONS);

/** Runs `fn`; if it is over `capMs`, runs it again and fails only when it is slow both times. */
function withinCap<T>(what: string, capMs: number, fn: () => T): T {
  if (!TIMING) return fn();
  const first = timed(fn);
  if (first.ms <= capMs) return first.value;
  const second = timed(fn);
  assert.ok(second.ms <= capMs, `${what}: took ${first.ms.toFixed(1)} ms and ${second.ms.toFixed(1)} ms, over the cap of ${capMs.toFixed(1)} ms`);
  return second.value;
}

const FLOOR_MS = 150;
const capCache = new Map<string, number>();
/** 50× the typical parse + lint time of the unmutated file. */
function capFor(f: CorpusFile): number {
  let cap = capCache.get(f.file);
  if (cap === undefined) {
    const typical = typicalMs(() => checkAll(f.name, parseBytes(f.name, f.bytes), f.bytes.length, LINT_OPTIONS[0]));
    cap = Math.max(FLOOR_MS, 50 * typical);
    capCache.set(f.file, cap);
  }
  return cap;
}

function parseAndCheck(name: string, bytes: Uint8Array, options = LINT_OPTIONS[0], deep = {}): ParsedFile {
  const p = parseBytes(name, bytes);
  checkAll(name, p, bytes.length, options, deep);
  return p;
}

describe('random input', () => {
  test('parseBytes: random bytes under every file name never throw; positions inside', () => {
    const prefix = fc.constantFrom(
      new Uint8Array(0),
      Uint8Array.from([0xff, 0xfe]),
      Uint8Array.from([0xfe, 0xff]),
      Uint8Array.from([0xef, 0xbb, 0xbf]),
      Uint8Array.from(Buffer.from('PReg\x01\x00\x00\x00', 'latin1')),
      Uint8Array.from(Buffer.from('<?xml version="1.0"?><GPO>', 'utf8')),
    );
    fc.assert(
      fc.property(fc.constantFrom(...NAMES), prefix, fc.uint8Array({ maxLength: 2048 }), lintOption, (name, pre, body, options) => {
        const bytes = Buffer.concat([pre, body]);
        withinCap(`parseBytes(${name})`, FLOOR_MS, () => parseAndCheck(name, bytes, options, { features: [0, body.length >> 1, bytes.length] }));
      }),
      { seed: SEED, numRuns: runs(1500) },
    );
  });

  test('parseText: token soup with every text format forced, and detected', () => {
    fc.assert(
      fc.property(tokenText, lintOption, fc.nat(), (text, options, at) => {
        for (const format of [...TEXT_FORMATS, undefined]) {
          const name = format === undefined ? NAMES[at % NAMES.length] : 'doc';
          withinCap(`parseText(${format})`, FLOOR_MS, () => {
            const p = parseText(name, text, 'utf-8', format);
            if (format) assert.equal(p.format === format || (format === 'rsop-xml' && p.format === 'gpo-report-xml'), true, `${format} → ${p.format}`);
            checkAll(name, p, undefined, options, { everyFix: true, idempotent: true, features: [at % (text.length + 1)] });
          });
        }
      }),
      { seed: SEED, numRuns: runs(600) },
    );
  });

  test('parsePol: random records after a valid header never throw; problems carry byte offsets inside the file', () => {
    const u16 = (s: string) => Buffer.from(s, 'utf16le');
    const u32 = (n: number) => {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(n >>> 0);
      return b;
    };
    // Records whose parts are each sometimes right and sometimes wrong.
    const record = fc
      .record({
        open: fc.constantFrom('[', '', '(', '[['),
        key: fc.string({ maxLength: 12 }),
        keyZ: fc.boolean(),
        name: fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('**del.x', '**delvals.', '**DeleteValues', '**DeleteKeys', '**SecureKey', 'RequireSecuritySignature')),
        nameZ: fc.boolean(),
        type: fc.oneof(fc.integer({ min: 0, max: 12 }), fc.constant(0xffffffff)),
        data: fc.uint8Array({ maxLength: 24 }),
        sizeDelta: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -8, max: 8 }) }, { weight: 1, arbitrary: fc.constant(0xfffffff0) }),
        sep: fc.array(fc.constantFrom(';', ';', ';', ';', ',', ''), { minLength: 4, maxLength: 4 }),
        close: fc.constantFrom(']', ']', ']', '', '}'),
      })
      .map((r) =>
        Buffer.concat([
          u16(r.open),
          u16(r.key),
          r.keyZ ? Buffer.alloc(2) : Buffer.alloc(0),
          u16(r.sep[0]),
          u16(r.name),
          r.nameZ ? Buffer.alloc(2) : Buffer.alloc(0),
          u16(r.sep[1]),
          u32(r.type),
          u16(r.sep[2]),
          u32(r.data.length + r.sizeDelta),
          u16(r.sep[3]),
          r.data,
          u16(r.close),
        ]),
      );
    fc.assert(
      fc.property(fc.array(record, { maxLength: 12 }), fc.nat(9), fc.constantFrom('HKLM' as const, 'HKCU' as const), lintOption, (records, cut, hive, options) => {
        let bytes = Buffer.concat([Buffer.from('PReg\x01\x00\x00\x00', 'latin1'), ...records]);
        if (cut > 0) bytes = bytes.subarray(0, bytes.length - cut);
        withinCap('parsePol', FLOOR_MS, () => {
          const p = parsePol(bytes, hive);
          checkAll('Registry.pol', p, bytes.length, options, { features: [0, p.text.length >> 1] });
          for (const pr of p.problems) assert.ok(pr.offset !== undefined, `problem without a byte offset: ${pr.message}`);
        });
      }),
      { seed: SEED, numRuns: runs(1500) },
    );
  });
});

describe('time grows linearly', () => {
  test('10× the input takes at most 50× the time (no quadratic path), every text format', () => {
    const both = (text: string, format: (typeof TEXT_FORMATS)[number]) =>
      Math.min(...[0, 1].map(() => timed(() => checkAll('doc', parseText('doc', text, 'utf-8', format), undefined, LINT_OPTIONS[0])).ms));
    fc.assert(
      fc.property(tokenText.filter((t) => t.length >= 8), fc.constantFrom(...TEXT_FORMATS), (chunk, format) => {
        const small = chunk.repeat(Math.ceil(10_000 / chunk.length));
        const big = chunk.repeat(Math.ceil(100_000 / chunk.length));
        const a = both(small, format);
        const b = both(big, format);
        assert.ok(b <= 50 * Math.max(a, 2), `${format}: ${a.toFixed(1)} ms for ${small.length} characters, ${b.toFixed(1)} ms for ${big.length}`);
      }),
      { seed: SEED, numRuns: runs(40) },
    );
  });
});

describe('mutations of the corpus', () => {
  for (const f of corpus()) {
    test(`${f.kind}/${f.file}: random byte mutations`, () => {
      const cap = capFor(f);
      fc.assert(
        fc.property(mutations, lintOption, fc.nat(), (ms, options, at) => {
          const bytes = mutate(f.bytes, ms);
          withinCap(f.file, cap, () => parseAndCheck(f.name, bytes, options, { everyFix: f.bytes.length < 40_000, features: [at % (bytes.length + 1)] }));
        }),
        { seed: SEED, numRuns: runs(f.bytes.length > 100_000 ? 20 : f.bytes.length > 20_000 ? 50 : 150) },
      );
    });
  }
});

describe('truncation of the corpus', () => {
  for (const f of corpus()) {
    test(`${f.kind}/${f.file}: cut anywhere`, () => {
      const cap = capFor(f);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: f.bytes.length }), lintOption, (n, options) => {
          const bytes = f.bytes.subarray(0, n);
          withinCap(f.file, cap, () => parseAndCheck(f.name, bytes, options, { everyFix: f.bytes.length < 40_000, idempotent: true }));
        }),
        { seed: SEED, numRuns: runs(f.bytes.length > 100_000 ? 12 : 40) },
      );
    });
  }
});

describe('re-encodings of the corpus', () => {
  const settingsOf = (p: ParsedFile) => p.settings.map((s) => ({ hive: s.hive, key: s.key, name: s.name, type: s.type, value: s.value, state: s.state, span: s.span }));

  for (const f of corpus().filter((c) => c.kind !== 'pol')) {
    test(`${f.kind}/${f.file}: UTF-16LE ± BOM, UTF-8 ± BOM, ANSI × CRLF / LF / mixed give the same settings`, () => {
      const original = decode(f.bytes).text;
      for (const eol of ['crlf', 'lf', 'mixed'] as const) {
        const text = withEol(original, eol);
        const reference = parseText(f.name, text);
        for (const enc of TARGET_ENCODINGS) {
          const bytes = encodeText(text, enc);
          if (!bytes) continue; // a character Windows-1252 cannot hold
          const p = parseAndCheck(f.name, bytes, LINT_OPTIONS[0], { idempotent: true });
          const label = `${enc} + ${eol}`;
          assert.equal(p.text, text, `${label}: decoded text differs`);
          const expected = enc === 'ansi' && /^[\x00-\x7f]*$/.test(text) ? 'ascii' : enc === 'utf-8' && /^[\x00-\x7f]*$/.test(text) ? 'ascii' : enc;
          assert.equal(p.encoding, expected, label);
          assert.equal(p.format, reference.format, label);
          assert.deepEqual(settingsOf(p), settingsOf(reference), label);
        }
      }
    });
  }

  test('random texts survive every encoding with a byte order mark and parse the same', () => {
    fc.assert(
      fc.property(tokenText, fc.constantFrom('utf-16le-bom' as const, 'utf-8-bom' as const), fc.constantFrom(...TEXT_FORMATS), (raw, enc, format) => {
        const text = raw.replace(/^\uFEFF+/, '').replace(/[\uD800-\uDFFF]/g, '?');
        const bytes = encodeText(text, enc) as Buffer;
        const d = decode(bytes);
        assert.equal(d.text, text);
        assert.equal(d.encoding, enc);
        const a = parseText('doc', d.text, d.encoding, format);
        checkAll('doc', a, undefined, LINT_OPTIONS[0]);
        assert.deepEqual(settingsOf(a), settingsOf(parseText('doc', text, enc, format)));
      }),
      { seed: SEED, numRuns: runs(300) },
    );
  });
});
