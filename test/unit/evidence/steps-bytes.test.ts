/**
 * An event log read in steps (core readEvidenceSteps) yields a step after every so many bytes read
 * even where no record comes out: a stretch of zero-filled or damaged EVTX chunks, an XML export
 * with no complete <Event>, a CSV with no row end. The steps are counted with the bytes read
 * between them, and the reading's result (summary, problems) is the one of the straight-through
 * read (readEvidenceFile, the CLI) and of the record-only readers.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { bytesSource, EvidenceCollector, readEvidenceFile, readEvidenceSteps, type ByteSource, type EvidenceFormat, type EvidenceProblem } from '../../../server/src/core';
import { EVIDENCE_STEP_BYTES } from '../../../server/src/core/evidence';
import { readEventCsv } from '../../../server/src/core/evidence/event-csv';
import { readEventXml } from '../../../server/src/core/evidence/event-xml';
import { EVTX_CHUNK_SIZE, EVTX_HEADER_BLOCK, readEvtx } from '../../../server/src/core/evidence/evtx';
import { TEXT_BLOCK } from '../../../server/src/core/evidence/text-stream';
import { tryEvidence, tryEvidenceSteps } from '../../../server/src/io/evidence-files';
import { fixture } from '../../helpers/evidence';

const MiB = 1024 * 1024;
const NS = 'http://schemas.microsoft.com/win/2004/08/events/event';

/** Deterministic bytes that are neither zero nor a chunk signature. */
function garbage(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    b[i] = (s >>> 24) | 1;
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const header = (): Uint8Array => fixture('security.evtx').subarray(0, EVTX_HEADER_BLOCK);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

/** `n` chunks' worth of damaged slots, and the problems they give (at most 200 listed, then a count). */
function damagedProblems(first: number, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < Math.min(n, 200); i++) out.push(`error: Damaged chunk at byte ${first + i * EVTX_CHUNK_SIZE}: no chunk signature; its records were skipped.`);
  if (n > 200) out.push(`warning: ${n - 200} more problems are not listed; at most 200 are listed per file.`);
  return out;
}

interface Case {
  name: string;
  format: EvidenceFormat;
  bytes: () => Uint8Array;
  /** Bytes between steps asked for. */
  every: number;
  /** The most a reader reads at once (an EVTX slot, a text block). */
  unit: number;
  records: number;
  /** The problems, as `severity: message`. */
  problems: string[];
}

const sample = fixture('security.evtx');

const CASES: Case[] = [
  {
    name: 'EVTX: a valid header and 64 MiB of zero-filled chunks (the default step size)',
    format: 'evtx',
    bytes: () => concat(header(), new Uint8Array(64 * MiB)),
    every: EVIDENCE_STEP_BYTES,
    unit: EVTX_CHUNK_SIZE,
    records: 0,
    problems: [],
  },
  {
    name: 'EVTX: a valid header and 16 MiB of garbage chunks',
    format: 'evtx',
    bytes: () => concat(header(), garbage(16 * MiB, 1)),
    every: MiB,
    unit: EVTX_CHUNK_SIZE,
    records: 0,
    problems: damagedProblems(EVTX_HEADER_BLOCK, 256),
  },
  {
    name: 'EVTX: zero-filled and garbage chunks mixed, with a cut chunk at the end',
    format: 'evtx',
    bytes: () => concat(header(), new Uint8Array(3 * MiB), garbage(2 * EVTX_CHUNK_SIZE, 2), new Uint8Array(3 * MiB), garbage(1000, 3)),
    every: 256 * 1024,
    unit: EVTX_CHUNK_SIZE,
    records: 0,
    problems: [
      ...damagedProblems(EVTX_HEADER_BLOCK + 3 * MiB, 2),
      `error: Damaged chunk at byte ${EVTX_HEADER_BLOCK + 6 * MiB + 2 * EVTX_CHUNK_SIZE}: no chunk signature; its records were skipped.`,
    ],
  },
  {
    name: 'EVTX: a real log followed by 8 MiB of garbage',
    format: 'evtx',
    bytes: () => concat(sample, garbage(8 * MiB, 4)),
    every: MiB,
    unit: EVTX_CHUNK_SIZE,
    records: 2261,
    problems: damagedProblems(sample.length, 128),
  },
  {
    name: 'EVTX: 16 MiB of zeros without a file header',
    format: 'evtx',
    bytes: () => new Uint8Array(16 * MiB),
    every: MiB,
    unit: EVTX_HEADER_BLOCK,
    records: 0,
    problems: ['error: Not an EVTX file: the file header signature "ElfFile" is missing.'],
  },
  {
    name: 'XML: an <Events> root and 12 MiB without any <Event>',
    format: 'event-xml',
    bytes: () => text(`<Events xmlns="${NS}">\n${'<!-- not an event -->\n'.repeat((12 * MiB) / 22)}</Events>\n`),
    every: MiB,
    unit: TEXT_BLOCK,
    records: 0,
    problems: ['error: No <Event> element was found: this is not an event XML export.'],
  },
  {
    name: 'XML: an <Event> whose end tag never comes',
    format: 'event-xml',
    bytes: () => text(`<Event xmlns="${NS}"><System>${'x'.repeat(12 * MiB)}`),
    every: MiB,
    unit: TEXT_BLOCK,
    records: 0,
    problems: [`error: An <Event> at line 1 is longer than ${4 << 20} characters without its end tag; the rest of the file was not read.`],
  },
  {
    name: 'XML: 4 MiB of events that are all skipped (cut inside an attribute)',
    format: 'event-xml',
    bytes: () => text('<Event x="</Event>\n'.repeat(Math.ceil((4 * MiB) / 19))),
    every: MiB,
    unit: TEXT_BLOCK,
    records: 0,
    // At most 200 problems are listed: the 200 first skipped events, then the count of the rest.
    problems: [
      ...Array.from({ length: 200 }, (_, i) => `error: The <Event> at line ${i + 1} is not well-formed XML (The value of attribute x is never closed; the file looks truncated); it was skipped.`),
      `warning: ${Math.ceil((4 * MiB) / 19) - 200} more problems are not listed; at most 200 are listed per file.`,
    ],
  },
  {
    name: 'CSV: the recipe header and 12 MiB without a line end',
    format: 'event-csv',
    bytes: () => text(`TimeCreated,LogName,ProviderName,Id,RecordId,MachineName,EventData\n${'y'.repeat(12 * MiB)}`),
    every: MiB,
    unit: TEXT_BLOCK,
    // One field of seven: not an event (its field was cut at 1 Mi characters).
    records: 0,
    problems: [
      `warning: A field on line 2 is longer than ${1 << 20} characters; it was cut.`,
      "warning: 1 row has fewer fields than the header's 7 (the first on line 2, with 1); it was skipped and not counted as events.",
    ],
  },
  {
    name: 'CSV: the recipe header and 12 MiB of blank lines',
    format: 'event-csv',
    bytes: () => text(`TimeCreated,LogName,ProviderName,Id,RecordId,MachineName,EventData\n${'\r\n'.repeat(6 * MiB)}`),
    every: MiB,
    unit: TEXT_BLOCK,
    records: 0,
    problems: [],
  },
];

const show = (ps: EvidenceProblem[]): string[] => ps.map((p) => `${p.severity}: ${p.message}`);

/** A source that counts the bytes read from it. */
function counting(bytes: Uint8Array): { src: ByteSource; read: () => number } {
  const inner = bytesSource(bytes);
  let n = 0;
  return {
    src: {
      size: inner.size,
      read: (o, l) => {
        const b = inner.read(o, l);
        n += b.length;
        return b;
      },
    },
    read: () => n,
  };
}

/** The record-only reader of a format (what the tests and tools outside the steps use). */
function recordOnly(format: EvidenceFormat, bytes: Uint8Array): { records: number; problems: EvidenceProblem[] } {
  const problems: EvidenceProblem[] = [];
  const src = bytesSource(bytes);
  const it = format === 'evtx' ? readEvtx(src, problems) : format === 'event-xml' ? readEventXml(src, problems) : readEventCsv(src, problems);
  let records = 0;
  for (const r of it) if (r) records++;
  return { records, problems };
}

describe('a reading in steps yields after a bounded number of bytes, records or not', () => {
  for (const c of CASES) {
    test(c.name, () => {
      const bytes = c.bytes();
      const { src, read } = counting(bytes);
      const collector = new EvidenceCollector();
      const steps = readEvidenceSteps(collector, 'f', c.format, src, { records: 2048, bytes: c.every });
      const at: number[] = [];
      let r = steps.next();
      while (!r.done) {
        assert.equal(r.value.bytes, read(), 'a step says the bytes read so far');
        at.push(r.value.bytes);
        r = steps.next();
      }
      const total = read();
      // Steps all the way: from the start to the first, between two, and from the last to the end.
      const marks = [0, ...at, total];
      const gaps = marks.slice(1).map((m, i) => m - marks[i]);
      const most = c.every + c.unit;
      assert.ok(Math.max(...gaps) <= most, `${Math.max(...gaps)} bytes read without a step (at most ${most})`);
      assert.ok(at.length >= Math.floor(total / most), `${at.length} steps for ${total} bytes`);
      if (total > most) assert.ok(at.length > 0);
      // The result is the straight-through one, and the record-only reader's.
      const whole = new EvidenceCollector();
      const straight = readEvidenceFile(whole, 'f', c.format, bytesSource(bytes));
      assert.deepStrictEqual(r.value, straight);
      assert.deepStrictEqual(collector.files, whole.files);
      assert.equal(straight.records, c.records);
      const expected = c.problems;
      assert.deepStrictEqual(show(straight.problems), expected);
      const plain = recordOnly(c.format, bytes);
      assert.equal(plain.records, c.records);
      assert.deepStrictEqual(show(plain.problems), expected);
    });
  }
});

describe('the server reads a log file in steps through the same pause points', () => {
  const dir = fs.mkdtempSync(join(tmpdir(), 'relaylint-steps-bytes-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('an EVTX header and 16 MiB of zero-filled chunks on disk: a step every 4 MiB, the CLI result', () => {
    const file = join(dir, 'zeros.evtx');
    fs.writeFileSync(file, concat(header(), new Uint8Array(16 * MiB)));
    const steps = tryEvidenceSteps(new EvidenceCollector(), file, file, false);
    const at: number[] = [];
    let r = steps.next();
    while (!r.done) {
      at.push(r.value.bytes);
      r = steps.next();
    }
    // 4096 + 64 chunks of 64 KiB is the first point past 4 MiB, and so on every 4 MiB.
    assert.deepStrictEqual(at, [1, 2, 3, 4].map((k) => EVTX_HEADER_BLOCK + k * 64 * EVTX_CHUNK_SIZE));
    assert.deepStrictEqual(r.value, tryEvidence(new EvidenceCollector(), file, file, false));
    assert.deepStrictEqual(r.value?.problems, []);
    assert.equal(r.value?.records, 0);
  });
});
