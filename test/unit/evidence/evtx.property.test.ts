/**
 * Hostile EVTX input: mutated and truncated copies of real samples never make the reader throw,
 * and what it returns stays bounded (records no more than the bytes allow, problems capped).
 * Also the unit facts of the reader: FILETIME rendering, checksum reports, skipped damaged chunks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { filetimeToIso, readEvtx, type EvtxStats } from '../../../server/src/core/evidence/evtx';
import { readEventCsv } from '../../../server/src/core/evidence/event-csv';
import { readEventXml } from '../../../server/src/core/evidence/event-xml';
import { bytesSource, type EvidenceProblem } from '../../../server/src/core/evidence/types';
import { fixture } from '../../helpers/evidence';

const SMALL = fixture('Application_no_crc32.evtx');
/** Header and the first two chunks of security.evtx (CRCs present). */
const SEC = fixture('security.evtx').slice(0, 4096 + 2 * 65536);

function readAll(bytes: Uint8Array): { n: number; problems: EvidenceProblem[]; stats: EvtxStats } {
  const problems: EvidenceProblem[] = [];
  const stats: EvtxStats = { chunks: 0, damagedChunks: 0, records: 0, damagedRecords: 0 };
  let n = 0;
  for (const r of readEvtx(bytesSource(bytes), problems, stats)) {
    n++;
    assert.equal(typeof r.data.length, 'number');
  }
  return { n, problems, stats };
}

test('FILETIME renders with 7 fractional digits, as Windows writes it', () => {
  // 2016-07-08T18:12:51.6816408Z = 131124751716816408 ticks
  const t = 131124751716816408n;
  assert.equal(filetimeToIso(Number(t & 0xffffffffn), Number(t >> 32n)), '2016-07-08T18:12:51.6816408Z');
  assert.equal(filetimeToIso(0, 0), '1601-01-01T00:00:00.0000000Z');
  assert.equal(filetimeToIso(0xffffffff, 0xffffffff), undefined);
});

test('mutated EVTX bytes never throw; records and problems stay bounded', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(SMALL, SEC),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 64 }),
      (base, flips) => {
        const b = base.slice();
        for (const [pos, val] of flips) b[pos % b.length] = val;
        const r = readAll(b);
        assert.ok(r.n <= b.length / 28);
        assert.ok(r.problems.length <= 201);
      },
    ),
    { numRuns: 150, seed: 12 },
  );
});

test('mutations inside record data of a checksummed chunk are reported as a checksum problem', () => {
  const b = SEC.slice();
  b[4096 + 512 + 200] ^= 0xff;
  const r = readAll(b);
  assert.ok(r.problems.some((p) => p.offset === 4096 + 52 && /records checksum does not match/.test(p.message)));
});

test('truncated EVTX files never throw and keep the records before the cut', () => {
  fc.assert(
    fc.property(fc.constantFrom(SMALL, SEC), fc.nat(), (base, at) => {
      const b = base.subarray(0, at % (base.length + 1));
      const r = readAll(b);
      if (b.length < 8) assert.equal(r.problems[0]?.message.startsWith('Not an EVTX file') || r.problems[0]?.message.startsWith('The EVTX file is truncated'), true);
      assert.ok(r.problems.length <= 201);
    }),
    { numRuns: 150, seed: 7 },
  );
});

test('an EVTX file cut at a chunk boundary is truncated when its header counts more chunks than it holds (the stale headers of the samples count fewer)', () => {
  const full = fixture('security.evtx'); // header: 26 chunks; the file: 33 slots (26 valid, 7 empty)
  const truncation = (b: Uint8Array) => readAll(b).problems.filter((p) => p.message.startsWith('The EVTX file is truncated'));
  assert.deepEqual(truncation(SEC), [
    { severity: 'error', message: 'The EVTX file is truncated: its header counts 26 chunks, but the file ends at byte 135168, after 2; the events of the missing chunks were not read.', offset: 135168 },
  ]);
  assert.deepEqual(truncation(full.subarray(0, 4096)), [
    { severity: 'error', message: 'The EVTX file is truncated: its header counts 26 chunks, but the file ends at byte 4096, after 0; the events of the missing chunks were not read.', offset: 4096 },
  ]);
  assert.deepEqual(truncation(full.subarray(0, 4096 + 26 * 65536)), [], 'every chunk the header counts is there');
  assert.deepEqual(truncation(full), []);
  assert.equal(readAll(SMALL).problems.length, 0, 'the small sample is complete');
});

test('a damaged chunk is reported with its offset and skipped; the next chunk is read', () => {
  const b = SEC.slice();
  b.fill(0x41, 4096, 4096 + 8); // break the first chunk's signature
  const r = readAll(b);
  assert.deepEqual(r.problems[0], { severity: 'error', message: 'Damaged chunk at byte 4096: no chunk signature; its records were skipped.', offset: 4096 });
  assert.equal(r.stats.damagedChunks, 1);
  assert.equal(r.n, 177 - 91); // chunk 2 holds records 92–177
});

test('a file that is not EVTX is refused with a clear problem', () => {
  const r = readAll(new TextEncoder().encode('hello world, not a log'));
  assert.deepEqual(r.problems, [{ severity: 'error', message: 'Not an EVTX file: the file header signature "ElfFile" is missing.', offset: 0 }]);
});

test('random text given to the XML and CSV event readers never throws', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 2000 }), fc.constantFrom('<Event xmlns="x">', '"IPAddress","Port","User","BindType"\n', ''), (s, prefix) => {
      const bytes = new TextEncoder().encode(prefix + s);
      const p: EvidenceProblem[] = [];
      for (const r of readEventXml(bytesSource(bytes), p)) assert.ok(r);
      for (const r of readEventCsv(bytesSource(bytes), p)) assert.ok(r);
      assert.ok(p.length <= 400);
    }),
    { numRuns: 200, seed: 3 },
  );
});

test('the CSV and XML readers give the same events whatever the block size (fields and tags split across blocks)', () => {
  const field = fc.string({ maxLength: 12 }).map((s) => s.replace(/\r/g, ''));
  fc.assert(
    fc.property(fc.array(fc.tuple(field, field, field), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 9 }), (rows, block) => {
      const q = (s: string) => `"${s.replace(/"/g, '""')}"`;
      const csv = '"IPAddress","Port","User","BindType"\r\n' + rows.map((r) => r.map(q).join(',') + ',"Simple"').join('\r\n') + '\r\n';
      const bytes = new TextEncoder().encode(csv);
      const read = (b?: number) => {
        const p: EvidenceProblem[] = [];
        const recs = [...readEventCsv(bytesSource(bytes), p, { flavour: 'unknown' }, b)];
        return { recs: recs.map((r) => r.data), p };
      };
      assert.deepEqual(read(block), read());
      assert.equal(read().recs.length, rows.length);
      assert.deepEqual(
        read().recs.map((d) => d[1].value),
        rows.map((r) => r[2]),
      );
    }),
    { numRuns: 150, seed: 5 },
  );
  const xml = new TextEncoder().encode(
    '<Events>' +
      [1, 2, 3]
        .map(
          (i) =>
            `<Event xmlns="http://schemas.microsoft.com/win/2004/08/events/event"><System><EventID>2889</EventID><Channel>Directory Service</Channel><TimeCreated SystemTime="2026-11-0${i}T00:00:00Z"/></System><EventData><Data>10.0.0.${i}:1</Data><Data>u&amp;${i}</Data></EventData></Event>\r\n`,
        )
        .join('') +
      '</Events>',
  );
  const all = (b?: number) => [...readEventXml(bytesSource(xml), [], b)].map((r) => [r.timeMs, r.data, r.line]);
  for (let b = 1; b < 40; b += 3) assert.deepEqual(all(b), all());
  assert.equal(all().length, 3);
});
