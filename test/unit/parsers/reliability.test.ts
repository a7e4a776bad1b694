/**
 * Parsers and decoding under the inputs of issue 10: fail-closed reading (a stray NUL, UTF-16BE
 * without BOM, deep GPP nesting), the registry's own name limits, bounded work (repeated key
 * deletions, **DeleteKeys lists, long collection names, namespace declarations), real-file
 * oddities (`=4,`, merge-conflict markers), the finding caps and a linear fix-all.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { boundFindings, selectFixEdits } from '../../../server/src/core/bounds';
import { lint } from '../../../server/src/core/engine';
import { LIMITS } from '../../../server/src/core/limits';
import { parseBytes, parseText } from '../../../server/src/core/parse';
import { parsePol } from '../../../server/src/core/parsers/pol';
import { readXml } from '../../../server/src/core/parsers/xml';
import { decode } from '../../../server/src/core/text';
import type { Finding, LintOptions, TextEdit } from '../../../server/src/core/types';

const OPTS: LintOptions = { role: 'any', targetOs: 'legacy' };
const SERVER_REQUIRE = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
const inf = (lines: string[]) => ['[Unicode]', 'Unicode=yes', '[Registry Values]', ...lines, '[Version]', 'signature="$CHICAGO$"', 'Revision=1', ''].join('\r\n');
const ids = (fs: Finding[]) => fs.map((f) => `${f.ruleId}:${f.severity}`);

test('decode: the BOM is cut explicitly, a second BOM stays in the text', () => {
  const bom = [0xef, 0xbb, 0xbf];
  const d = decode(Buffer.from([...bom, ...bom, 0x41]));
  assert.deepEqual([d.encoding, d.bomLength, d.text], ['utf-8-bom', 3, '\ufeffA']);
  const le = decode(Buffer.from([0xff, 0xfe, 0xff, 0xfe, 0x41, 0]));
  assert.deepEqual([le.encoding, le.bomLength, le.text], ['utf-16le-bom', 2, '\ufeffA']);
});

test('decode without a BOM: ASCII, UTF-8 and Windows-1252 told apart, one text unit per byte where the encoding has them', () => {
  const rows: [string, number[], string, string][] = [
    ['empty', [], 'ascii', ''],
    ['ASCII with controls and DEL', [0x41, 0x09, 0x0d, 0x0a, 0x7f, 0x7a], 'ascii', 'A\t\r\n\u007fz'],
    ['ASCII with one NUL in 130 bytes', [...Array(128).fill(0x41), 0x00, 0x42], 'ascii', `${'A'.repeat(128)}\u0000B`],
    ['two-byte UTF-8', [0x63, 0x61, 0x66, 0xc3, 0xa9], 'utf-8', 'caf\u00e9'],
    ['three-byte UTF-8', [0xe2, 0x82, 0xac, 0x31], 'utf-8', '\u20ac1'],
    ['four-byte UTF-8 (two text units for four bytes)', [0xf0, 0x9f, 0x98, 0x80, 0x41, 0x42], 'utf-8', '\u{1f600}AB'],
    ['not UTF-8: Windows-1252', [0x41, 0x80, 0xe9], 'ansi', 'A\u20ac\u00e9'],
    ['a lone continuation byte', [0x9f], 'ansi', '\u0178'],
    ['a truncated sequence at the end', [0x41, 0xc3], 'ansi', 'A\u00c3'],
  ];
  for (const [label, bytes, encoding, text] of rows) {
    const d = decode(new Uint8Array(bytes));
    assert.deepEqual([d.encoding, d.bomLength, d.text], [encoding, 0, text], label);
  }
});

test('decode without a BOM and without a NUL byte: UTF-8, else Windows-1252, whatever the bytes look like (the UTF-16 and binary checks only run past a NUL)', () => {
  let seed = 11;
  const rnd = (k: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % k;
  };
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  for (let i = 0; i < 3000; i++) {
    const n = rnd(3) === 0 ? rnd(8) : rnd(9000);
    // Mostly ASCII letters with a high byte now and then; the first two bytes never a BOM.
    const bytes = Buffer.from(Array.from({ length: n }, (_, j) => (j < 2 ? 0x41 + rnd(26) : rnd(20) === 0 ? 1 + rnd(255) : 0x20 + rnd(95))));
    const d = decode(bytes);
    assert.deepEqual(d.problems, []);
    assert.equal(d.bomLength, 0);
    let want: string | undefined;
    try {
      want = utf8.decode(bytes);
    } catch {
      want = undefined;
    }
    if (want === undefined) assert.equal(d.encoding, 'ansi');
    else assert.deepEqual([d.encoding, d.text], [want.length === n ? 'ascii' : 'utf-8', want]);
  }
});

test('fail closed: a weak template with a NUL in a comment is read; UTF-16BE without a BOM is an error', () => {
  const withNul = Buffer.from(inf([`; a comment with a NUL \u0000 byte`, `${SERVER_REQUIRE}=4,0`]), 'latin1');
  const p = parseBytes('GptTmpl.inf', withNul);
  assert.equal(p.format, 'inf');
  const f = lint(p, OPTS);
  assert.ok(ids(f).includes('smb.server.require:error'), ids(f).join());
  assert.ok(
    f.some((x) => x.ruleId === 'file.encoding' && x.severity === 'warning' && /contains 1 NUL byte \(the first at byte \d+\); it was read as text/.test(x.message)),
  );

  const be = Buffer.from(inf([`${SERVER_REQUIRE}=4,0`]), 'utf16le').swap16();
  const q = lint(parseBytes('GptTmpl.inf', be), OPTS);
  assert.deepEqual(ids(q), ['file.encoding:error']);
  assert.match(q[0].message, /UTF-16 big-endian without a byte order mark/);

  // Real binary content stays binary.
  const bin = Buffer.alloc(4096);
  for (let i = 0; i < bin.length; i += 7) bin[i] = 0x41;
  assert.equal(parseBytes('x.inf', bin).encoding, 'binary');
});

test('fail closed: a GPP item nested past the depth limit is an error-level problem', () => {
  let xml = '<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">';
  for (let i = 0; i < 254; i++) xml += `<Collection clsid="{53B533F5-224C-47e3-B01B-CA3B3F3FF4BF}" name="c${i}">`;
  xml += `<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="x"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="RequireSecuritySignature" type="REG_DWORD" value="00000000"/></Registry>`;
  for (let i = 0; i < 254; i++) xml += '</Collection>';
  xml += '</RegistrySettings>';
  const f = lint(parseText('Registry.xml', xml), OPTS);
  assert.ok(f.some((x) => x.ruleId === 'file.limit' && x.severity === 'error'), ids(f).join());
});

test('registry name limits: a key name part over 255 characters or a value name over 16,383 is reported, not judged', () => {
  const longPart = 'K'.repeat(256);
  const longName = 'N'.repeat(16_384);
  const rows: [string, string, string][] = [
    ['inf key part', 'GptTmpl.inf', inf([`MACHINE\\Software\\${longPart}\\RequireSecuritySignature=4,0`])],
    ['inf value name', 'GptTmpl.inf', inf([`MACHINE\\Software\\Corp\\${longName}=4,0`])],
    ['reg key part', 'x.reg', `Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\${longPart}]\r\n"a"=dword:00000000\r\n`],
    ['reg value name', 'x.reg', `Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Corp]\r\n"${longName}"=dword:00000000\r\n`],
    [
      'gpp key part',
      'Registry.xml',
      `<RegistrySettings><Registry name="x"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\\${longPart}" name="a" type="REG_DWORD" value="00000000"/></Registry></RegistrySettings>`,
    ],
  ];
  for (const [label, name, text] of rows) {
    const p = parseText(name, text);
    assert.equal(p.settings.length, 0, label);
    const limit = p.problems.filter((x) => x.code === 'limit');
    assert.equal(limit.length, 1, label);
    assert.equal(limit[0].severity, 'error', label);
    assert.match(limit[0].message, /Windows cannot store it, so it was not judged/, label);
    assert.ok(limit[0].message.length < 400, `${label}: the message quotes an excerpt only`);
  }
  // At the limits exactly: read as usual.
  const ok = parseText('GptTmpl.inf', inf([`MACHINE\\Software\\${'K'.repeat(255)}\\${'N'.repeat(16_383)}=4,0`]));
  assert.equal(ok.settings.length, 1);
});

test('`=4,` (REG_DWORD without data) is one warning and judged nothing', () => {
  const p = parseText('GptTmpl.inf', inf([`${SERVER_REQUIRE}=4,`]));
  assert.equal(p.settings.length, 0);
  const f = lint(p, OPTS);
  assert.deepEqual(ids(f), ['file.encoding:warning', 'file.parse:warning']);
  assert.match(f[1].message, /^REG_DWORD without data \("RequireSecuritySignature=4,"\): what Windows does with it is not known/);
  const text = inf([`${SERVER_REQUIRE}=4,`]);
  assert.deepEqual(f[1].span, { start: text.indexOf(SERVER_REQUIRE), end: text.indexOf(SERVER_REQUIRE) + SERVER_REQUIRE.length + 3 });
});

test('git merge-conflict markers in a GPP file give one problem', () => {
  const item = (v: string) =>
    `<Registry name="x"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="RequireSecuritySignature" type="REG_DWORD" value="${v}"/></Registry>`;
  const text = ['<?xml version="1.0" encoding="utf-8"?>', '<RegistrySettings>', '<<<<<<< HEAD', item('00000001'), '=======', item('00000000'), '>>>>>>> feature/x', '</RegistrySettings>', ''].join('\n');
  const f = lint(parseText('Registry.xml', text), OPTS);
  assert.deepEqual(ids(f), ['file.parse:error']);
  assert.match(f[0].message, /git merge conflict markers/);
  assert.deepEqual(f[0].span, { start: text.indexOf('<<<<<<<'), end: text.indexOf('<<<<<<< HEAD') + '<<<<<<< HEAD'.length });
});

test('bounded work: repeated [-HKLM\\SYSTEM] lines, a huge **DeleteKeys list, a long collection name', () => {
  const lines = ['Windows Registry Editor Version 5.00', ''];
  for (let i = 0; i < 20_000; i++) lines.push('[-HKEY_LOCAL_MACHINE\\SYSTEM]');
  const reg = parseText('x.reg', lines.join('\r\n'));
  assert.equal(reg.settings.length, 1, 'one deletion setting for the key');
  const f = lint(reg, OPTS);
  assert.ok(f.length < 400, `findings stay bounded (${f.length})`);
  assert.ok(reg.problems.some((p) => p.code === 'duplicate' && /is deleted again here; it was first deleted on line 3/.test(p.message)));

  const u = (s: string) => Buffer.from(s, 'utf16le');
  const z = Buffer.from([0, 0]);
  const names = Array.from({ length: LIMITS.maxPolRecords + 10 }, (_, i) => `k${i}`).join(';');
  const data = Buffer.concat([u(names), z]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(data.length);
  const type = Buffer.from([1, 0, 0, 0]);
  const pol = Buffer.concat([Buffer.from('PReg\x01\x00\x00\x00', 'latin1'), u('['), u('Software\\Policies\\X'), z, u(';'), u('**DeleteKeys'), z, u(';'), type, u(';'), size, u(';'), data, u(']')]);
  const p = parsePol(pol, 'HKLM');
  assert.equal(p.settings.length, 0);
  assert.deepEqual(
    p.problems.map((x) => [x.code, x.severity]),
    [['limit', 'error']],
  );
  assert.match(p.problems[0].message, new RegExp(`lists ${LIMITS.maxPolRecords + 10} names to delete, more than the ${LIMITS.maxPolRecords} records`));

  const longName = 'C'.repeat(1_000_000);
  const items = Array.from({ length: 200 }, (_, i) => `<Registry name="i${i}"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\\Corp" name="v${i}" type="REG_SZ" value="x"/></Registry>`).join('');
  const gpp = parseText('Registry.xml', `<RegistrySettings><Collection name="${longName}">${items}</Collection></RegistrySettings>`);
  assert.equal(gpp.settings.length, 200);
  for (const s of gpp.settings) assert.ok(s.origin.length < 500, 'the collection name is not copied into every item');
});

test('XML namespace declarations: 150,000 on one element are read (linear), lookups resolve', () => {
  const decls = Array.from({ length: 150_000 }, (_, i) => `xmlns:p${i}="urn:${i}"`).join(' ');
  const doc = readXml(`<r ${decls} xmlns:p1="urn:dup"><p1:a/><p149999:b/></r>`);
  assert.deepEqual(
    doc.root?.children.map((c) => [c.local, c.ns]),
    [
      ['a', 'urn:1'],
      ['b', 'urn:149999'],
    ],
  );
});

test('boundFindings lists at most N per rule and per file, with one summary per rule', () => {
  const mk = (ruleId: string, i: number, severity: Finding['severity'] = 'warning'): Finding => ({ ruleId, severity, message: `${ruleId} ${i}`, span: { start: i, end: i + 1 }, fixes: [] });
  const input = [...Array.from({ length: 25 }, (_, i) => mk('a', i)), mk('a', 99, 'error'), ...Array.from({ length: 5 }, (_, i) => mk('b', 200 + i))];
  const out = boundFindings(input, { perRule: 10, perFile: 12 });
  assert.deepEqual(
    out.map((f) => f.message),
    [
      ...Array.from({ length: 10 }, (_, i) => `a ${i}`),
      'b 200',
      'b 201',
      '16 more a findings are not listed; relaylint lists at most 10 per rule and 12 per file.',
      '3 more b findings are not listed; relaylint lists at most 10 per rule and 12 per file.',
    ],
  );
  assert.deepEqual([out[12].severity, out[12].span, out[13].severity], ['error', { start: 10, end: 11 }, 'warning']);
  assert.equal(boundFindings(input), input, 'under the default limits nothing changes');
});

test('selectFixEdits equals the straightforward overlap check, and stays fast for 200,000 findings', () => {
  const naive = (findings: Finding[], unsafe: boolean): TextEdit[] => {
    const taken: TextEdit[] = [];
    for (const f of findings) {
      const fix = f.fixes.find((x) => x.isPreferred);
      if (!fix || f.suppressed || (!unsafe && fix.applicability !== 'safe')) continue;
      if (fix.edits.some((e) => taken.some((t) => e.start < t.end && t.start < e.end))) continue;
      taken.push(...fix.edits);
    }
    return taken.sort((a, b) => a.start - b.start || a.end - b.end);
  };
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  for (let round = 0; round < 200; round++) {
    const findings: Finding[] = Array.from({ length: 40 }, (_, i) => {
      const edits = Array.from({ length: 1 + rnd(2) }, () => {
        const start = rnd(100);
        return { start, end: start + rnd(6), newText: `${i}` };
      });
      return { ruleId: 'r', severity: 'error', message: '', span: { start: 0, end: 0 }, fixes: [{ title: '', kind: 'value', isPreferred: rnd(5) > 0, applicability: rnd(3) > 0 ? 'safe' : 'unsafe', edits }] };
    });
    const got = selectFixEdits(findings, { unsafe: true });
    const want = naive(findings, true);
    assert.deepEqual(new Set(got), new Set(want), `round ${round}`);
    assert.deepEqual(new Set(selectFixEdits(findings)), new Set(naive(findings, false)), `round ${round}, safe only`);
    for (let i = 1; i < got.length; i++) assert.ok(got[i - 1].start <= got[i].start, 'sorted');
  }
  const many: Finding[] = Array.from({ length: 200_000 }, (_, i) => ({
    ruleId: 'r',
    severity: 'error',
    message: '',
    span: { start: i * 10, end: i * 10 + 5 },
    fixes: [{ title: '', kind: 'value', isPreferred: true, applicability: 'unsafe', edits: [{ start: (199_999 - i) * 10, end: (199_999 - i) * 10 + 3, newText: '1' }] }],
  }));
  assert.equal(selectFixEdits(many, { unsafe: true }).length, 200_000);
  assert.equal(selectFixEdits(many).length, 0, "fixes without a safe applicability are left out by default");
});
