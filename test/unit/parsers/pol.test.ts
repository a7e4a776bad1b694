import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parsePol } from '../../../server/src/core/parsers/pol';
import type { ParsedFile } from '../../../server/src/core/types';
import { lineIndexFor, viewLineIndex } from '../../../server/src/core/text';
import { preg } from '../../helpers/preg';
import { seededRandom } from '../../helpers/rng';

const FIX = path.join(__dirname, '../../../../test/fixtures/pol');
const read = (name: string) => fs.readFileSync(path.join(FIX, name));

const dword = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};
const sz = (s: string) => Buffer.concat([Buffer.from(s, 'utf16le'), Buffer.from([0, 0])]);

function assertSpansInside(p: ParsedFile): void {
  for (const s of p.settings) {
    assert.ok(s.span.start >= 0 && s.span.end <= p.text.length && s.span.start <= s.span.end);
    if (s.valueSpan) assert.ok(s.valueSpan.start >= s.span.start && s.valueSpan.end <= s.span.end);
  }
  for (const pr of p.problems) if (pr.span) assert.ok(pr.span.end <= p.text.length);
}

test('real file: nsa-shb-windows registry.pol has 87 records, hand-checked values at their byte offsets', () => {
  const p = parsePol(read('nsa-shb-windows__registry.pol'), 'HKLM');
  assert.equal(p.format, 'registry-pol');
  assert.equal(p.encoding, 'binary');
  assert.deepEqual(p.problems, []);
  assert.equal(p.settings.length, 87);
  const guest = p.settings.find((s) => s.name === 'AllowInsecureGuestAuth');
  assert.ok(guest);
  assert.deepEqual(
    { key: guest.key, type: guest.type, value: guest.value, state: guest.state, offset: guest.offset, hive: guest.hive },
    { key: 'Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation', type: 'REG_DWORD', value: 0, state: 'set', offset: 6948, hive: 'HKLM' },
  );
  assert.equal(p.text.slice(guest.span.start, guest.span.end), '@0x00001B24  HKLM\\Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation\\AllowInsecureGuestAuth = REG_DWORD:0');
  assert.equal(p.text.slice(guest.nameSpan!.start, guest.nameSpan!.end), 'AllowInsecureGuestAuth');
  assert.equal(p.text.slice(guest.valueSpan!.start, guest.valueSpan!.end), 'REG_DWORD:0');
  const unc = p.settings.filter((s) => s.key.endsWith('HardenedPaths'));
  assert.deepEqual(
    unc.map((s) => [s.name, s.value, s.offset]),
    [
      ['\\\\*\\NETLOGON', 'RequireMutualAuthentication=1,RequireIntegrity=1', 7306],
      ['\\\\*\\SYSVOL', 'RequireMutualAuthentication=1,RequireIntegrity=1', 7582],
    ],
  );
  assertSpansInside(p);
});

test('real file: DoD WS2019 DC registry.pol disables SMBv1 server and client driver', () => {
  const p = parsePol(read('sos-dod-ws2019-dc__registry.pol'), 'HKLM');
  assert.deepEqual(p.problems, []);
  const smb1 = p.settings.find((s) => s.name === 'SMB1');
  const start = p.settings.find((s) => s.key === 'System\\CurrentControlSet\\Services\\MrxSmb10' && s.name === 'Start');
  assert.deepEqual([smb1?.value, smb1?.offset], [0, 9250]);
  assert.deepEqual([start?.value, start?.offset], [4, 9400]);
});

test('real file: an empty PReg (header only) has no settings and no problems', () => {
  const p = parsePol(read('detectionlab-taskbar-user__registry.pol'), 'HKCU');
  assert.deepEqual([p.settings.length, p.problems.length], [0, 0]);
});

test('delete verbs become deleted settings with their scope', () => {
  const p = parsePol(
    preg([
      ['Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation', '**del.AllowInsecureGuestAuth', 1, sz(' ')],
      ['Software\\Policies\\Microsoft\\Windows\\LanmanServer', '**DelVals.', 1, sz(' ')],
      ['Software\\Policies\\Microsoft\\Windows\\LanmanServer', '**DeleteValues', 1, sz('AuditClientDoesNotSupportSigning;AuditInsecureGuestLogon')],
      ['Software\\Policies\\Microsoft\\Windows', '**DeleteKeys', 1, sz('NetworkProvider')],
      ['Software\\Policies\\Microsoft\\Windows', '**SecureKey', 4, dword(1)],
    ]),
    'HKLM',
  );
  assert.deepEqual(p.problems, []);
  assert.deepEqual(
    p.settings.map((s) => [s.key, s.name, s.state, s.deleteScope]),
    [
      ['Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation', 'AllowInsecureGuestAuth', 'deleted', 'value'],
      ['Software\\Policies\\Microsoft\\Windows\\LanmanServer', '', 'deleted', 'values'],
      ['Software\\Policies\\Microsoft\\Windows\\LanmanServer', 'AuditClientDoesNotSupportSigning', 'deleted', 'value'],
      ['Software\\Policies\\Microsoft\\Windows\\LanmanServer', 'AuditInsecureGuestLogon', 'deleted', 'value'],
      ['Software\\Policies\\Microsoft\\Windows\\NetworkProvider', '', 'deleted', 'key'],
    ],
  );
  assert.match(p.text, /\*\*SecureKey = REG_DWORD:1 \(policy instruction, not a value\)/);
});

test('value types: DWORD, big-endian DWORD, QWORD, SZ, MULTI_SZ, binary', () => {
  const q = Buffer.alloc(8);
  q.writeBigUInt64LE(0x1_0000_0002n);
  const p = parsePol(
    preg([
      ['K', 'd', 4, dword(537395200)],
      ['K', 'be', 5, Buffer.from([0, 0, 0, 7])],
      ['K', 'q', 11, q],
      ['K', 's', 1, sz('hello')],
      ['K', 'm', 7, Buffer.concat([sz('Bowser'), sz('MRxSmb20'), Buffer.from([0, 0])])],
      ['K', 'b', 3, Buffer.from([0xde, 0xad])],
    ]),
    'HKLM',
  );
  assert.deepEqual(
    p.settings.map((s) => [s.name, s.type, s.value]),
    [
      ['d', 'REG_DWORD', 537395200],
      ['be', 'REG_DWORD_BIG_ENDIAN', 7],
      ['q', 'REG_QWORD', 4294967298],
      ['s', 'REG_SZ', 'hello'],
      ['m', 'REG_MULTI_SZ', ['Bowser', 'MRxSmb20']],
      ['b', 'REG_BINARY', 'dead'],
    ],
  );
});

test('hostile input: every malformed file gives a problem at a byte offset, never a throw', () => {
  const good = preg([['Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation', 'AllowInsecureGuestAuth', 4, dword(1)]]);
  const lying = Buffer.from(good);
  // The size field of the only record sits after "[" + key + NUL + ";" + value + NUL + ";" + type + ";".
  const sizeAt = good.length - 2 /* ] */ - 4 /* data */ - 2 /* ; */ - 4; /* size */
  assert.equal(lying.readUInt32LE(sizeAt), 4);
  lying.writeUInt32LE(4000, sizeAt);
  const smaller = Buffer.from(good);
  smaller.writeUInt32LE(2, sizeAt);
  const rows: [string, Buffer, string, number][] = [
    ['empty file', Buffer.alloc(0), 'The file is 0 bytes long, too short for the PReg signature (byte offset 0).', 0],
    ['wrong signature', Buffer.from('REGEDIT4\r\n'), 'The file does not start with the PReg signature ("PReg" + version 1) (byte offset 0).', 0],
    ['size larger than the file', lying, 'The record at 0x00000008 declares 4000 bytes of data but only 6 bytes remain: the size is wrong or the file is truncated (byte offset 174).', sizeAt],
    ['size smaller than the data', smaller, "The record at 0x00000008 is not closed with ']' after its 2 data bytes: the declared size is probably wrong; the rest of the file was not read (byte offset 182).", 182],
    ['truncated inside the key', good.subarray(0, 40), 'The key of the record at 0x00000008 is not terminated: the file ends inside it (truncated) (byte offset 10).', 10],
    ['odd length', Buffer.concat([good, Buffer.from([0x5b])]), 'The file ends with a stray byte (odd length) (byte offset 186).', 186],
    ['missing terminator', Buffer.concat([good.subarray(0, 8), Buffer.from('[ABC', 'utf16le'), Buffer.alloc(70000, 0x41)]), 'The key of the record at 0x00000008 is longer than 32768 characters; a NUL terminator is missing (byte offset 10).', 10],
    ['garbage after a record', Buffer.concat([good, Buffer.from('xy', 'utf16le')]), "Expected '[' to open a record; the rest of the file was not read (byte offset 186).", 186],
  ];
  for (const [label, bytes, message, offset] of rows) {
    const p = parsePol(bytes, 'HKLM');
    assert.equal(p.problems.length, 1, label);
    assert.equal(p.problems[0].message, message, label);
    assert.equal(p.problems[0].offset, offset, label);
    assert.equal(p.problems[0].code, 'parse', label);
    assertSpansInside(p);
  }
  // Records before the damage are kept.
  const p = parsePol(Buffer.concat([good, Buffer.from('xy', 'utf16le')]), 'HKLM');
  assert.deepEqual(p.settings.map((s) => [s.name, s.value]), [['AllowInsecureGuestAuth', 1]]);
});

test('zero-length data and a DWORD of the wrong size are reported, not guessed', () => {
  const p = parsePol(preg([['K', 'zero', 4, Buffer.alloc(0)], ['K', 'short', 4, Buffer.from([1, 0])]]), 'HKLM');
  assert.deepEqual(p.settings.map((s) => [s.name, s.value]), [['zero', null], ['short', null]]);
  assert.deepEqual(
    p.problems.map((x) => [x.severity, x.message]),
    [
      ['warning', 'The record at 0x00000008 (zero): a REG_DWORD must hold 4 bytes, this one holds 0 (byte offset 8).'],
      ['warning', 'The record at 0x0000002A (short): a REG_DWORD must hold 4 bytes, this one holds 2 (byte offset 42).'],
    ],
  );
});

test('a value set twice is a duplicate problem', () => {
  const p = parsePol(preg([['K', 'SMB1', 4, dword(1)], ['K', 'SMB1', 4, dword(0)]]), 'HKLM');
  assert.equal(p.problems.length, 1);
  assert.equal(p.problems[0].code, 'duplicate');
  assert.equal(p.problems[0].offset, 46);
});

test('duplicates: the same value in any spelling of key and name, and only the same value', () => {
  // [records, the records that are duplicates]. Records of one key come in a run or apart.
  const rows: [string, [string, string][], number[]][] = [
    ['key case and name case', [['Soft\\K', 'SMB1'], ['SOFT\\k', 'smb1']], [1]],
    ['doubled and outer backslashes', [['Soft\\K', 'A'], ['\\Soft\\\\K\\', 'a']], [1]],
    ['the key again after another key', [['K1', 'A'], ['K2', 'A'], ['k1', 'A']], [2]],
    ['another name in the same key', [['K', 'A'], ['K', 'B']], []],
    ['a bar in the key is not a separator', [['A|B', 'C'], ['A', 'B|C']], []],
    ['the same name in another key', [['K1', 'A'], ['K2', 'A']], []],
  ];
  // A record is 28 bytes besides its two strings (4 bytes of data), after the 8-byte header.
  const offset = (records: [string, string][], i: number) => 8 + records.slice(0, i).reduce((n, [k, v]) => n + 28 + 2 * (k.length + v.length), 0);
  for (const [what, records, dups] of rows) {
    const p = parsePol(preg(records.map(([k, v]) => [k, v, 4, dword(1)])), 'HKLM');
    assert.deepEqual(
      p.problems.map((x) => [x.code, x.offset]),
      dups.map((i) => ['duplicate', offset(records, i)]),
      what,
    );
  }
});

test('random truncations and byte flips of real files never throw and keep spans inside the view', () => {
  const src = read('nsa-shb-windows__registry.pol');
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < 300; i++) {
    const b = Buffer.from(src.subarray(0, Math.floor(rnd() * src.length)));
    for (let k = 0; k < 3; k++) if (b.length) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    const p = parsePol(b, 'HKLM');
    assertSpansInside(p);
  }
});

/** The same bytes, copied to `offset` bytes into a buffer of their own. */
function placedAt(bytes: Uint8Array, offset: number): Uint8Array {
  const out = new Uint8Array(new ArrayBuffer(offset + bytes.length + 1), offset, bytes.length);
  out.set(bytes);
  return out;
}

test('the same result wherever the bytes sit: strings are read as 16-bit units from an even address, byte by byte from an odd one', () => {
  // Odd-sized data puts the later records at odd positions within the file: both readers then take
  // turns inside one parse, and a key is compared with the last one across the two.
  const key = 'Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation';
  const odd = preg([
    [key, 'Blob', 3, Buffer.from([1, 2, 3])],
    [key, 'AllowInsecureGuestAuth', 4, dword(0)],
    [key, 'AllowInsecureGuestAuth', 4, dword(1)],
    ['Software\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths', '\\\\*\\SYSVOL', 1, sz('RequireMutualAuthentication=1')],
    [key, 'Blob2', 3, Buffer.from([9])],
    ['Software\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths', '\\\\*\\NETLOGON', 1, sz('RequireIntegrity=1')],
  ]);
  const good = preg([[key, 'AllowInsecureGuestAuth', 4, dword(1)]]);
  const files: [string, Uint8Array][] = [
    ['odd-sized data', odd],
    ['missing terminator', Buffer.concat([good.subarray(0, 8), Buffer.from('[ABC', 'utf16le'), Buffer.alloc(70000, 0x41)])],
    ['truncated inside the key', good.subarray(0, 40)],
    ['terminator at the very end', Buffer.concat([good.subarray(0, 8), Buffer.from('[AB', 'utf16le'), Buffer.from([0, 0])])],
    ...fs.readdirSync(FIX).filter((f) => f.endsWith('.pol')).map((f): [string, Uint8Array] => [f, read(f)]),
  ];
  const rnd = seededRandom(777);
  const src = read('nsa-shb-windows__registry.pol');
  for (let i = 0; i < 40; i++) {
    const b = Buffer.from(src.subarray(0, Math.floor(rnd() * src.length)));
    for (let k = 0; k < 3; k++) if (b.length) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
    files.push([`damaged copy ${i}`, b]);
  }
  for (const [label, bytes] of files) {
    const even = parsePol(placedAt(bytes, 8), 'HKLM');
    assert.deepEqual(parsePol(placedAt(bytes, 1), 'HKLM'), even, `${label}: at an odd address`);
    assert.deepEqual(parsePol(placedAt(bytes, 0), 'HKLM'), even, `${label}: at address 0`);
  }
  const p = parsePol(placedAt(odd, 2), 'HKLM');
  assert.deepEqual(
    p.settings.map((s) => [s.offset, s.name, s.value]),
    [
      [8, 'Blob', '010203'],
      [149, 'AllowInsecureGuestAuth', 0],
      [327, 'AllowInsecureGuestAuth', 1],
      [505, '\\\\*\\SYSVOL', 'RequireMutualAuthentication=1'],
      [739, 'Blob2', '09'],
      [880, '\\\\*\\NETLOGON', 'RequireIntegrity=1'],
    ],
  );
  assert.deepEqual(p.problems.map((x) => [x.code, x.offset]), [['duplicate', 327]]);
});

test('without the view (the CLI): the same settings, spans and problems, and the view\'s line starts for positions', () => {
  const key = 'Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation';
  const kinds = preg([
    [key, 'AllowInsecureGuestAuth', 4, dword(0)],
    [key, 'AllowInsecureGuestAuth', 4, dword(1)],
    [key, '**del.RequireSecuritySignature', 1, sz(' ')],
    [key, '**DelVals.', 1, sz(' ')],
    [key, '**DeleteValues', 1, sz('EnableSecuritySignature;RequireSecuritySignature; x')],
    ['Software\\Policies\\Microsoft\\Windows', '**DeleteKeys', 1, sz('LanmanWorkstation;NetworkProvider')],
    [key, '**SecureKey', 4, dword(1)],
    [key, '', 1, sz('default value')],
    [key, 'Multi', 7, Buffer.concat([sz('a'), sz('b'), Buffer.from([0, 0])])],
    [key, 'Q', 11, Buffer.alloc(8, 0xff)],
    [key, 'Odd', 1, Buffer.from([0x41, 0, 0x42])],
    [key, 'Short', 4, Buffer.from([1, 2])],
    [key, 'line\nbreak', 4, dword(10)],
    [key, 'cr\rlf\r\nend\r', 4, dword(13)],
    [key, '**del.a\rb', 1, sz(' ')],
    [`${key}\\two\nlines\r`, 'RequireSecuritySignature', 4, dword(1)],
    [`${key}\\two\nlines\r`, '**del.x', 1, sz(' ')],
    [key, '**DeleteValues', 1, sz('a\nb;c\r')],
    [key, '\r', 4, dword(1)],
  ]);
  const files: [string, Uint8Array][] = [
    ['every kind of record', kinds],
    ['not a PReg file', Buffer.from('hello')],
    ['empty', Buffer.alloc(0)],
    ...fs.readdirSync(FIX).filter((f) => f.endsWith('.pol')).map((f): [string, Uint8Array] => [f, read(f)]),
  ];
  const rnd = seededRandom(4242);
  for (const src of [kinds, read('nsa-shb-windows__registry.pol')]) {
    for (let i = 0; i < 60; i++) {
      const b = Buffer.from(src.subarray(0, Math.floor(rnd() * src.length)));
      for (let k = 0; k < 3; k++) if (b.length) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      files.push([`damaged copy ${i}`, b]);
    }
  }
  for (const mode of ['all', 'relevant'] as const) {
    for (const [label, bytes] of files) {
      const full = parsePol(bytes, 'HKLM', { settings: mode });
      const lean = parsePol(bytes, 'HKLM', { settings: mode, view: 'none' });
      assert.equal(lean.text, '', label);
      assert.ok(lean.viewLines, label);
      assert.deepEqual({ ...lean, text: full.text, viewLines: undefined }, { ...full, viewLines: undefined }, `${label} (${mode})`);
      const index = lineIndexFor(full.text);
      assert.deepEqual([...lean.viewLines], [...index.lineStarts], label);
      const lines = viewLineIndex(lean.viewLines);
      for (const o of [0, 1, full.text.length - 1, full.text.length, full.text.length + 5, ...index.lineStarts, ...full.settings.flatMap((s) => [s.span.start, s.span.end])]) {
        assert.deepEqual(lines.positionAt(o), index.positionAt(o), `${label}: offset ${o}`);
      }
    }
  }
});
