/**
 * The event-log readers against the input of an audit (wave 18): EVTX templates that repeat
 * templates (a few KiB standing for billions of nodes), CSV rows too big to hold or too short to be
 * events, event XML that is not well-formed or has a DOCTYPE past its start, event times before any
 * Windows that writes these logs, clients past the per-rule cap, and events given twice.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bytesSource,
  detectEvidence,
  EvidenceCollector,
  readEvidenceFile,
  type EventRecord,
  type EvidenceFormat,
  type EvidenceProblem,
  type Readiness,
  type ReadinessOptions,
} from '../../../server/src/core/evidence';
import { readEventCsv } from '../../../server/src/core/evidence/event-csv';
import { readEventXml } from '../../../server/src/core/evidence/event-xml';
import { readEvtx, type EvtxStats } from '../../../server/src/core/evidence/evtx';
import { parseEventTime } from '../../../server/src/core/evidence/xnode';
import { readinessLine } from '../../../server/src/lsp/domain';
import { BinXml, eventElement, plainRecord, writeEvtx, type TestEvent } from '../../helpers/evtx-write';

const enc = new TextEncoder();
const NS = 'http://schemas.microsoft.com/win/2004/08/events/event';
const DS = 'Directory Service';
const DSP = 'Microsoft-Windows-ActiveDirectory_DomainService';
const HEADER = '"TimeCreated","LogName","ProviderName","Id","RecordId","MachineName","EventData"';
const show = (ps: readonly EvidenceProblem[]): string[] => ps.map((p) => `${p.severity}: ${p.message}`);

function judge(files: { path: string; text?: string; bytes?: Uint8Array }[], options: ReadinessOptions = {}, now?: number) {
  const c = new EvidenceCollector(now === undefined ? {} : { now });
  for (const f of files) {
    const src = bytesSource(f.bytes ?? enc.encode(f.text ?? ''));
    const format = detectEvidence(src, f.path);
    assert.ok(format, `${f.path} is recognised as an event export`);
    readEvidenceFile(c, f.path, format as EvidenceFormat, src);
  }
  return { files: c.files, readiness: c.judge(options) };
}

// --- 1. EVTX templates that hold many instances of the template below. ------------------------------

const TOO_COMPLEX =
  'reading its values would visit more than 500,000 nodes or give more than 1,048,576 characters: its templates repeat other templates too often, so the record is damaged or built to be too complex';

/** A 4624 whose WorkstationName holds an instance of template `levels`: each template holds `fan` instances of the one below. */
function nestedRecord(fan: number, levels: number, leaf: string, defs = new Map<number, number>()): (w: BinXml) => void {
  const instance = (w: BinXml, level: number): void =>
    w.instance(level, defs, (x) => {
      if (level === 0) x.elem('e', [], leaf ? [leaf] : []);
      else x.elem('g', [], [(y) => Array.from({ length: fan }, () => instance(y, level - 1))]);
    });
  const ev: TestEvent = { id: 4624, channel: 'Security', provider: 'Microsoft-Windows-Security-Auditing', time: '2026-01-01T00:00:00.0000000Z', computer: 'SRV1' };
  return (w) =>
    eventElement(w, ev, (x) =>
      x.elem('Data', [['Name', 'WorkstationName']], [(y) => instance(y, levels)]),
    );
}

const NESTED_CASES: { name: string; fan: number; levels: number; leaf: string; value?: string }[] = [
  { name: '300 instances a template, 4 deep, each leaf with text (ran out of memory)', fan: 300, levels: 4, leaf: 'x' },
  { name: '200 instances a template, 5 deep, empty leaves (ran for minutes a record)', fan: 200, levels: 5, leaf: '' },
  { name: '3 instances a template, 3 deep: read as before', fan: 3, levels: 3, leaf: 'x', value: 'x'.repeat(27) },
];

for (const c of NESTED_CASES) {
  test(`EVTX, templates of templates: ${c.name}`, { timeout: 60_000 }, () => {
    const next: TestEvent = { id: 2889, channel: DS, provider: DSP, time: '2026-01-01T00:00:00.0000000Z', data: [['', '10.0.0.1:1'], ['', 'a'], ['', '0']] };
    const bytes = writeEvtx([nestedRecord(c.fan, c.levels, c.leaf), plainRecord(next)]);
    const problems: EvidenceProblem[] = [];
    const stats: EvtxStats = { chunks: 0, damagedChunks: 0, records: 0, damagedRecords: 0 };
    const recs = [...readEvtx(bytesSource(bytes), problems, stats)];
    if (c.value === undefined) {
      assert.deepEqual(problems, [{ severity: 'error', message: `Record 1 at byte 4608 could not be decoded (${TOO_COMPLEX}); skipped.`, offset: 4608 }]);
      assert.deepEqual(stats, { chunks: 1, damagedChunks: 0, records: 1, damagedRecords: 1 });
      assert.deepEqual(
        recs.map((r) => [r.recordId, r.eventId]),
        [[2, 2889]],
      );
    } else {
      assert.deepEqual(problems, []);
      assert.deepEqual(
        recs.map((r) => [r.recordId, r.eventId, r.data.find((d) => d.name === 'WorkstationName')?.value]),
        [
          [1, 4624, c.value],
          [2, 2889, undefined],
        ],
      );
    }
  });
}

test('EVTX, templates of templates: small records that each refer to the costly template of the first are capped per chunk', { timeout: 60_000 }, () => {
  // Templates are chunk-relative: records 2 to 40 refer to record 1's definitions (a few hundred bytes each).
  const defs = new Map<number, number>();
  const bytes = writeEvtx(Array.from({ length: 40 }, () => nestedRecord(300, 4, 'x', defs)));
  const problems: EvidenceProblem[] = [];
  const stats: EvtxStats = { chunks: 0, damagedChunks: 0, records: 0, damagedRecords: 0 };
  const recs = [...readEvtx(bytesSource(bytes), problems, stats)];
  assert.equal(recs.length, 0);
  // Ten records spend 500,000 nodes each, then the chunk's 5,000,000 are spent.
  const offsets = problems.map((p) => p.offset as number);
  assert.deepEqual(
    problems.map((p) => p.message.replace(/ at byte \d+/g, ' at byte N')),
    [
      ...Array.from({ length: 10 }, (_, i) => `Record ${i + 1} at byte N could not be decoded (${TOO_COMPLEX}); skipped.`),
      'Chunk at byte N: its records would build and visit more than 5,000,000 nodes together (templates that repeat templates: damaged or built to be too complex); the records from record 11 at byte N on were skipped.',
    ],
  );
  assert.equal(offsets[0], 4608);
  assert.ok(problems[10].message.includes(`record 11 at byte ${offsets[10]} on`));
  assert.deepEqual(stats, { chunks: 1, damagedChunks: 0, records: 0, damagedRecords: 11 });
});

// --- 2 and 6. CSV rows too big to hold, and rows too short to be events. -----------------------------

const ROW = (id: number, line = '10.0.0.1:1') => `"2026-01-10T00:00:00.0000000Z","${DS}","NTDS LDAP","2889","${id}","DC01","{""Data[0]"":""${line}"",""Data[1]"":""a"",""Data[2]"":""0""}"`;
const BIG = (1 << 20) - 10;

const CSV_CASES: { name: string; text: () => string; problems: string[]; lines: number[] }[] = [
  {
    name: 'a row of 4 Mi commas between two events',
    text: () => `${HEADER}\n${ROW(1)}\n${','.repeat(1 << 22)}\n${ROW(2)}\n`,
    problems: ['error: Line 3 has more than 256 fields; the row was skipped.'],
    lines: [2, 4],
  },
  {
    name: 'a row of five 1 MiB quoted fields, a line break inside the first',
    text: () => `${HEADER}\n"a\nb${'y'.repeat(BIG)}"${`,"${'y'.repeat(BIG)}"`.repeat(4)},"",""\n${ROW(2)}\n`,
    problems: [`error: Line 2 has more than ${4 << 20} characters; the row was skipped.`],
    lines: [4],
  },
  {
    name: 'a row of 300 fields as the last line, without a line end',
    text: () => `${HEADER}\n${ROW(1)}\n${'"x",'.repeat(300)}"x"`,
    problems: ['error: Line 3 has more than 256 fields; the row was skipped.'],
    lines: [2],
  },
  {
    name: 'a header of 300 columns',
    text: () => `${'"TimeCreated",'.repeat(300)}"LogName"\n${ROW(1)}\n`,
    problems: ['error: The header on line 1 has more than 256 fields; this is not an event export relaylint reads, and nothing was read from it.'],
    lines: [],
  },
  {
    name: 'two rows of 2 of the 7 columns',
    text: () => `${HEADER}\n"2026-01-10T00:00:00Z","${DS}"\n${ROW(1)}\n"2026-01-11T00:00:00Z","${DS}"\n`,
    problems: ["warning: 2 rows have fewer fields than the header's 7 (the first on line 2, with 2); they were skipped and not counted as events."],
    lines: [3],
  },
  {
    name: 'a Query-InsecureLDAPBinds row of 2 of the 4 columns',
    text: () => 'IPAddress,Port,User,BindType\n10.0.0.1,389\n10.0.0.2,389,CORP\\bob,Simple\n',
    problems: ["warning: 1 row has fewer fields than the header's 4 (the first on line 2, with 2); it was skipped and not counted as events."],
    lines: [3],
  },
];

for (const c of CSV_CASES) {
  test(`CSV: ${c.name}`, () => {
    const problems: EvidenceProblem[] = [];
    const recs = [...readEventCsv(bytesSource(enc.encode(c.text())), problems)];
    assert.deepEqual(show(problems), c.problems);
    assert.deepEqual(
      recs.map((r) => r.line),
      c.lines,
    );
  });
}

test('CSV: a short row is not counted as an event of the file', () => {
  const { files } = judge([{ path: 'short.csv', text: `${HEADER}\n"2026-01-10T00:00:00Z","${DS}"\n` }]);
  assert.equal(files[0].records, 0);
  assert.deepEqual(show(files[0].problems), ["warning: 1 row has fewer fields than the header's 7 (the first on line 2, with 2); it was skipped and not counted as events."]);
});

// --- 3. Event XML that is not well-formed, and a DOCTYPE past the start. ----------------------------

const xmlEvent = (data: string, record = 1) =>
  `<Event xmlns="${NS}"><System><Provider Name="NTDS LDAP"/><EventID>2889</EventID><TimeCreated SystemTime="2026-01-01T00:00:00.0000000Z"/>` +
  `<EventRecordID>${record}</EventRecordID><Channel>${DS}</Channel><Computer>DC01</Computer></System><EventData>${data}</EventData></Event>`;
const GOOD = xmlEvent('<Data>10.0.0.9:1</Data><Data>ok</Data><Data>0</Data>', 9);

const XML_CASES: { name: string; text: string; block?: number; problems: string[]; records: number }[] = [
  {
    name: 'a mismatched end tag',
    text: `<Events>\n${xmlEvent('<Data>10.0.0.7:1</Dta><Data>x</Data><Data>0</Data>')}\n${GOOD}\n</Events>`,
    problems: ['error: The <Event> at line 2 is not well-formed XML (End tag </Dta> does not match any open element; it was ignored); it was skipped.'],
    records: 1,
  },
  {
    name: "a bare '&'",
    text: `<Events>\n${xmlEvent('<Data>10.0.0.7:1</Data><Data>CORP\\bob & co</Data><Data>0</Data>')}\n${GOOD}\n</Events>`,
    problems: ["error: The <Event> at line 2 is not well-formed XML (A bare '&' must be written as &amp;); it was skipped."],
    records: 1,
  },
  {
    name: 'a repeated attribute',
    text: `<Events>\n${xmlEvent('<Data>10.0.0.7:1</Data><Data>x</Data><Data a="1" a="2">0</Data>')}\n${GOOD}\n</Events>`,
    problems: ['error: The <Event> at line 2 is not well-formed XML (Attribute a is repeated; the first one is used); it was skipped.'],
    records: 1,
  },
  {
    name: 'an entity other than the five predefined',
    text: `<Events>\n${GOOD}\n${xmlEvent('<Data>10.0.0.1:1</Data><Data>&lol9;</Data><Data>0</Data>')}\n</Events>`,
    problems: ["error: The <Event> at line 3 is not well-formed XML (Entity reference &lol9; is not one of XML's five predefined entities; relaylint does not expand entities, so it was left as written); it was skipped."],
    records: 1,
  },
  {
    name: 'a DOCTYPE after 70,000 characters and an event',
    text: `<Events>\n${GOOD}\n${' '.repeat(70_000)}\n<!DOCTYPE x [<!ENTITY a "AAAA">]>${xmlEvent('<Data>10.0.0.1:1</Data><Data>&a;</Data><Data>0</Data>')}</Events>`,
    problems: ['error: The XML has a document type declaration (DOCTYPE) at line 4; relaylint refuses it and reads nothing from this file.'],
    records: 0,
  },
  {
    name: 'a DOCTYPE split across two text blocks',
    text: `<Events>\n${GOOD}\n<!DOC` + `TYPE x>${GOOD}</Events>`,
    block: GOOD.length + 14,
    problems: ['error: The XML has a document type declaration (DOCTYPE) at line 3; relaylint refuses it and reads nothing from this file.'],
    records: 0,
  },
];

for (const c of XML_CASES) {
  test(`event XML: ${c.name}`, () => {
    const problems: EvidenceProblem[] = [];
    const recs = [...readEventXml(bytesSource(enc.encode(c.text)), problems, c.block)];
    assert.deepEqual(show(problems), c.problems);
    assert.equal(recs.length, c.records);
    for (const r of recs) assert.equal(r.recordId, 9);
  });
}

// --- 4. Event times before any Windows that writes these logs. ---------------------------------------

const R2887 = `"${DS}","NTDS LDAP","2887","RID","DC01","{""Data[0]"":""0"",""Data[1]"":""0""}"`;
const csv2887 = (times: string[]) => [HEADER, ...times.map((t, i) => `"${t}",${R2887.replace('RID', String(i + 1))}`)].join('\n') + '\n';
const OLD = (where: string, time: string) =>
  `warning: ${where}: the event time ${time} is before 2000-01-01, older than any Windows that writes these logs, so it cannot be real; it does not place the readiness window (the event counts as inside it).`;
const SHORT_WHY = 'The logs cover less than the 30-day window (DC01: 1 days): export a longer period or wait before enforcing.';
const ev2887 = (time: string | undefined, recordId?: number): TestEvent => ({ id: 2887, channel: DS, provider: DSP, time, recordId, data: [['', '0'], ['', '0']] });

const OLD_CASES: { name: string; path: string; bytes: () => Uint8Array; problems: string[]; status: string; why?: string }[] = [
  {
    name: 'an EVTX record without TimeCreated and a zero FILETIME (1601-01-01)',
    path: 'short.evtx',
    bytes: () => writeEvtx([plainRecord(ev2887(undefined)), plainRecord(ev2887('2026-01-30T00:00:00.0000000Z')), plainRecord(ev2887('2026-01-31T12:00:00.0000000Z'))], [0n]),
    problems: [OLD('Record 1 at byte 4608', '1601-01-01T00:00:00.0000000Z')],
    status: 'window-short',
    why: SHORT_WHY,
  },
  {
    name: 'a CSV row at 1601-01-01',
    path: 'short.csv',
    bytes: () => enc.encode(csv2887(['1601-01-01T00:00:00.0000000Z', '2026-01-30T00:00:00.0000000Z', '2026-01-31T12:00:00.0000000Z'])),
    problems: [OLD('Line 2', '1601-01-01T00:00:00.0000000Z')],
    status: 'window-short',
    why: SHORT_WHY,
  },
  {
    name: 'a CSV row in year 1 (was read as 1901)',
    path: 'short.csv',
    bytes: () => enc.encode(csv2887(['0001-01-01T00:00:00Z', '2026-01-30T00:00:00.0000000Z', '2026-01-31T12:00:00.0000000Z'])),
    problems: [OLD('Line 2', '0001-01-01T00:00:00Z')],
    status: 'window-short',
    why: SHORT_WHY,
  },
  {
    name: 'a CSV row a second before 2000',
    path: 'short.csv',
    bytes: () => enc.encode(csv2887(['1999-12-31T23:59:59Z', '2026-01-30T00:00:00.0000000Z', '2026-01-31T12:00:00.0000000Z'])),
    problems: [OLD('Line 2', '1999-12-31T23:59:59Z')],
    status: 'window-short',
    why: SHORT_WHY,
  },
  {
    name: 'a CSV row at 2000-01-01, the first time taken as real',
    path: 'long.csv',
    bytes: () => enc.encode(csv2887(['2000-01-01T00:00:00Z', '2026-01-30T00:00:00.0000000Z', '2026-01-31T12:00:00.0000000Z'])),
    problems: [],
    status: 'ready',
  },
];

for (const c of OLD_CASES) {
  test(`event time before 2000: ${c.name}`, () => {
    const { files, readiness } = judge([{ path: c.path, bytes: c.bytes() }]);
    assert.deepEqual(show(files[0].problems), c.problems);
    assert.equal(files[0].records, 3);
    const r = readiness.find((x) => x.ruleId === 'ldap.server.signing');
    assert.equal(r?.status, c.status);
    if (c.why) assert.equal(r?.why, c.why);
    if (c.problems.length) assert.equal(files[0].from, '2026-01-30T00:00:00.000Z');
  });
}

test('parseEventTime: a year below 100 is that year, not 19xx', () => {
  const cases: [string, number | undefined][] = [
    ['0001-01-01T00:00:00Z', -62135596800000],
    ['0099-12-31T23:59:59Z', Date.parse('0099-12-31T23:59:59Z')],
    // Year 0 is a leap year (1900 is not): February 29 is a day of it.
    ['0000-02-29T00:00:00Z', Date.parse('0000-02-29T00:00:00Z')],
    ['1900-02-29T00:00:00Z', undefined],
    ['2026-01-30T00:00:00.5Z', Date.parse('2026-01-30T00:00:00.500Z')],
  ];
  for (const [s, ms] of cases) assert.equal(parseEventTime(s), ms, s);
});

test('EVTX: an event time later than the clock names its record and offset', () => {
  const bytes = writeEvtx([plainRecord({ ...ev2887('2900-01-01T00:00:00.0000000Z'), recordId: 5 })]);
  const { files } = judge([{ path: 'times.evtx', bytes }], {}, Date.parse('2026-06-01T00:00:00Z'));
  assert.deepEqual(files[0].problems, [
    {
      severity: 'warning',
      message:
        "Record 5 at byte 4608: the event time 2900-01-01T00:00:00.0000000Z is later than the scan's clock (2026-06-01T00:00:00.000Z) by more than a day, so it cannot be real; it does not place the readiness window (the event counts as inside it).",
      offset: 4608,
    },
  ]);
});

// --- 5. Clients past the per-rule cap are counted once each, in the window and scope. ---------------

const T = (day: number) => Date.parse(`2026-11-${String(day).padStart(2, '0')}T08:00:00Z`);
function bind(i: number, timeMs: number, computer = 'DC01'): EventRecord {
  return { eventId: 2889, channel: DS, provider: DSP, computer, timeMs, data: [{ name: 'Data[0]', value: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}:1` }, { name: 'Data[1]', value: 'a' }, { name: 'Data[2]', value: '0' }] };
}

function overflow(add: (c: EvidenceCollector, f: ReturnType<EvidenceCollector['begin']>) => void, options: ReadinessOptions = {}) {
  const c = new EvidenceCollector();
  const f = c.begin('x.xml', 'event-xml');
  // The log of both DCs covers the window.
  for (const dc of ['DC01', 'DC02']) {
    c.add(f, { eventId: 1, channel: DS, computer: dc, timeMs: T(1) - 2 * 86_400_000, data: [] });
    c.add(f, { eventId: 1, channel: DS, computer: dc, timeMs: T(30), data: [] });
  }
  add(c, f);
  return c.judge(options).filter((r) => r.ruleId === 'ldap.server.signing');
}

const OVERFLOW_CASES: { name: string; add: (c: EvidenceCollector, f: ReturnType<EvidenceCollector['begin']>) => void; options?: ReadinessOptions; want: { scope?: string; more?: number; atLeast?: true; why: string }[] }[] = [
  {
    name: '5,000 clients and one more seen 10 times: 5,001 clients, not 5,010',
    add: (c, f) => {
      for (let i = 0; i < 5000; i++) c.add(f, bind(i, T(10)));
      for (let k = 0; k < 10; k++) c.add(f, bind(5000, T(10)));
    },
    want: [{ more: 1, why: '5001 clients would fail' }],
  },
  {
    name: 'clients past the cap seen only before the window are not counted',
    add: (c, f) => {
      for (let i = 0; i < 5000; i++) c.add(f, bind(i, T(10)));
      for (let i = 5000; i < 5003; i++) c.add(f, bind(i, T(10)));
      for (let i = 5003; i < 5010; i++) c.add(f, bind(i, Date.parse('2026-09-01T00:00:00Z')));
    },
    want: [{ more: 3, why: '5003 clients would fail' }],
  },
  {
    name: 'clients past the cap are counted in the scope of the DC that saw them',
    add: (c, f) => {
      for (let i = 0; i < 5000; i++) c.add(f, bind(i, T(10)));
      for (let i = 5000; i < 5002; i++) c.add(f, bind(i, T(10), 'DC02'));
    },
    options: {
      scopes: [
        { name: 'one', servers: ['DC01'] },
        { name: 'two', servers: ['DC02'] },
      ],
    },
    want: [
      { scope: 'one', why: '5000 clients would fail' },
      { scope: 'two', more: 2, why: '2 clients would fail' },
    ],
  },
  {
    name: 'past 50,000 clients beyond the cap: at least',
    add: (c, f) => {
      for (let i = 0; i < 55_001; i++) c.add(f, bind(i, T(10)));
    },
    want: [{ more: 50_000, atLeast: true, why: 'at least 55000 clients would fail' }],
  },
];

for (const c of OVERFLOW_CASES) {
  test(`clients past the cap: ${c.name}`, () => {
    const rs = overflow(c.add, c.options);
    assert.deepEqual(
      rs.map((r) => ({
        ...(r.scope ? { scope: r.scope } : {}),
        ...(r.moreClients ? { more: r.moreClients } : {}),
        ...(r.moreClientsAtLeast ? { atLeast: r.moreClientsAtLeast } : {}),
        why: r.why.replace(/ now.*/, ''),
      })),
      c.want.map((w) => ({ ...w, why: w.why + ' if this were enforced' })),
    );
    for (const r of rs) assert.equal(r.status, 'blocked');
  });
}

test('clients past the cap: the editor\'s readiness line says "at least", and lists no names where none is listed', () => {
  const [all] = overflow((c, f) => {
    for (let i = 0; i < 55_001; i++) c.add(f, bind(i, T(10)));
  });
  assert.match(readinessLine(all), /^\*\*Readiness:\*\* Enforcing this now would break at least 55000 clients seen in the logs \(10\.0\.\d+\.\d+, 10\.0\.\d+\.\d+, 10\.0\.\d+\.\d+, …\)\.$/);
  const rs = overflow(
    (c, f) => {
      for (let i = 0; i < 5000; i++) c.add(f, bind(i, T(10)));
      for (let i = 5000; i < 5002; i++) c.add(f, bind(i, T(10), 'DC02'));
    },
    { scopes: [{ name: 'two', servers: ['DC02'] }] },
  );
  assert.equal(readinessLine(rs[0]), '**Readiness:** Enforcing this now would break 2 clients seen in the logs.');
});

// --- 7. The same events given twice are counted once. -----------------------------------------------

const DUP_WARN = (n: number) =>
  `warning: ${n} event${n === 1 ? '' : 's'} of this file ${n === 1 ? 'was' : 'were'} read already (same computer, log, record id and time: the same export given twice, or an EVTX and its own XML export); ${n === 1 ? 'the duplicate was' : 'the duplicates were'} dropped, so each event counts once.`;

const SPAN = `${xmlEvent('', 100).replace('2026-01-01T00:00:00', '2025-11-20T00:00:00').replace('<EventID>2889', '<EventID>1')}`;
const XML2 = `<Events>\n${SPAN}\n${xmlEvent('<Data>10.0.0.7:1</Data><Data>bob</Data><Data>0</Data>', 7)}\n${xmlEvent('<Data>10.0.0.7:1</Data><Data>bob</Data><Data>0</Data>', 8)}\n</Events>\n`;
const CSV2 = `${HEADER}\n${ROW(7, '10.0.0.7:1').replace('2026-01-10T00:00:00', '2026-01-01T00:00:00')}\n${ROW(8, '10.0.0.7:1').replace('2026-01-10T00:00:00', '2026-01-01T00:00:00')}\n`;
const EVTX2 = () =>
  writeEvtx(
    [7, 8].map((id) => plainRecord({ id: 2889, channel: DS, provider: 'NTDS LDAP', time: '2026-01-01T00:00:00.0000000Z', recordId: id, data: [['', '10.0.0.7:1'], ['', 'bob'], ['', '0']] })),
  );
const NO_ID_CSV = `${HEADER}\n${ROW(1).replace('"2889","1"', '"2889",""')}\n`;

const DUP_CASES: { name: string; files: { path: string; text?: string; bytes?: () => Uint8Array }[]; events: number; problems: string[][] }[] = [
  { name: 'one XML export given twice', files: [{ path: 'a.xml', text: XML2 }, { path: 'b.xml', text: XML2 }], events: 2, problems: [[], [DUP_WARN(2)]] },
  { name: 'an EVTX and its own XML export', files: [{ path: 'a.evtx', bytes: EVTX2 }, { path: 'b.xml', text: XML2 }], events: 2, problems: [[], [DUP_WARN(2)]] },
  { name: 'one recipe CSV given twice, and the same events as XML', files: [{ path: 'a.csv', text: CSV2 }, { path: 'b.csv', text: CSV2 }, { path: 'c.xml', text: XML2 }], events: 2, problems: [[], [DUP_WARN(2)], [DUP_WARN(2)]] },
  {
    name: 'the same record ids at other times are other events',
    files: [{ path: 'a.xml', text: XML2 }, { path: 'b.xml', text: XML2.replace(/2026-01-01T00:00:00/g, '2026-01-02T00:00:00') }],
    events: 4,
    problems: [[], []],
  },
  { name: 'recipe rows without a record id cannot be told apart: counted twice', files: [{ path: 'a.csv', text: NO_ID_CSV }, { path: 'b.csv', text: NO_ID_CSV }], events: 2, problems: [[], []] },
];

for (const c of DUP_CASES) {
  test(`duplicates: ${c.name}`, () => {
    const { files, readiness } = judge(c.files.map((f) => ({ path: f.path, text: f.text, bytes: f.bytes?.() })));
    assert.deepEqual(
      files.map((f) => show(f.problems)),
      c.problems,
    );
    const r = readiness.find((x) => x.ruleId === 'ldap.server.signing');
    assert.equal(
      r?.clients.reduce((n, x) => n + x.events, 0),
      c.events,
    );
  });
}

test('past 200 problems in one file the rest are counted in one warning, in every reader (the CSV and XML readers dropped them unsaid)', () => {
  const more = 'warning: 50 more problems are not listed; at most 200 are listed per file.';
  // CSV: 250 rows of more than 256 fields, each an error.
  const wide = `${','.repeat(300)}`;
  const csv = [HEADER, ...Array.from({ length: 250 }, () => wide)].join('\r\n');
  const cp: EvidenceProblem[] = [];
  Array.from(readEventCsv(bytesSource(enc.encode(csv)), cp));
  assert.equal(cp.length, 201);
  assert.equal(show(cp)[0], 'error: Line 2 has more than 256 fields; the row was skipped.');
  assert.equal(show(cp)[200], more);
  // XML: 250 events that are not well-formed, each an error.
  const bad = `<Event xmlns="${NS}"><System><EventID>2889</EventID></System><EventData><Data>x</Dta></EventData></Event>`;
  const xp: EvidenceProblem[] = [];
  Array.from(readEventXml(bytesSource(enc.encode(`<Events>\n${Array.from({ length: 250 }, () => bad).join('\n')}\n</Events>\n`)), xp));
  assert.equal(xp.length, 201);
  assert.match(show(xp)[0], /^error: The <Event> at line 2 is not well-formed XML \(.*\); it was skipped\.$/);
  assert.equal(show(xp)[200], more);
  // Events found and all skipped: each said why; not "no <Event> element was found" as well.
  const few: EvidenceProblem[] = [];
  Array.from(readEventXml(bytesSource(enc.encode(`<Events>\n${bad}\n</Events>\n`)), few));
  assert.deepEqual(show(few), ["error: The <Event> at line 2 is not well-formed XML (End tag </Dta> does not match any open element; it was ignored); it was skipped."]);
});

test("the editor's readiness line Markdown-escapes client and server names and the why, which come from the logs", () => {
  const host = 'WS`` [x](command:foo) ``';
  const blocked = { ruleId: 'ntlm.lmcompat', status: 'blocked', clients: [{ host, events: 1 }], servers: [], why: '', window: { days: 30 } } as unknown as Readiness;
  assert.equal(readinessLine(blocked), '**Readiness:** Enforcing this now would break 1 client seen in the logs (WS\\`\\` \\[x\\](command:foo) \\`\\`).');
  const ready = { ...blocked, status: 'ready', clients: [], servers: ['DC<b>[y](https://evil.example).corp.example'] } as unknown as Readiness;
  assert.equal(readinessLine(ready), '**Readiness:** Ready: no failing client in 30 days of logs from DC\\<b\\>\\[y\\](https://evil.example).corp.example.');
  const other = { ...blocked, status: 'no-evidence', why: `No log from ${host}.` } as unknown as Readiness;
  assert.equal(readinessLine(other), '**Readiness (no-evidence):** No log from WS\\`\\` \\[x\\](command:foo) \\`\\`.');
});
