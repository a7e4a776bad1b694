/**
 * SharpHound computers.json read as a stream (core/topology/computers-stream.ts): the same part as
 * the file read whole (`readSharpHound(JSON.parse(text))`) whatever the pieces, every byte checked
 * against JSON's grammar, and its limits said; then the CLI's paths (io/topology.ts: a loose file,
 * `streamComputers` over io/safe-fs.ts `streamRegular`; a zip entry, `streamZipEntry`), and the
 * editor's refusal with its advice (`loadTopologyAsync`).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, test } from 'node:test';
import { ComputersStream } from '../../../server/src/core/topology/computers-stream';
import { ComputerList, computerText, isSharpHound, isTopologyType, LoadComputers, readSharpHound } from '../../../server/src/core/topology/sharphound';
import { LIMITS } from '../../../server/src/core/limits';
import { readTopologyInput, type TopologyPart } from '../../../server/src/core/topology';
import type { TopoComputer } from '../../../server/src/core/topology/model';
import { loadTopology, loadTopologyAsync, streamComputers, streamZipEntry } from '../../../server/src/io/topology';
import { streamRegular } from '../../../server/src/io/safe-fs';
import { seededRandom } from '../../helpers/rng';
import { zip } from '../../helpers/domain';
import { deflateRawSync } from 'node:zlib';
import { tempDir } from '../../helpers/cli';

const SOURCE = 'c.json';

/** Each part's computer count and problems, as `severity: message`. */
const parts1 = (x: TopologyPart[] | undefined) => x?.map((q) => [q.computers?.length, q.problems.map((y) => `${y.severity}: ${y.message}`)]);

/** The text streamed in pieces cut at `cuts` (byte offsets). */
function streamed(bytes: Uint8Array, cuts: number[] = []): TopologyPart | undefined {
  const s = new ComputersStream(SOURCE);
  let from = 0;
  for (const at of [...cuts, bytes.length]) {
    s.push(bytes.subarray(from, at));
    from = at;
  }
  return s.end();
}

/**
 * What the file read whole gives: the part of a computers file or of a SharpHound type the topology
 * does not come from (skipped, with its warning); undefined when it is not SharpHound, is one of
 * the types read whole only (ous, domains, gpos) or its meta.type is not a string; 'invalid' when
 * JSON.parse refuses it.
 */
function whole(text: string): TopologyPart | undefined | 'invalid' {
  let doc: unknown;
  try {
    doc = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    return 'invalid';
  }
  // A meta.type that is not a string (read whole, String() of it is the type): the stream does not read the file as SharpHound's.
  if (!isSharpHound(doc) || (doc.meta.type !== undefined && typeof doc.meta.type !== 'string')) return undefined;
  const type = String(doc.meta.type ?? '').toLowerCase();
  if (type !== 'computers' && isTopologyType(type)) return undefined;
  return readSharpHound(doc, SOURCE);
}

/** The stream's error message, or undefined when it read the text. */
const errorOf = (p: TopologyPart | undefined) => (p?.problems.find((x) => x.severity === 'error')?.message);

/** Every way of cutting `text` in two, and in pieces of one byte: all agree with the text read whole. */
function assertSameEverywhere(text: string, label: string) {
  const bytes = Buffer.from(text, 'utf8');
  const want = whole(text);
  assert.notEqual(want, 'invalid', `${label}: the case must be valid JSON`);
  for (let cut = 0; cut <= bytes.length; cut++) assert.deepEqual(streamed(bytes, [cut]), want, `${label}, cut at ${cut}`);
  assert.deepEqual(
    streamed(bytes, Array.from({ length: bytes.length }, (_, i) => i)),
    want,
    `${label}, one byte at a time`,
  );
}

const meta = '"meta":{"methods":46067,"type":"computers","count":2,"version":6}';

describe('the stream reads what the whole file gives', () => {
  const cases: [string, string][] = [
    [
      'the three placements and four names (§2.7 fields), ACEs and other properties passed over',
      `{"data":[{"ObjectIdentifier":"S-1-5-21-1-2-3-1201","Properties":{"name":"FS01.CORP.EXAMPLE","dnshostname":"fs01.corp.example","operatingsystem":"Windows Server 2022","lastlogon":1733400000,"enabled":true,"serviceprincipalnames":["HOST/fs01"],"x":null},"ContainedBy":{"ObjectIdentifier":"ab000000-0000-4000-8000-000000000001","ObjectType":"OU"},"Aces":[{"PrincipalSID":"S-1-5-32-544","RightName":"Owns","IsInherited":false}]},` +
        `{"ObjectIdentifier":"S-1-5-21-1-2-3-1202","Properties":{"name":"FS02@CORP.EXAMPLE"}},` +
        `{"ObjectIdentifier":"S-1-5-21-1-2-3-1203","Properties":{"distinguishedname":"CN=WEB01,OU=WEB,OU=SERVERS,DC=CORP,DC=EXAMPLE"}},` +
        `{"ObjectIdentifier":"S-1-5-21-1-2-3-1204","Properties":{}},` +
        `{"ObjectIdentifier":"S-1-5-21-1-2-3-1205","Properties":{"name":"GONE"},"IsDeleted":true},{"Properties":{}}],${meta}}`,
    ],
    [
      'escapes in keys and values, as JSON.parse reads them (surrogate pairs, a lone surrogate, \\/ and \\")',
      `{"d\\u0061ta":[{"Object\\u0049dentifier":"S-1-5-21-9","Propert\\u0069es":{"n\\u0061me":"FS\\u00301 \\ud83d\\ude00 \\ud800 a\\/b \\"q\\" \\\\ \\t"},"ContainedBy":{"ObjectIdentifier":"\\u0061b"}}],"meta":{"type":"comp\\u0075ters"}}`,
    ],
    [
      'a key given twice counts with its last value (Properties, name, ContainedBy, IsDeleted, data, meta, type)',
      `{"data":[{"ObjectIdentifier":"OLD"}],"data":[{"ObjectIdentifier":"S-1","ObjectIdentifier":"S-2","Properties":{"name":"A"},"Properties":{"dnshostname":"b.corp"},"ContainedBy":{"ObjectIdentifier":"X"},"ContainedBy":[1],"IsDeleted":true,"IsDeleted":false},` +
        `{"ObjectIdentifier":"S-3","Properties":{"name":"C","name":5}},{"ObjectIdentifier":"S-4","IsDeleted":false,"IsDeleted":true}],"meta":{"type":"users"},"meta":{"type":"x","type":"Computers"}}`,
    ],
    [
      'items that are not objects, fields that are not strings, and the same key names deeper down are passed over',
      `{"data":[5,"x",null,[{"ObjectIdentifier":"NOT-AN-ITEM"}],true,{"ObjectIdentifier":7,"Properties":[{"name":"deep"}],"ContainedBy":"S-1","IsDeleted":"true","Aces":[{"ObjectIdentifier":"ACE","Properties":{"name":"no"},"ContainedBy":{"ObjectIdentifier":"no"}}]},` +
        `{"ObjectIdentifier":"S-5","Properties":{"name":{"name":"deep"},"dnshostname":null,"distinguishedname":["CN=X"]},"ContainedBy":null}],${meta}}`,
    ],
    [
      'whitespace of all four kinds, a byte order mark, numbers of every form, UTF-8 of two to four bytes',
      `\uFEFF \r\n\t{ "data" :\n[ { "ObjectIdentifier" : "S-6" , "n" : [ -0 , 0.5 , 1e5 , -1.25E-3 , 12345678901234567890 , 0e+0 ] , "Properties" : { "name" : "é中😀" } } ] , ${meta} } \n`,
    ],
    ['an empty data array', `{"data":[],${meta}}`],
    ['a key longer than any relaylint reads, in an item', `{"data":[{"${'k'.repeat(5000)}":"v","ObjectIdentifier":"S-7"}],${meta}}`],
  ];
  for (const [label, text] of cases) test(label, () => assertSameEverywhere(text, label));

  test('the first case, read: computers in data order with their identifiers, and the unnamed entry counted', () => {
    const p = streamed(Buffer.from(cases[0][1]));
    assert.deepEqual(
      p?.computers?.map((c) => [c.name, c.dn, c.objectId, c.containerId]),
      [
        ['fs01.corp.example', '', 'S-1-5-21-1-2-3-1201', 'AB000000-0000-4000-8000-000000000001'],
        ['FS02', '', 'S-1-5-21-1-2-3-1202', undefined],
        ['WEB01', 'CN=WEB01,OU=WEB,OU=SERVERS,DC=CORP,DC=EXAMPLE', 'S-1-5-21-1-2-3-1203', undefined],
        ['S-1-5-21-1-2-3-1204', '', 'S-1-5-21-1-2-3-1204', undefined],
      ],
    );
    assert.deepEqual(p?.problems, [{ source: SOURCE, severity: 'warning', message: '1 computers.json entry has no name, distinguishedname or ObjectIdentifier; skipped.' }]);
  });

  test('valid JSON that is not a SharpHound computers file gives nothing (the caller says it was not read); another SharpHound type is skipped with its warning, as read whole', () => {
    for (const type of ['users', 'Groups', '']) {
      const text = `{"data":[{"Properties":{"name":"U1"}}],"meta":{"type":"${type}"}}`;
      assert.deepEqual(streamed(Buffer.from(text)), whole(text), text);
      assert.deepEqual([streamed(Buffer.from(text))?.skippedType, streamed(Buffer.from(text))?.computers], [type.toLowerCase() || '?', undefined], text);
    }
    // An array for meta: read whole it passes as SharpHound's (skipped, type "?"); the stream does not take it as SharpHound's (the caller's error).
    assert.equal(streamed(Buffer.from('{"data":[],"meta":[]}')), undefined);
    for (const text of ['{"data":[],"meta":{"type":"ous"}}', '{"data":{},"meta":{"type":"computers"}}', '{"data":[]}', '[1,2]', '5', ' "x" ', 'null', '{"data":[],"meta":{"type":5}}']) {
      assert.equal(whole(text), undefined, text);
      assert.equal(streamed(Buffer.from(text)), undefined, text);
    }
  });
});

describe('what the stream refuses, with where', () => {
  const cases: [string, string | Uint8Array, string][] = [
    ['the text ends inside the data', '{"data":[{"ObjectIdentifier":"S-1"}', 'the text ends before its JSON value is complete'],
    ['an empty file', '', 'the file is empty'],
    ['only whitespace', ' \n', 'the text ends before its JSON value is complete'],
    ['a trailing comma', '{"data":[1,],"meta":{}}', 'a value expected at byte 11'],
    ['a comma missing', '{"data":[1 2]}', '"," or "]" expected at byte 11'],
    ['a key that is not a string', '{data:[]}', 'a key (a string) expected at byte 1'],
    ['no colon', '{"data" []}', '":" expected after a key at byte 8'],
    ['a close that does not match', '{"data":[}', 'a value expected at byte 9'],
    ['a second close', '{"data":[]]}', '"," or "}" expected at byte 10'],
    ['text after the value', '{"data":[],"meta":{}} x', 'text after the end of the JSON value at byte 22'],
    ['a leading zero', '{"n":01}', '"," or "}" expected at byte 6'],
    ['an incomplete number', '{"n":-}', 'an incomplete number at byte 6'],
    ['an exponent without digits', '{"n":1e}', 'an incomplete number at byte 7'],
    ['a misspelt literal', '{"n":tru}', 'an invalid literal at byte 8'],
    ['an invalid escape', '{"n":"\\x"}', 'an invalid escape in a string at byte 7'],
    ['an incomplete \\u escape', '{"n":"\\u12g4"}', 'an invalid \\u escape in a string at byte 10'],
    ['a raw control character in a string', '{"n":"a\tb"}', 'a control character inside a string at byte 7'],
    ['a byte that is not UTF-8', Buffer.from([...Buffer.from('{"n":"'), 0xff, ...Buffer.from('"}')]), 'invalid UTF-8 at byte 6'],
    ['an overlong form', Buffer.from([...Buffer.from('{"n":"'), 0xc0, 0x80, ...Buffer.from('"}')]), 'invalid UTF-8 at byte 6'],
    ['an encoded surrogate', Buffer.from([...Buffer.from('{"n":"'), 0xed, 0xa0, 0x80, ...Buffer.from('"}')]), 'invalid UTF-8 at byte 7'],
    ['a sequence cut by the quote', Buffer.from([...Buffer.from('{"n":"'), 0xe4, 0xb8, ...Buffer.from('"}')]), 'invalid UTF-8 at byte 8'],
    ['UTF-16 (a byte order mark FF FE)', Buffer.from('\uFEFF{}', 'utf16le'), 'a value expected at byte 0'],
    ['nesting past 64 levels', `{"data":${'['.repeat(64)}${']'.repeat(64)}}`, 'nesting deeper than 64 levels at byte 71'],
    ['a name longer than 4,096 bytes', `{"data":[{"Properties":{"name":"${'a'.repeat(5000)}"}}],${meta}}`, 'a value relaylint reads longer than 4096 bytes at byte 4128'],
  ];
  for (const [label, input, why] of cases) {
    test(label, () => {
      const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : input;
      const want = `Read as a stream (larger than ${LIMITS.maxFileBytes} bytes): ${why}; no computer was read from it.`;
      // The same message whatever the pieces: whole, cut in two everywhere, a byte at a time.
      for (let cut = 0; cut <= bytes.length; cut++) {
        const p = streamed(bytes, [cut]);
        assert.deepEqual(p?.problems, [{ source: SOURCE, severity: 'error', message: want }], `cut at ${cut}`);
        assert.deepEqual([p?.computers, p?.soms, p?.gpcs], [undefined, [], []]);
      }
      assert.equal(errorOf(streamed(bytes, Array.from({ length: bytes.length }, (_, i) => i))), want);
      // JSON.parse refuses the same texts (those within the stream's own limits).
      if (!/deeper than|longer than|is empty|UTF-8|UTF-16/.test(why)) assert.equal(whole(Buffer.from(bytes).toString('utf8')), 'invalid');
    });
  }

  test('random damage: the stream refuses a text exactly when JSON.parse does, and otherwise reads the same', () => {
    const rnd = seededRandom(20261207);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
    const names = ['FS01.CORP.EXAMPLE', 'a@b', 'CN=X\\,Y,OU=Z,DC=corp,DC=example', ' sp ', '', 'é中😀', '\\u0041', '\\"'];
    const item = () => {
      const props = [`"name":"${pick(names)}"`, `"dnshostname":"${pick(names)}"`, `"distinguishedname":"${pick(names)}"`, '"enabled":true', '"n":-1.5e3'].filter(() => rnd() < 0.6);
      const keys = [`"ObjectIdentifier":"S-1-${Math.floor(rnd() * 1e4)}"`, `"Properties":{${props.join(',')}}`, `"ContainedBy":{"ObjectIdentifier":"${pick(names)}"}`, `"IsDeleted":${pick(['true', 'false', 'null'])}`, '"Aces":[{"RightName":"Owns"},[]]'];
      return `{${keys.filter(() => rnd() < 0.7).join(',')}}`;
    };
    const tokens = ['{', '}', '[', ']', ',', ':', '"', '\\', '0', '-', 'e', 't', ' ', '\n', '"data"', 'null'];
    let compared = 0;
    let refused = 0;
    for (let n = 0; n < 600; n++) {
      let text = `{"data":[${Array.from({ length: 1 + Math.floor(rnd() * 4) }, item).join(',')}],"meta":{"type":"${pick(['computers', 'Computers', 'users'])}"}}`;
      // One to three edits: delete a byte, insert a token, or cut the end.
      for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) {
        const at = Math.floor(rnd() * (text.length + 1));
        const op = rnd();
        text = op < 0.4 ? text.slice(0, at) + text.slice(at + 1) : op < 0.9 ? text.slice(0, at) + pick(tokens) + text.slice(at) : text.slice(0, at);
      }
      const want = whole(text);
      const bytes = Buffer.from(text, 'utf8');
      const got = streamed(bytes, [Math.floor(rnd() * (bytes.length + 1))].sort((a, b) => a - b));
      if (want === 'invalid') {
        refused++;
        assert.ok(errorOf(got), `refused by JSON.parse, not by the stream: ${text}`);
      } else assert.deepEqual(got, want, text);
      compared++;
    }
    assert.equal(compared, 600);
    // Both kinds were tried in numbers.
    assert.ok(refused > 150 && refused < 550, `${refused} of 600 damaged texts invalid`);
  });

  test(`past ${LIMITS.maxComputersPerFile} computers the rest are counted and said, as when the file is read whole`, () => {
    const n = LIMITS.maxComputersPerFile + 3;
    const text = `{"data":[${Array.from({ length: n }, (_, i) => `{"ObjectIdentifier":"S-${i}"}`).join(',')}],${meta}}`;
    const got = streamed(Buffer.from(text), [1 << 20, 2 << 20]);
    assert.equal(got?.computers?.length, LIMITS.maxComputersPerFile);
    assert.equal(got?.computers?.at(-1)?.name, `S-${LIMITS.maxComputersPerFile - 1}`);
    assert.deepEqual(got?.problems, [
      { source: SOURCE, severity: 'warning', message: `The file names more than ${LIMITS.maxComputersPerFile} computers; the 3 after them were not placed in a scope (their event-log clients count toward no OU).` },
    ]);
    assert.deepEqual(whole(text), got);
  });
});

/** A file of `data` written in `dir`, by its path. */
function writer(dir: string): (name: string, data: string | Uint8Array) => string {
  return (name, data) => {
    const p = path.join(dir, name);
    fs.writeFileSync(p, data);
    return p;
  };
}

describe('the loose file: streamComputers and streamRegular', () => {
  const dir = tempDir('relaylint-cstream-');
  const file = writer(dir);
  const text = `{"data":[{"ObjectIdentifier":"S-1","Properties":{"name":"FS01@CORP.EXAMPLE"}}],${meta}}`;

  test('a computers file is read in pieces (chunks of 7 bytes here) and gives its computers', () => {
    const p = file('c.json', text);
    const pieces: number[] = [];
    const s = new ComputersStream('c.json');
    const r = streamRegular(p, 1 << 20, () => true, (b) => (pieces.push(b.length), s.push(b), true), { chunkBytes: 7 });
    assert.deepEqual(r, { kind: 'ok', bytes: text.length });
    assert.equal(pieces.reduce((a, b) => a + b, 0), text.length);
    assert.ok(pieces.slice(0, -1).every((x) => x === 7));
    assert.deepEqual(s.end()?.computers?.map((c) => c.name), ['FS01']);
    assert.deepEqual(streamComputers(p, 'c.json')?.map((x) => x.computers?.map((c) => c.name)), [['FS01']]);
  });

  test('the tail decides: a file whose end does not name the computers type is not read (undefined)', () => {
    let asked: string | undefined;
    const p = file('u.json', '{"data":[],"meta":{"type":"users"}}');
    assert.deepEqual(streamRegular(p, 1 << 20, (t) => ((asked = Buffer.from(t).toString()), false), () => assert.fail('read')), { kind: 'declined' });
    assert.equal(asked, '{"data":[],"meta":{"type":"users"}}');
    assert.equal(streamComputers(p, 'u.json'), undefined);
    assert.equal(streamComputers(file('z.json', Buffer.alloc(10_000)), 'z.json'), undefined);
  });

  test('a file whose end says computers but that is damaged is an error (fail closed), named with the byte', () => {
    const p = file('d.json', text.replace('"S-1"', '"S-1" "x"'));
    assert.deepEqual(streamComputers(p, 'd.json')?.flatMap((x) => x.problems), [
      { source: 'd.json', severity: 'error', message: `Read as a stream (larger than ${LIMITS.maxFileBytes} bytes): "," or "}" expected at byte 35; no computer was read from it.` },
    ]);
    const q = file('e.json', `{"data":{"x":1},${meta}}`);
    assert.deepEqual(streamComputers(q, 'e.json')?.flatMap((x) => x.problems).map((x) => [x.severity, x.message]), [
      ['error', `Its end names SharpHound's computers type, but read as a stream (larger than ${LIMITS.maxFileBytes} bytes) it is not a SharpHound computers file ({"data":[…],"meta":{"type":"computers"}}); no computer was read from it.`],
    ]);
  });

  test('the same checks as readRegular: a FIFO is refused without blocking, a file over the limit is not opened for reading', () => {
    const fifo = path.join(dir, 'pipe.json');
    execFileSync('mkfifo', [fifo]);
    assert.deepEqual(streamRegular(fifo, 1 << 20, () => true, () => assert.fail('read')), { kind: 'not-regular', what: 'a named pipe (FIFO)' });
    assert.deepEqual(streamComputers(fifo, 'pipe.json')?.flatMap((x) => x.problems).map((x) => x.message), ['The file could not be read: a named pipe (FIFO), not a regular file.']);
    const big = file('big.json', text);
    assert.deepEqual(streamRegular(big, 10, () => assert.fail('tail'), () => assert.fail('read')), { kind: 'too-large', size: text.length });
  });
});

describe('audit wave 18: the stream judged as the file read whole, stopped at a refusal, bounded in memory', () => {
  const dir = tempDir('relaylint-cstream-w18-');
  const file = writer(dir);

  test('a streamed file that yields no computer is the same "nothing read" error as read whole; another SharpHound type its warning', () => {
    const judge = (text: string) => {
      const p = file('n.json', text);
      const read = readTopologyInput('n.json', fs.readFileSync(p), { explicit: true });
      assert.deepEqual(parts1(streamComputers(p, 'n.json')), parts1(read), text);
      return parts1(read);
    };
    const nothing = 'error: No domain, OU or site was read from n.json: its data holds no entry relaylint reads (an OU or domain with a distinguishedname, a GPO, a computer).';
    assert.deepEqual(judge(`{"data":[],${meta}}`), [[undefined, [nothing]], [0, []]]);
    assert.deepEqual(judge(`{"data":[{"Properties":{}},{"IsDeleted":true,"ObjectIdentifier":"S-1"}],${meta}}`), [
      [undefined, [nothing]],
      [0, ['warning: 1 computers.json entry has no name, distinguishedname or ObjectIdentifier; skipped.']],
    ]);
    // Its end says users (so the stream was not asked for by the tail): read because its name says computers.
    assert.deepEqual(
      parts1(streamComputers(file('20261206101500_computers.json', '{"data":[],"meta":{"type":"users"}}'), '20261206101500_computers.json')),
      [[undefined, ['warning: This SharpHound file is of type "users"; the topology comes from the ous, domains, gpos and computers files. It was skipped.']]],
    );
  });

  test('the read stops at the first refused byte (no read past the piece that holds it)', () => {
    const p = path.join(dir, 'r.json');
    const fd = fs.openSync(p, 'w');
    fs.writeSync(fd, '{"data":[x');
    fs.writeSync(fd, Buffer.alloc(20 * 1024 * 1024, 0x20));
    fs.writeSync(fd, `],${meta}}`);
    fs.closeSync(fd);
    // The bytes read, counted on node:fs itself (what safe-fs calls).
    const nodeFs = createRequire(__filename)('node:fs') as { readSync: typeof fs.readSync };
    let read = 0;
    const real = nodeFs.readSync;
    nodeFs.readSync = ((...a: Parameters<typeof fs.readSync>) => {
      const n = real(...a);
      read += n;
      return n;
    }) as typeof fs.readSync;
    let got: TopologyPart[] | undefined;
    try {
      got = streamComputers(p, 'r.json');
    } finally {
      nodeFs.readSync = real;
    }
    assert.deepEqual(parts1(got), [[undefined, [`error: Read as a stream (larger than ${LIMITS.maxFileBytes} bytes): a value expected at byte 9; no computer was read from it.`]]]);
    // The 4 KB tail, then the first 4 MiB piece: not the other 16 MiB.
    assert.equal(read, 4096 + 4 * 1024 * 1024);
    let pieces = 0;
    assert.deepEqual(streamRegular(p, 1 << 30, () => true, () => (pieces++, pieces < 2), { chunkBytes: 1024 }), { kind: 'ok', bytes: 2048 });
  });

  test('ComputerList: the computers of one file held to a count and to the text they hold, the rest counted and said (both readers)', () => {
    const c = (name: string): TopoComputer => ({ dn: '', name, source: 's' });
    const byCount = new ComputerList(2, 100);
    for (const n of ['A', 'B', 'C', 'D']) byCount.add(c(n));
    byCount.add(undefined);
    assert.deepEqual([byCount.placed.map((x) => x.name), byCount.problems('s').map((x) => x.message)], [
      ['A', 'B'],
      ['1 computers.json entry has no name, distinguishedname or ObjectIdentifier; skipped.', 'The file names more than 2 computers; the 2 after them were not placed in a scope (their event-log clients count toward no OU).'],
    ]);
    // Past the text: this one and every later one, even one that would fit.
    const byText = new ComputerList(10, 10);
    for (const n of ['AAAA', 'BBBB', 'CCCC', 'D']) byText.add({ ...c(n), objectId: n === 'AAAA' ? 'X' : undefined });
    assert.deepEqual([byText.placed.map((x) => x.name), byText.problems('s').map((x) => x.message)], [
      ['AAAA', 'BBBB'],
      ['The file names computers whose names, distinguished names and identifiers come to more than 10 characters (the memory one file may take); the 2 after them were not placed in a scope (their event-log clients count toward no OU).'],
    ]);
    assert.equal(computerText({ dn: 'CN=A', name: 'A', objectId: 'S-1', containerId: 'G', source: 'long source is not counted' }), 9);
  });

  test('LoadComputers: the computers of all the topology files of one scan held to a count and a text, later files trimmed with a warning', () => {
    const part = (source: string, names: string[]): TopologyPart => ({ kind: 'sharphound', source, soms: [], gpcs: [], lacks: [], problems: [], computers: names.map((name) => ({ dn: '', name, source })) });
    const load = new LoadComputers(3, 1000);
    const parts = [part('a', ['A1', 'A2']), part('ou', []), part('b', ['B1', 'B2', 'B3']), part('c', ['C1'])];
    for (const p of parts) load.admit(p);
    assert.deepEqual(parts.map((p) => [p.source, p.computers?.map((x) => x.name), p.problems.map((x) => x.message)]), [
      ['a', ['A1', 'A2'], []],
      ['ou', [], []],
      ['b', ['B1'], ['With the topology files read before it, this one passes the 3 computers one scan places; its 2 computers after that were not placed in a scope (their event-log clients count toward no OU).']],
      ['c', [], ['With the topology files read before it, this one passes the 3 computers one scan places; its 1 computer after that were not placed in a scope (their event-log clients count toward no OU).']],
    ]);
    const text = new LoadComputers(100, 4);
    const q = part('t', ['AB', 'CD', 'E']);
    text.admit(q);
    assert.deepEqual([q.computers?.map((x) => x.name), q.problems.map((x) => x.message)], [
      ['AB', 'CD'],
      ['With the topology files read before it, this one passes the 4 characters of computer names, distinguished names and identifiers one scan places; its 1 computer after that were not placed in a scope (their event-log clients count toward no OU).'],
    ]);
  });
});

describe('loadTopology (relaylint scan) streams a large computers file; loadTopologyAsync (the editor) says how to read it', () => {
  const dir = tempDir('relaylint-cstream-load-');
  // Over the file limit: one computer, then whitespace to pass it (JSON allows any amount).
  const big = path.join(dir, '20261206101500_computers.json');
  const fd = fs.openSync(big, 'w');
  fs.writeSync(fd, '{"data":[{"ObjectIdentifier":"S-1-5-21-1-2-3-1201","Properties":{"name":"FS01@CORP.EXAMPLE"}}');
  fs.writeSync(fd, Buffer.alloc(LIMITS.maxFileBytes, 0x20));
  fs.writeSync(fd, `],${meta}}`);
  fs.closeSync(fd);
  // Over the file limit and named like one, but its end does not say so (zeros).
  const zeros = path.join(dir, 'x_computers.json');
  fs.writeFileSync(zeros, '');
  fs.truncateSync(zeros, LIMITS.maxFileBytes + 1);
  const show = (l: { parts: TopologyPart[] }) => l.parts.map((p) => [p.source, p.computers?.map((c) => c.name), p.problems.map((x) => `${x.severity}: ${x.message}`)]);
  const size = fs.statSync(big).size;
  const tooLarge = (n: number) => `The file is ${n} bytes; relaylint reads topology files up to ${LIMITS.maxFileBytes} bytes. It was not read.`;
  const why = "A large domain's SharpHound computers file often is this large (each computer object carries its properties and access-control entries): the topology still comes from the ous, domains and gpos files.";
  const ldif = 'the computers of each OU as an LDIF of computer objects (docs/evidence.md, "Per scope, with a topology")';

  test('the CLI: the computers file read, the one whose end does not say computers refused with the advice', async () => {
    assert.deepEqual(show(await loadTopology([big, zeros], [], (p) => path.basename(p))), [
      ['20261206101500_computers.json', ['FS01'], []],
      ['x_computers.json', undefined, [`error: ${tooLarge(LIMITS.maxFileBytes + 1)} ${why} relaylint scan reads a SharpHound computers file (its meta.type at its end, or its name in SharpHound's form, says computers) as a stream, up to 4096 MiB; this one was not. Or give ${ldif}.`]],
    ]);
  });

  test('audit wave 18: found in a folder, a file named as SharpHound names its computers file is read though its end does not say so; past the stream limit it is an error, not info', async () => {
    const found = fs.mkdtempSync(path.join(dir, 'found-'));
    // The computers file with 5,000 spaces after its end: the last 4 KB do not hold its meta.
    fs.copyFileSync(big, path.join(found, '20261206101500_computers.json'));
    fs.appendFileSync(path.join(found, '20261206101500_computers.json'), Buffer.alloc(5000, 0x20));
    // Sparse, past the stream limit.
    const huge = path.join(found, '20261206101600_computers.json');
    fs.writeFileSync(huge, '');
    fs.truncateSync(huge, LIMITS.maxStreamedFileBytes + 1);
    // The same under another name: only said (it may be any large JSON).
    fs.writeFileSync(path.join(found, 'other.json'), '');
    fs.truncateSync(path.join(found, 'other.json'), LIMITS.maxFileBytes + 1);
    assert.deepEqual(show(await loadTopology([], [found], (p) => path.basename(p))), [
      ['20261206101500_computers.json', ['FS01'], []],
      ['20261206101600_computers.json', undefined, [`error: ${tooLarge(LIMITS.maxStreamedFileBytes + 1)} ${why} relaylint scan reads a SharpHound computers file (its meta.type at its end, or its name in SharpHound's form, says computers) as a stream, up to 4096 MiB; this one was not. Or give ${ldif}.`]],
      ['other.json', undefined, [`info: ${tooLarge(LIMITS.maxFileBytes + 1)}`]],
    ]);
  });

  test('the editor: neither is read, each with the editor\'s advice', async () => {
    const editor = `${why} The editor reads topology files up to 64 MiB; relaylint scan reads a SharpHound computers file as a stream (loose or in its zip), up to 4096 MiB. Or give ${ldif}.`;
    assert.deepEqual(show(await loadTopologyAsync([big, zeros], [], (p) => path.basename(p))), [
      ['20261206101500_computers.json', undefined, [`error: ${tooLarge(size)} ${editor}`]],
      ['x_computers.json', undefined, [`error: ${tooLarge(LIMITS.maxFileBytes + 1)} ${editor}`]],
    ]);
  });
});

describe('SharpHound zip: an entry over the file limit is read as a stream by relaylint scan', () => {
  const dir = tempDir('relaylint-cstream-zip-');
  const computers = `{"data":[{"ObjectIdentifier":"S-1-5-21-1-2-3-1201","Properties":{"name":"FS01@CORP.EXAMPLE"}}],${meta}}`;
  const users = '{"data":[],"meta":{"type":"users","count":0,"version":6}}';
  /** Offsets of the central directory headers of a zip made by the helper. */
  const centrals = (z: Buffer): number[] => {
    const out: number[] = [];
    for (let i = 0; i + 4 <= z.length; i++) if (z.readUInt32LE(i) === 0x02014b50) out.push(i);
    return out;
  };
  /** The helper's zip with the uncompressed sizes its directory declares set (by entry index). */
  const zipWith = (name: string, files: Record<string, string>, sizes: Record<number, number>) => {
    const z = zip(files);
    const at = centrals(z);
    for (const [i, size] of Object.entries(sizes)) z.writeUInt32LE(size, at[Number(i)] + 24);
    const p = path.join(dir, name);
    fs.writeFileSync(p, z);
    return p;
  };
  const show = (l: { parts: TopologyPart[] }) => l.parts.map((p) => [p.source, p.computers?.map((c) => c.name), p.problems.map((x) => `${x.severity}: ${x.message}`)]);
  const big = LIMITS.maxFileBytes + 1;

  test('the computers entry (its directory says it is over the limit) gives its computers; in the editor it is refused with the advice', async () => {
    const z = zipWith('z0.zip', { '20261206101500_users.json': users, '20261206101500_computers.json': computers }, { 1: big });
    // In the order the archive's entries are read whole (the topology's types by name first).
    assert.deepEqual(show(await loadTopology([z], [], (p) => path.basename(p))), [
      ['z0.zip:20261206101500_computers.json', ['FS01'], []],
      ['z0.zip:20261206101500_users.json', undefined, ['warning: This SharpHound file is of type "users"; the topology comes from the ous, domains, gpos and computers files. It was skipped.']],
    ]);
    const editor = await loadTopologyAsync([z], [], (p) => path.basename(p));
    assert.deepEqual(editor.parts.flatMap((p) => p.problems.filter((x) => x.severity === 'error').map((x) => x.message)), [
      `20261206101500_computers.json: ${big} bytes uncompressed, over the ${LIMITS.maxFileBytes}-byte limit; not read. A large domain's SharpHound computers file often is this large (each computer object carries its properties and access-control entries): the topology still comes from the ous, domains and gpos files. The editor reads topology files up to 64 MiB; relaylint scan reads a SharpHound computers file as a stream (loose or in its zip), up to 4096 MiB. Or give the computers of each OU as an LDIF of computer objects (docs/evidence.md, "Per scope, with a topology").`,
    ]);
  });

  test('an entry over the limit that is not a computers file, or whose data is damaged, is an error; users over the limit stay a warning unread', async () => {
    const damaged = zip({ 'x_computers.json': computers });
    damaged[30 + 'x_computers.json'.length] = 0x07; // the first deflate block header: block type 3, which deflate reserves
    for (const at of centrals(damaged)) damaged.writeUInt32LE(big, at + 24);
    fs.writeFileSync(path.join(dir, 'damaged.zip'), damaged);
    const z = zipWith('z1.zip', { 'data.json': '{"data":[],"meta":{"type":"ous"}}', '20261206101500_users.json': users }, { 0: big, 1: big });
    const got = show(await loadTopology([z, path.join(dir, 'damaged.zip')], [], (p) => path.basename(p)));
    assert.deepEqual(got, [
      ['z1.zip', undefined, [`warning: 20261206101500_users.json: ${big} bytes uncompressed, over the ${LIMITS.maxFileBytes}-byte limit; not read. By its name it holds SharpHound's users, which the topology does not use (its content could not be checked).`]],
      ['z1.zip:data.json', undefined, [`error: ${big} bytes uncompressed, over the ${LIMITS.maxFileBytes}-byte limit, and read as a stream it is not a SharpHound computers file ({"data":[…],"meta":{"type":"computers"}}), the only kind read past the limit; not read.`]],
      ['damaged.zip:x_computers.json', undefined, ["error: The entry's compressed data is damaged (not a valid deflate stream); not read."]],
    ]);
    // An entry that is not JSON by its name is not read as a stream: refused as before.
    const txt = zipWith('z3.zip', { 'notes.txt': 'x', 'c.json': computers }, { 0: big });
    assert.deepEqual(show(await loadTopology([txt], [], (p) => path.basename(p))), [
      ['z3.zip', undefined, [`error: notes.txt: ${big} bytes uncompressed, over the ${LIMITS.maxFileBytes}-byte limit; not read.`]],
      ['z3.zip:c.json', ['FS01'], []],
    ]);
  });

  test('audit wave 18: a streamed entry keeps its place among the archive\'s parts (the first of two computers files naming one DN wins, as read whole)', async () => {
    const named = (host: string) => `{"data":[{"ObjectIdentifier":"S-1-5-21-1-2-3-1201","Properties":{"name":"${host}","distinguishedname":"CN=FS01,OU=SERVERS,DC=CORP,DC=EXAMPLE"}}],${meta}}`;
    const files = { 'a_computers.json': named('ALPHA.CORP.EXAMPLE'), 'b_computers.json': named('BRAVO.CORP.EXAMPLE') };
    const order = async (sizes: Record<number, number>, name: string) => (await loadTopology([zipWith(name, files, sizes)], [], (p) => path.basename(p))).parts.map((p) => [p.source, p.computers?.map((c) => c.name)]);
    const want = [
      [`ZIP:a_computers.json`, ['ALPHA.CORP.EXAMPLE']],
      [`ZIP:b_computers.json`, ['BRAVO.CORP.EXAMPLE']],
    ];
    for (const [name, sizes] of [['w.zip', {}], ['a.zip', { 0: big }], ['b.zip', { 1: big }], ['ab.zip', { 0: big, 1: big }]] as const) {
      assert.deepEqual(await order(sizes, name), JSON.parse(JSON.stringify(want).replace(/ZIP/g, name)), name);
    }
  });

  test('audit wave 18: a large entry that holds another SharpHound type is skipped with its warning, as read whole; one that holds no computer is the zip\'s "nothing read" error', async () => {
    const z = zipWith('z4.zip', { 'BloodHound_users.json': users, 'c.json': computers }, { 0: big });
    const whole = zipWith('z4w.zip', { 'BloodHound_users.json': users, 'c.json': computers }, {});
    const want = (name: string) => [
      [`${name}:BloodHound_users.json`, undefined, ['warning: This SharpHound file is of type "users"; the topology comes from the ous, domains, gpos and computers files. It was skipped.']],
      [`${name}:c.json`, ['FS01'], []],
    ];
    assert.deepEqual(show(await loadTopology([whole], [], (p) => path.basename(p))), want('z4w.zip'));
    assert.deepEqual(show(await loadTopology([z], [], (p) => path.basename(p))), want('z4.zip'));
    const empty = `{"data":[{"Properties":{}}],${meta}}`;
    const nothing = (name: string) => [
      [name, undefined, [`error: No domain, OU or site was read from ${name}: none of its SharpHound files has an OU, domain, GPO or computer entry relaylint reads.`]],
      [`${name}:x_computers.json`, [], ['warning: 1 computers.json entry has no name, distinguishedname or ObjectIdentifier; skipped.']],
    ];
    assert.deepEqual(show(await loadTopology([zipWith('e0.zip', { 'x_computers.json': empty }, {})], [], (p) => path.basename(p))), nothing('e0.zip'));
    assert.deepEqual(show(await loadTopology([zipWith('e1.zip', { 'x_computers.json': empty }, { 0: big })], [], (p) => path.basename(p))), nothing('e1.zip'));
  });

  test('audit wave 18: the scan\'s cap on computers trims a streamed entry with a warning, not the "nothing read" error', async () => {
    const z = zipWith('cap.zip', { 'x_computers.json': computers }, { 0: big });
    const got = await loadTopology([zipWith('first.zip', { 'c.json': computers }, {}), z], [], (p) => path.basename(p), { computers: new LoadComputers(1, 1000) });
    assert.deepEqual(show(got), [
      ['first.zip:c.json', ['FS01'], []],
      ['cap.zip:x_computers.json', [], ['warning: With the topology files read before it, this one passes the 1 computers one scan places; its 1 computer after that were not placed in a scope (their event-log clients count toward no OU).']],
    ]);
  });

  test(`past ${LIMITS.maxStreamedFileBytes} bytes of such entries in one archive the rest are errors`, async () => {
    const three = 3 * 1024 * 1024 * 1024;
    const z = zipWith('z2.zip', { 'a_computers.json': computers, 'b_computers.json': computers }, { 0: three, 1: three });
    assert.deepEqual(show(await loadTopology([z], [], (p) => path.basename(p))), [
      ['z2.zip', undefined, [`error: b_computers.json: ${three} bytes uncompressed; with the archive's other entries over the file limit that is more than the ${LIMITS.maxStreamedFileBytes} bytes read as a stream from one archive; not read.`]],
      ['z2.zip:a_computers.json', ['FS01'], []],
    ]);
  });

  test('streamZipEntry: stored and deflated entries; more bytes than the directory declares is refused; a refused byte stops the inflating; damaged data read to its end is said', async () => {
    const raw = Buffer.from(computers);
    const names = (p: TopologyPart) => [p.computers?.map((c) => c.name), p.problems.map((x) => x.message)];
    assert.deepEqual(names(await streamZipEntry({ name: 'c.json', method: 0, data: raw, size: raw.length }, 's')), [['FS01'], []]);
    assert.deepEqual(names(await streamZipEntry({ name: 'c.json', method: 8, data: deflateRawSync(raw), size: raw.length }, 's')), [['FS01'], []]);
    assert.deepEqual(names(await streamZipEntry({ name: 'c.json', method: 8, data: deflateRawSync(raw), size: 10 }, 's')), [
      undefined,
      ['The entry inflates to more than the 10 bytes the zip directory declares (damaged or hostile archive); not read.'],
    ]);
    // 256 MiB of zeros (a zip bomb's payload), its compressed data cut short at the end: refused at
    // its first byte, and the inflating stopped there (read to the end, the cut would be reported as
    // damaged data instead).
    const bomb = deflateRawSync(Buffer.alloc(256 * 1024 * 1024));
    const cut = bomb.subarray(0, bomb.length - 64);
    assert.deepEqual(names(await streamZipEntry({ name: 'c.json', method: 8, data: cut, size: 256 * 1024 * 1024 }, 's')), [
      undefined,
      [`Read as a stream (larger than ${LIMITS.maxFileBytes} bytes): a value expected at byte 0; no computer was read from it.`],
    ]);
    // The same cut data with a JSON start that is never refused: read to the end, where the cut is.
    const open = Buffer.from('{"data":[' + ' '.repeat(1 << 20));
    assert.deepEqual(names(await streamZipEntry({ name: 'c.json', method: 8, data: deflateRawSync(open).subarray(0, -4), size: open.length }, 's')), [
      undefined,
      ["The entry's compressed data is damaged (not a valid deflate stream); not read."],
    ]);
  });
});
