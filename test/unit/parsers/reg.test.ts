import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseReg } from '../../../server/src/core/parsers/reg';
import { LineIndex, decode } from '../../../server/src/core/text';
import type { Encoding, Hive, ParsedFile, RegData, RegType, Setting, Span } from '../../../server/src/core/types';

// Compiled to .test-out/test/unit/parsers/; fixtures stay in the source tree.
const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'reg');

const HEADER = 'Windows Registry Editor Version 5.00';
const KEY = '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test]';
const DATA_FORMS = '"text", dword:00000000, hex:…, hex(N):… or - (delete)';
const DWORD_MSG = (found: string) =>
  `Expected 1 to 8 hex digits after "dword:" (for example dword:00000001), with no "0x"; found "${found}".`;

function load(file: string): { text: string; encoding: Encoding } {
  const d = decode(readFileSync(join(FIXTURES, file)));
  return { text: d.text, encoding: d.encoding };
}

function slice(pf: ParsedFile, s: Span | undefined): string {
  assert.ok(s, 'span expected');
  return pf.text.slice(s.start, s.end);
}

function lineOf(pf: ParsedFile, offset: number): number {
  return new LineIndex(pf.text).positionAt(offset).line + 1;
}

function only<T>(items: T[]): T {
  assert.equal(items.length, 1, `expected exactly one item, got ${items.length}: ${JSON.stringify(items)}`);
  return items[0];
}

/** A v5 file with a header, a blank line and one key; the given lines start on line 4. */
function reg(...lines: string[]): ParsedFile {
  return regLines(lines);
}

function regLines(lines: string[]): ParsedFile {
  return parseReg([HEADER, '', KEY, ...lines, ''].join('\r\n'), 'utf-16le-bom');
}

function find(pf: ParsedFile, key: string, name: string): Setting {
  return only(pf.settings.filter((s) => s.key === key && s.name === name));
}

function assertSpansInside(pf: ParsedFile): void {
  const n = pf.text.length;
  const ok = (s: Span | undefined, what: string) => {
    if (!s) return;
    assert.ok(Number.isInteger(s.start) && Number.isInteger(s.end), `${what}: integer offsets`);
    assert.ok(s.start >= 0 && s.start <= s.end && s.end <= n, `${what}: ${JSON.stringify(s)} outside 0..${n}`);
  };
  const within = (inner: Span | undefined, outer: Span, what: string) => {
    if (!inner) return;
    assert.ok(inner.start >= outer.start && inner.end <= outer.end, `${what} not inside the setting span`);
  };
  for (const s of pf.settings) {
    ok(s.span, 'setting.span');
    ok(s.valueSpan, 'setting.valueSpan');
    ok(s.nameSpan, 'setting.nameSpan');
    within(s.valueSpan, s.span, 'valueSpan');
    within(s.nameSpan, s.span, 'nameSpan');
  }
  for (const p of pf.problems) {
    ok(p.span, `problem.span (${p.message})`);
    for (const r of p.related ?? []) ok(r.span, 'related.span');
  }
  for (const c of pf.comments) {
    ok(c.span, 'comment.span');
    assert.equal(c.text, pf.text.slice(c.span.start + 1, c.span.end));
  }
  assert.ok(pf.problems.length <= 201, 'problem list is capped');
}

// ---------------------------------------------------------------------------------------------
// Real corpus files. Values and line numbers were read from the raw bytes (sed -n / grep -n /
// iconv), independently of the parser.
// ---------------------------------------------------------------------------------------------

describe('parseReg: corpus files', () => {
  test('repzilon__DisableSMBv1.reg: SMB1 off, MRxSmb10 removed from the workstation dependencies', () => {
    const { text, encoding } = load('repzilon__DisableSMBv1.reg');
    assert.equal(encoding, 'ascii');
    const pf = parseReg(text, encoding);
    assert.deepEqual([pf.format, pf.eol, pf.problems, pf.comments, pf.settings.length], ['reg', '\r\n', [], [], 3]);

    const smb1 = find(pf, 'SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'SMB1');
    assert.deepEqual(
      [smb1.hive, smb1.type, smb1.value, smb1.state, smb1.valueSyntax],
      ['HKLM', 'REG_DWORD', 0, 'set', 'reg'],
    );
    assert.equal(lineOf(pf, smb1.span.start), 4);
    assert.equal(slice(pf, smb1.span), '"SMB1"=dword:00000000');
    assert.equal(slice(pf, smb1.nameSpan), 'SMB1');
    assert.equal(slice(pf, smb1.valueSpan), 'dword:00000000');
    assert.equal(smb1.origin, '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]');

    // hex(7) wrapped over two lines with a two-space indent (the regedit export style).
    const dep = find(pf, 'SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation', 'DependOnService');
    assert.deepEqual([dep.type, dep.value], ['REG_MULTI_SZ', ['Bowser', 'MRxSmb20', 'NSI']]);
    assert.equal(lineOf(pf, dep.span.start), 7);
    assert.equal(lineOf(pf, dep.span.end), 8);
    const wrapped =
      'hex(7):42,00,6f,00,77,00,73,00,65,00,72,00,00,00,4d,00,52,00,\\\r\n' +
      '  78,00,53,00,6d,00,62,00,32,00,30,00,00,00,4e,00,53,00,49,00,00,00,00,00';
    assert.equal(slice(pf, dep.valueSpan), wrapped);
    assert.equal(slice(pf, dep.span), `"DependOnService"=${wrapped}`);

    const start = find(pf, 'SYSTEM\\CurrentControlSet\\Services\\mrxsmb10', 'Start');
    assert.deepEqual([start.value, lineOf(pf, start.span.start)], [4, 11]);
    assertSpansInside(pf);
  });

  test('cisl1-standalone__Hardening.reg: SMB/LDAP/NTLM values, 7-digit dwords, duplicates, one stray line', () => {
    const { text, encoding } = load('cisl1-standalone__Hardening.reg');
    assert.equal(encoding, 'utf-8');
    const pf = parseReg(text, encoding);
    assert.equal(pf.settings.length, 304);
    assert.equal(pf.comments.length, 1478);
    const CHECKS: Array<[number, string, string, RegType, RegData, string]> = [
      [176, 'System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters', 'RequireSecuritySignature', 'REG_DWORD', 1, 'dword:0000001'],
      [202, 'System\\CurrentControlSet\\Services\\LanManServer\\Parameters', 'RequireSecuritySignature', 'REG_DWORD', 1, 'dword:0000001'],
      [256, 'SYSTEM\\CurrentControlSet\\Services\\LanManServer\\Parameters', 'NullSessionPipes', 'REG_MULTI_SZ', [], 'hex(7):00,00'],
      [327, 'System\\CurrentControlSet\\Control\\Lsa', 'LmCompatibilityLevel', 'REG_DWORD', 5, 'dword:0000005'],
      [333, 'System\\CurrentControlSet\\Services\\LDAP', 'LDAPClientIntegrity', 'REG_DWORD', 1, 'dword:0000001'],
      [868, 'SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'SMB1', 'REG_DWORD', 0, 'dword:0000000'],
    ];
    const lines = text.split(/\r\n|\n|\r/);
    for (const [line, key, name, type, value, valueText] of CHECKS) {
      const s = only(pf.settings.filter((x) => lineOf(pf, x.span.start) === line));
      assert.deepEqual([s.hive, s.key, s.name, s.type, s.value], ['HKLM', key, name, type, value], `line ${line}`);
      assert.equal(slice(pf, s.valueSpan), valueText);
      assert.equal(slice(pf, s.span), lines[line - 1]);
      assert.equal(lines[line - 1], `"${name}"=${valueText}`);
    }
    // 13 values set twice; e.g. PUAProtection is 0 on line 1916 and 1 on line 2198 (key cased differently).
    const dups = pf.problems.filter((p) => p.code === 'duplicate');
    assert.equal(dups.length, 13);
    const pua = only(dups.filter((p) => p.message.includes('PUAProtection')));
    assert.equal(
      pua.message,
      'HKEY_LOCAL_MACHINE\\software\\Policies\\Microsoft\\Windows Defender\\PUAProtection is set again here; it was first set on line 1916. Windows applies .reg lines in order, so the later line wins.',
    );
    assert.equal(lineOf(pf, pua.span!.start), 2198);
    assert.equal(slice(pf, pua.related![0].span), '"PUAProtection"=dword:0000000');
    const retention = only(dups.filter((p) => p.message.includes('\\Security\\Retention')));
    assert.deepEqual([lineOf(pf, retention.span!.start), lineOf(pf, retention.related![0].span.start)], [1638, 1629]);
    // Line 2377 holds a lone backtick.
    const stray = only(pf.problems.filter((p) => p.code === 'parse'));
    assert.deepEqual(
      [stray.severity, stray.message, slice(pf, stray.span), lineOf(pf, stray.span!.start)],
      ['error', 'Expected a [key] line, a "name"=data line, @=data or a ; comment; found "`".', '`', 2377],
    );
    assert.equal(pf.problems.length, 14);
    assertSpansInside(pf);
  });

  test('altanos__harden.reg: key deletion, escaped names, default values, a doubled "="', () => {
    const { text, encoding } = load('altanos__harden.reg');
    const pf = parseReg(text, encoding);
    assert.equal(pf.settings.length, 55);
    assert.equal(pf.comments.length, 30);
    const del = pf.settings[0];
    assert.deepEqual(
      [del.hive, del.key, del.name, del.type, del.value, del.state, del.deleteScope, lineOf(pf, del.span.start)],
      [
        'HKCU',
        'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Desktop\\NameSpace\\{018D5C66-4533-4307-9B53-224DE2ED1FE6}',
        '',
        null,
        null,
        'deleted',
        'key',
        5,
      ],
    );
    assert.equal(slice(pf, del.span), '[-HKEY_CURRENT_USER\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Desktop\\NameSpace\\{018D5C66-4533-4307-9B53-224DE2ED1FE6}]');
    assert.equal(del.origin, `key delete ${slice(pf, del.span)}`);

    // Line 86 `[...\Kernel\] ` (trailing backslash and blank) is accepted; line 87 has `==`.
    const p = only(pf.problems);
    assert.deepEqual(
      [p.code, p.severity, p.message, slice(pf, p.span), lineOf(pf, p.span!.start)],
      [
        'parse',
        'error',
        `Expected the data after "=" to be ${DATA_FORMS}; found "=dword:00000000".`,
        '=dword:00000000',
        87,
      ],
    );

    const cmd = only(pf.settings.filter((s) => s.key === 'Directory\\Background\\shell\\ConsoleCMD\\command'));
    assert.deepEqual([cmd.hive, cmd.name, cmd.type, cmd.value], ['HKCR', '', 'REG_SZ', 'cmd.exe /k cd /d "%V"']);
    assert.equal(slice(pf, cmd.nameSpan), '@');
    assert.equal(slice(pf, cmd.valueSpan), '"cmd.exe /k cd /d \\"%V\\""');
    assert.equal(lineOf(pf, cmd.span.start), 109);

    const ps = only(pf.settings.filter((s) => s.name.endsWith('powershell.exe')));
    assert.equal(ps.name, '%windir%\\System32\\WindowsPowerShell\\v1.0\\powershell.exe');
    assert.equal(slice(pf, ps.nameSpan), '%windir%\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe');
    assert.equal(lineOf(pf, ps.span.start), 153);

    const kernelComment = pf.comments.find((c) => lineOf(pf, c.span.start) === 85)!;
    assert.equal(kernelComment.text, ' Kernel mode stack protection ');
    assertSpansInside(pf);
  });

  test('detectionlab: # comments, an HKCU abbreviation, and the same value through HKCU and HKEY_CURRENT_USER', () => {
    const { text, encoding } = load('detectionlab__MakeWindows10GreatAgain.reg');
    const pf = parseReg(text, encoding);
    assert.deepEqual([pf.eol, pf.settings.length, pf.comments.length], ['\n', 12, 12]);
    assert.equal(pf.comments[0].text, ' Disable Cortana (Windows search still remains)');
    assert.equal(slice(pf, pf.comments[0].span), '# Disable Cortana (Windows search still remains)');
    const [abbr, dup] = pf.problems;
    assert.equal(pf.problems.length, 2);
    assert.deepEqual(
      [abbr.code, abbr.severity, abbr.message, slice(pf, abbr.span), lineOf(pf, abbr.span!.start)],
      [
        'parse',
        'warning',
        '"HKCU" is an abbreviation; .reg files need the full hive name HKEY_CURRENT_USER, and Windows may reject this key. It was read as HKEY_CURRENT_USER.',
        'HKCU',
        34,
      ],
    );
    assert.deepEqual(
      [dup.code, dup.severity, dup.message, lineOf(pf, dup.span!.start), lineOf(pf, dup.related![0].span.start), dup.related![0].message],
      [
        'duplicate',
        'warning',
        'HKEY_CURRENT_USER\\Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\HideDesktopIcons\\NewStartPanel\\{20D04FE0-3AEA-1069-A2D8-08002B30309D} is set again here; it was first set on line 35. Windows applies .reg lines in order, so the later line wins.',
        38,
        35,
        'first set here',
      ],
    );
    assert.equal(find(pf, 'SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System', 'NoConnectedUser').value, 3);
    assertSpansInside(pf);
  });

  test('palantir-wef (UTF-16LE with BOM): strings and dwords', () => {
    const { text, encoding } = load('palantir-wef__WEC-Authentication.reg');
    assert.equal(encoding, 'utf-16le-bom');
    const pf = parseReg(text, encoding);
    assert.deepEqual([pf.problems, pf.settings.length, pf.eol], [[], 8, '\r\n']);
    const key = 'SYSTEM\\CurrentControlSet\\Control\\WMI\\Autologger\\WEC-Authentication';
    const guid = find(pf, key, 'Guid');
    assert.deepEqual([guid.type, guid.value, lineOf(pf, guid.span.start)], ['REG_SZ', '{5F1BE6E0-941E-45CC-BB7F-6F0CC65E869C}', 4]);
    assert.equal(slice(pf, guid.valueSpan), '"{5F1BE6E0-941E-45CC-BB7F-6F0CC65E869C}"');
    assert.deepEqual([find(pf, key, 'BufferSize').value, find(pf, key, 'MaximumBuffers').value], [256, 1024]);
    const enabled = find(pf, `${key}\\{17A89D9F-61D2-4066-9085-B974FDD1EA00}`, 'Enabled');
    assert.deepEqual([enabled.value, lineOf(pf, enabled.span.start)], [1, 13]);
  });

  test('repzilon-win98 (REGEDIT4, LF, no final line break)', () => {
    const { text, encoding } = load('repzilon-win98__win2000.reg');
    const pf = parseReg(text, encoding);
    assert.deepEqual([pf.problems, pf.settings.length, pf.eol], [[], 29, '\n']);
    const last = pf.settings[28];
    assert.deepEqual([last.hive, last.key, last.name, last.value], ['HKCU', 'Control Panel\\Colors', 'GradientInactiveTitle', '192 192 192']);
    assert.equal(last.span.end, text.length);
    assert.equal(lineOf(pf, last.span.start), 32);
  });

  test('atlas: trailing blanks after the header, key lines and data', () => {
    const { text, encoding } = load('atlas-20h2__Default Windows Drivers.reg');
    const pf = parseReg(text, encoding);
    assert.deepEqual([pf.problems, pf.settings.length], [[], 258]);
    const s = pf.settings[0];
    assert.deepEqual([s.key, s.name, s.value], ['SYSTEM\\CurrentControlSet\\Services\\3ware', 'Start', 0]);
    assert.equal(slice(pf, s.span), '"Start"=dword:00000000 ');
    assert.equal(slice(pf, s.valueSpan), 'dword:00000000');
  });
});

// ---------------------------------------------------------------------------------------------
// Value lines, table driven.
// ---------------------------------------------------------------------------------------------

interface GoodValue {
  line: string;
  name: string;
  type: RegType | null;
  value: RegData;
  nameText: string;
  valueText: string;
  state?: 'set' | 'deleted';
}

const GOOD_VALUES: GoodValue[] = [
  { line: '"A"=dword:00000001', name: 'A', type: 'REG_DWORD', value: 1, nameText: 'A', valueText: 'dword:00000001' },
  { line: '"A"=dword:1', name: 'A', type: 'REG_DWORD', value: 1, nameText: 'A', valueText: 'dword:1' },
  { line: '"A"=DWORD:FFFFFFFF', name: 'A', type: 'REG_DWORD', value: 4294967295, nameText: 'A', valueText: 'DWORD:FFFFFFFF' },
  { line: '  "A" \t=  dword:0000000a  ', name: 'A', type: 'REG_DWORD', value: 10, nameText: 'A', valueText: 'dword:0000000a' },
  { line: '"A"=dword:00000002 ; why', name: 'A', type: 'REG_DWORD', value: 2, nameText: 'A', valueText: 'dword:00000002' },
  { line: '"A"=dword:00000003;x', name: 'A', type: 'REG_DWORD', value: 3, nameText: 'A', valueText: 'dword:00000003' },
  { line: '"A"="text"', name: 'A', type: 'REG_SZ', value: 'text', nameText: 'A', valueText: '"text"' },
  { line: '"A"="C:\\\\Windows\\\\x \\"q\\""', name: 'A', type: 'REG_SZ', value: 'C:\\Windows\\x "q"', nameText: 'A', valueText: '"C:\\\\Windows\\\\x \\"q\\""' },
  { line: '"A"="a\\nb\\%"', name: 'A', type: 'REG_SZ', value: 'a\\nb\\%', nameText: 'A', valueText: '"a\\nb\\%"' },
  { line: '"A"=""', name: 'A', type: 'REG_SZ', value: '', nameText: 'A', valueText: '""' },
  { line: '"A"="v;#" ;c', name: 'A', type: 'REG_SZ', value: 'v;#', nameText: 'A', valueText: '"v;#"' },
  { line: '@="default"', name: '', type: 'REG_SZ', value: 'default', nameText: '@', valueText: '"default"' },
  { line: '""="empty name"', name: '', type: 'REG_SZ', value: 'empty name', nameText: '', valueText: '"empty name"' },
  { line: '"Quo\\"te\\\\d"=dword:1', name: 'Quo"te\\d', type: 'REG_DWORD', value: 1, nameText: 'Quo\\"te\\\\d', valueText: 'dword:1' },
  { line: '"A=B;C"=dword:1', name: 'A=B;C', type: 'REG_DWORD', value: 1, nameText: 'A=B;C', valueText: 'dword:1' },
  { line: '"A"=hex:de,ad,BE,ef', name: 'A', type: 'REG_BINARY', value: 'deadbeef', nameText: 'A', valueText: 'hex:de,ad,BE,ef' },
  { line: '"A"=hex:', name: 'A', type: 'REG_BINARY', value: '', nameText: 'A', valueText: 'hex:' },
  { line: '"A"=HEX:1,2', name: 'A', type: 'REG_BINARY', value: '0102', nameText: 'A', valueText: 'HEX:1,2' },
  { line: '"A"=hex: 01 , 02 ,  ;c', name: 'A', type: 'REG_BINARY', value: '0102', nameText: 'A', valueText: 'hex: 01 , 02 ,' },
  { line: '"A"=hex(3):ab', name: 'A', type: 'REG_BINARY', value: 'ab', nameText: 'A', valueText: 'hex(3):ab' },
  { line: '"A"=hex(2):25,00,53,00,79,00,73,00,00,00', name: 'A', type: 'REG_EXPAND_SZ', value: '%Sys', nameText: 'A', valueText: 'hex(2):25,00,53,00,79,00,73,00,00,00' },
  { line: '"A"=hex(2):25,00,53,00', name: 'A', type: 'REG_EXPAND_SZ', value: '%S', nameText: 'A', valueText: 'hex(2):25,00,53,00' },
  { line: '"A"=hex(1):41,00,42,00,00,00', name: 'A', type: 'REG_SZ', value: 'AB', nameText: 'A', valueText: 'hex(1):41,00,42,00,00,00' },
  { line: '"A"=hex(7):61,00,00,00,62,00,00,00,00,00', name: 'A', type: 'REG_MULTI_SZ', value: ['a', 'b'], nameText: 'A', valueText: 'hex(7):61,00,00,00,62,00,00,00,00,00' },
  { line: '"A"=hex(7):00,00', name: 'A', type: 'REG_MULTI_SZ', value: [], nameText: 'A', valueText: 'hex(7):00,00' },
  { line: '"A"=hex(7):', name: 'A', type: 'REG_MULTI_SZ', value: [], nameText: 'A', valueText: 'hex(7):' },
  { line: '"A"=hex(4):01,02,00,00', name: 'A', type: 'REG_DWORD', value: 513, nameText: 'A', valueText: 'hex(4):01,02,00,00' },
  { line: '"A"=hex(4):ff,ff,ff,ff', name: 'A', type: 'REG_DWORD', value: 4294967295, nameText: 'A', valueText: 'hex(4):ff,ff,ff,ff' },
  { line: '"A"=hex(b):02,00,00,00,01,00,00,00', name: 'A', type: 'REG_QWORD', value: 4294967298, nameText: 'A', valueText: 'hex(b):02,00,00,00,01,00,00,00' },
  { line: '"A"=hex(B):00,00,00,00,00,00,20,00', name: 'A', type: 'REG_QWORD', value: 9007199254740992, nameText: 'A', valueText: 'hex(B):00,00,00,00,00,00,20,00' },
  { line: '"A"=hex(b):01,00,00,00,00,00,20,00', name: 'A', type: 'REG_QWORD', value: '9007199254740993', nameText: 'A', valueText: 'hex(b):01,00,00,00,00,00,20,00' },
  { line: '"A"=hex(b):ff,ff,ff,ff,ff,ff,ff,ff', name: 'A', type: 'REG_QWORD', value: '18446744073709551615', nameText: 'A', valueText: 'hex(b):ff,ff,ff,ff,ff,ff,ff,ff' },
  { line: '"A"=hex(0):', name: 'A', type: 'REG_NONE', value: '', nameText: 'A', valueText: 'hex(0):' },
  { line: '"A"=hex(5):00,00,00,01', name: 'A', type: 'REG_DWORD_BIG_ENDIAN', value: '00000001', nameText: 'A', valueText: 'hex(5):00,00,00,01' },
  { line: '"A"=hex(6):61', name: 'A', type: 'REG_LINK', value: '61', nameText: 'A', valueText: 'hex(6):61' },
  { line: '"A"=hex(100):ab', name: 'A', type: 'REG_TYPE_256', value: 'ab', nameText: 'A', valueText: 'hex(100):ab' },
  { line: '"A"=hex(ffffffff):', name: 'A', type: 'REG_TYPE_4294967295', value: '', nameText: 'A', valueText: 'hex(ffffffff):' },
  { line: '"A"=-', name: 'A', type: null, value: null, nameText: 'A', valueText: '-', state: 'deleted' },
  { line: '"A"=  \t-\t  ', name: 'A', type: null, value: null, nameText: 'A', valueText: '-', state: 'deleted' },
  { line: '"A"=- ;gone', name: 'A', type: null, value: null, nameText: 'A', valueText: '-', state: 'deleted' },
  { line: '@=-', name: '', type: null, value: null, nameText: '@', valueText: '-', state: 'deleted' },
];

describe('parseReg: value lines that give a setting', () => {
  for (const g of GOOD_VALUES) {
    test(JSON.stringify(g.line), () => {
      const pf = reg(g.line, '"Next"=dword:00000007');
      assert.deepEqual(pf.problems, []);
      assert.equal(pf.settings.length, 2);
      const s = pf.settings[0];
      const state = g.state ?? 'set';
      assert.deepEqual(
        { hive: s.hive, key: s.key, name: s.name, type: s.type, value: s.value, state: s.state, deleteScope: s.deleteScope },
        { hive: 'HKLM', key: 'SOFTWARE\\Test', name: g.name, type: g.type, value: g.value, state, deleteScope: state === 'deleted' ? 'value' : undefined },
      );
      assert.equal(slice(pf, s.span), g.line);
      assert.equal(slice(pf, s.nameSpan), g.nameText);
      assert.equal(slice(pf, s.valueSpan), g.valueText);
      assert.deepEqual([s.valueSyntax, s.origin], ['reg', KEY]);
      assert.equal(lineOf(pf, s.span.start), 4);
      assert.equal(pf.settings[1].value, 7);
      assertSpansInside(pf);
    });
  }

  test('a comment after the data is recorded', () => {
    const pf = reg('"A"=dword:00000002 ; why', '"B"="x";y', '"C"=hex:01 ;z');
    assert.deepEqual(
      pf.comments.map((c) => [c.text, slice(pf, c.span)]),
      [
        [' why', '; why'],
        ['y', ';y'],
        ['z', ';z'],
      ],
    );
  });
});

interface BadValue {
  line: string;
  message: string;
  at: string;
}

const BAD_VALUES: BadValue[] = [
  { line: '"A"=dword:', message: DWORD_MSG('dword:'), at: 'dword:' },
  { line: '"A"=dword:123456789', message: DWORD_MSG('dword:123456789'), at: 'dword:123456789' },
  { line: '"A"=dword:0x1', message: DWORD_MSG('dword:0x1'), at: 'dword:0x1' },
  { line: '"A"=dword:hello', message: DWORD_MSG('dword:hello'), at: 'dword:hello' },
  { line: '"A"=dword:12 34', message: DWORD_MSG('dword:12 34'), at: 'dword:12 34' },
  { line: '"A"=dword:1 #c', message: DWORD_MSG('dword:1 #c'), at: 'dword:1 #c' },
  { line: '"A"=dword:123456789 ;c', message: DWORD_MSG('dword:123456789'), at: 'dword:123456789 ;c' },
  { line: '"A"=', message: `Expected data after "=": ${DATA_FORMS}.`, at: '"A"=' },
  { line: '"A"', message: `Expected "=" and the data after the value name (${DATA_FORMS}).`, at: '"A"' },
  { line: '"A" x=1', message: 'Expected "=" after the value name; found "x=1".', at: 'x=1' },
  { line: '"A=dword:1', message: 'Unterminated value name: expected a closing quote (") on this line.', at: '"A=dword:1' },
  { line: '"A\\"=dword:1', message: 'Unterminated value name: expected a closing quote (") on this line.', at: '"A\\"=dword:1' },
  { line: '"A"="abc', message: 'Unterminated string: expected a closing quote (") on this line.', at: '"abc' },
  { line: '"A"="abc\\"', message: 'Unterminated string: expected a closing quote (") on this line.', at: '"abc\\"' },
  {
    line: '"A"="a"b"',
    message: 'Unexpected text after the data; expected nothing but a ; comment after the closing quote. Found "b"".',
    at: 'b"',
  },
  {
    line: '"A"="v" #c',
    message: 'Unexpected text after the data; expected nothing but a ; comment after the closing quote. Found "#c".',
    at: '#c',
  },
  {
    line: '"A"=-"x"',
    message: 'Unexpected text after the data; "name"=- deletes the value and takes nothing after the "-". Found ""x"".',
    at: '"x"',
  },
  { line: '"A"=str:abc', message: `Expected the data after "=" to be ${DATA_FORMS}; found "str:abc".`, at: 'str:abc' },
  { line: '"A"=Asdf"', message: `Expected the data after "=" to be ${DATA_FORMS}; found "Asdf"".`, at: 'Asdf"' },
  { line: '"A"=#"x"', message: `Expected the data after "=" to be ${DATA_FORMS}; found "#"x"".`, at: '#"x"' },
  { line: '"A"=hex(x2):00', message: 'Expected the type in hex(…) as 1 to 8 hex digits without "0x", for example hex(7):.', at: 'hex(x' },
  { line: '"A"=hex(0x2):00', message: 'Expected the type in hex(…) as 1 to 8 hex digits without "0x", for example hex(7):.', at: 'hex(0x' },
  { line: '"A"=hex(100000000):00', message: 'Expected the type in hex(…) as 1 to 8 hex digits without "0x", for example hex(7):.', at: 'hex(100000000)' },
  { line: '"A"=hex(2', message: 'Expected the type in hex(…) as 1 to 8 hex digits without "0x", for example hex(7):.', at: 'hex(2' },
  { line: '"A"=hex(2)00', message: 'Expected ":" after "hex(2)", then the hex bytes (for example hex:01,00).', at: 'hex(2)0' },
  { line: '"A"=hexx:00', message: 'Expected ":" after "hex", then the hex bytes (for example hex:01,00).', at: 'hexx' },
  { line: '"A"=hex:1,,2', message: 'Expected a hex byte before ","; empty bytes are not allowed.', at: ',' },
  { line: '"A"=hex:,1', message: 'Expected a hex byte before ","; empty bytes are not allowed.', at: ',' },
  { line: '"A"=hex:123', message: '"123" is not a hex byte; expected one or two hex digits, such as 0a.', at: '123' },
  { line: '"A"=hex:25,1a4,00', message: '"1a4" is not a hex byte; expected one or two hex digits, such as 0a.', at: '1a4' },
  { line: '"A"=hex:12 34', message: 'Expected "," between hex bytes.', at: '3' },
  {
    line: '"A"=hex:12,zz',
    message: 'Unexpected "z" in the hex data; expected hex bytes separated by commas (for example 01,00) and an optional ; comment.',
    at: 'z',
  },
  {
    line: '"A"=hex:12,00 #c',
    message: 'Unexpected "#" in the hex data; expected hex bytes separated by commas (for example 01,00) and an optional ; comment.',
    at: '#',
  },
  {
    line: '"A"=hex:12,\\ x',
    message: 'Unexpected text after the line continuation "\\"; expected the hex data to go on on the next line.',
    at: 'x',
  },
  { line: '"A"=hex(4):01,00', message: 'REG_DWORD data written as hex(4) must be exactly 4 bytes; found 2.', at: 'hex(4):01,00' },
  { line: '"A"=hex(b):01', message: 'REG_QWORD data written as hex(b) must be exactly 8 bytes; found 1.', at: 'hex(b):01' },
];

describe('parseReg: malformed value lines', () => {
  for (const b of BAD_VALUES) {
    test(JSON.stringify(b.line), () => {
      const pf = reg(b.line, '"Next"=dword:00000007');
      const p = only(pf.problems);
      assert.deepEqual([p.code, p.severity, p.message], ['parse', 'error', b.message]);
      assert.equal(slice(pf, p.span), b.at);
      assert.equal(lineOf(pf, p.span!.start), 4);
      // No setting from the bad line; the next line is read.
      assert.deepEqual(
        pf.settings.map((s) => [s.name, s.value]),
        [['Next', 7]],
      );
      assertSpansInside(pf);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Continuations.
// ---------------------------------------------------------------------------------------------

describe('parseReg: hex data over several lines', () => {
  test('blank and ; lines inside a continuation are skipped; the span runs to the last data line', () => {
    const lines = ['"A"=hex(7):61,00,\\ ;first', '', '  ; inside', '\t00,00,62,00,00,00,\\', '  00,00'];
    const pf = reg(...lines, '"Next"=dword:7');
    assert.deepEqual(pf.problems, []);
    const a = pf.settings[0];
    assert.deepEqual([a.type, a.value], ['REG_MULTI_SZ', ['a', 'b']]);
    assert.equal(slice(pf, a.span), lines.join('\r\n'));
    assert.equal(slice(pf, a.valueSpan), lines.join('\r\n').slice('"A"='.length));
    assert.deepEqual(
      pf.comments.map((c) => c.text),
      ['first', ' inside'],
    );
    assert.deepEqual([pf.settings[1].name, lineOf(pf, pf.settings[1].span.start)], ['Next', 9]);
  });

  test('the data may start on the next line', () => {
    const pf = reg('"A"=hex(2):\\', '  25,00,00,00');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual([pf.settings[0].value, slice(pf, pf.settings[0].valueSpan)], ['%', 'hex(2):\\\r\n  25,00,00,00']);
  });

  test('a continuation without a comma before "\\" is an error and the wrapped lines are skipped', () => {
    const pf = reg('"A"=hex:12\\', '  34,56,\\', '  78', '"Next"=dword:7');
    const p = only(pf.problems);
    assert.equal(p.message, 'Expected "," before the line continuation "\\"; Windows does not join the lines otherwise.');
    assert.equal(slice(pf, p.span), '\\');
    assert.deepEqual(
      pf.settings.map((s) => s.name),
      ['Next'],
    );
  });

  test('after "\\" the next content line is taken as data, whatever it holds (Windows swallows it)', () => {
    for (const next of ['"B"=dword:1', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Other]', '#c', '  ,34']) {
      const pf = reg('"A"=hex:12,\\', '', next, '"C"=dword:3');
      const p = only(pf.problems);
      assert.deepEqual(
        [p.severity, p.message, slice(pf, p.span)],
        [
          'error',
          'Expected the hex data to continue on line 6; Windows reads that line as part of this value, so neither the value nor that line is applied.',
          next.trim(),
        ],
      );
      assert.deepEqual(
        pf.settings.map((s) => [s.key, s.name]),
        [['SOFTWARE\\Test', 'C']],
      );
    }
  });

  test('a continuation at the end of the file', () => {
    const pf = parseReg(`${HEADER}\r\n${KEY}\r\n"A"=hex:12,\\\r\n\r\n`, 'utf-8');
    const p = only(pf.problems);
    assert.equal(p.message, 'The hex data ends with a line continuation "\\" but the file ends here.');
    assert.equal(slice(pf, p.span), '\\');
    assert.deepEqual(pf.settings, []);
  });

  test('strings and dwords do not continue (a wrapped hex-looking line after bad data is skipped quietly)', () => {
    const pf = reg('"A"=dword:1234\\', '5678', '"B"="x\\', 'y"');
    assert.deepEqual(
      pf.problems.map((p) => [lineOf(pf, p.span!.start), p.message]),
      [
        [4, DWORD_MSG('dword:1234\\')],
        [6, 'Unterminated string: expected a closing quote (") on this line.'],
        [7, 'Expected a [key] line, a "name"=data line, @=data or a ; comment; found "y"".'],
      ],
    );
    assert.deepEqual(pf.settings, []);
  });
});

// ---------------------------------------------------------------------------------------------
// Header, key lines, blocks.
// ---------------------------------------------------------------------------------------------

describe('parseReg: header', () => {
  test('both headers; REGEDIT4 decodes hex(2)/hex(7) bytes as ANSI, version 5 as UTF-16LE', () => {
    const v4 = parseReg(['REGEDIT4', '', KEY, '"E"=hex(2):25,50,41,54,48,25,00', '"M"=hex(7):4c,69,6e,65,00,e9,80,00,00', ''].join('\n'), 'ascii');
    assert.deepEqual(v4.problems, []);
    assert.deepEqual(
      v4.settings.map((s) => [s.type, s.value]),
      [
        ['REG_EXPAND_SZ', '%PATH%'],
        ['REG_MULTI_SZ', ['Line', 'é€']],
      ],
    );
    const v5 = parseReg([HEADER, KEY, '"E"=hex(2):25,00,50,00,00,00', '"M"=hex(7):e9,00,ac,20,00,00,00,00'].join('\r\n'), 'utf-8');
    assert.deepEqual(
      v5.settings.map((s) => [s.type, s.value]),
      [
        ['REG_EXPAND_SZ', '%P'],
        ['REG_MULTI_SZ', ['é€']],
      ],
    );
  });

  test('blank lines and blanks around the header are fine', () => {
    const pf = parseReg(`\r\n  \r\n  ${HEADER}  \r\n${KEY}\r\n"A"=dword:1`, 'utf-16le-bom');
    assert.deepEqual([pf.problems, pf.settings.length], [[], 1]);
  });

  test('other capitalisation is accepted with a warning', () => {
    for (const [header, exact] of [
      ['windows registry editor version 5.00', HEADER],
      ['Regedit4', 'REGEDIT4'],
    ]) {
      const pf = parseReg(`${header}\r\n${KEY}\r\n"A"=hex(2):41,00`, 'utf-8');
      const p = only(pf.problems);
      assert.deepEqual(
        [p.severity, p.message, slice(pf, p.span)],
        ['warning', `Expected the header spelled exactly "${exact}"; Windows' reg import rejects other capitalisation.`, header],
      );
      assert.equal(pf.settings[0].value, 'A');
    }
    // The lower-case REGEDIT4 header still selects ANSI decoding (41,42 is "AB", not one UTF-16 char).
    assert.equal(parseReg(`regedit4\n${KEY}\n"A"=hex(2):41,42,00`, 'utf-8').settings[0].value, 'AB');
    assert.equal(parseReg(`${HEADER}\n${KEY}\n"A"=hex(2):41,42,00`, 'utf-8').settings[0].value, '\u4241');
  });

  test('a missing or wrong header is an error; parsing goes on as version 5', () => {
    const missing = parseReg(`${KEY}\r\n"A"=hex(2):41,00,42,00`, 'utf-8');
    const p = only(missing.problems);
    assert.deepEqual(
      [p.severity, p.message, slice(missing, p.span)],
      [
        'error',
        `Expected the first line to be "${HEADER}" or "REGEDIT4"; found "${KEY}". Windows will not import this file; it was read as a version 5 file.`,
        KEY,
      ],
    );
    assert.deepEqual(
      missing.settings.map((s) => s.value),
      ['AB'],
    );
    // A wrong header line is not parsed a second time as content.
    const wrong = parseReg(`Windows Registry Editor Version 4.00\r\n${KEY}\r\n"A"=dword:1`, 'utf-8');
    assert.equal(only(wrong.problems).message.startsWith('Expected the first line to be'), true);
    assert.equal(wrong.settings.length, 1);
  });

  test('an empty file, and a header that is not on the first line', () => {
    const empty = parseReg('', 'utf-16le-bom');
    assert.deepEqual(empty.problems, [
      {
        code: 'parse',
        severity: 'error',
        message: `Expected the header line "${HEADER}" (or "REGEDIT4"); the file is empty.`,
        span: { start: 0, end: 0 },
      },
    ]);
    const late = parseReg(`; comment first\r\n${HEADER}\r\n${KEY}\r\n"A"=dword:1`, 'utf-8');
    assert.deepEqual(
      late.problems.map((p) => [p.severity, slice(late, p.span)]),
      [
        ['error', '; comment first'],
        ['error', HEADER],
      ],
    );
    assert.equal(late.problems[1].message, 'The header line must be the first line of the file; Windows reads only the first line as the header.');
    assert.equal(late.comments.length, 1);
    assert.equal(late.settings.length, 1);
  });
});

describe('parseReg: key lines', () => {
  const HIVES: Array<[string, Hive]> = [
    ['HKEY_LOCAL_MACHINE', 'HKLM'],
    ['HKEY_CURRENT_USER', 'HKCU'],
    ['HKEY_USERS', 'HKU'],
    ['HKEY_CLASSES_ROOT', 'HKCR'],
    ['HKEY_CURRENT_CONFIG', 'HKCC'],
    ['hkey_local_machine', 'HKLM'],
  ];
  for (const [name, hive] of HIVES) {
    test(`[${name}\\...]`, () => {
      const pf = parseReg(`${HEADER}\r\n[${name}\\Software\\\\X\\]\r\n"A"=dword:1`, 'utf-8');
      assert.deepEqual(pf.problems, []);
      const s = only(pf.settings);
      assert.deepEqual([s.hive, s.key, s.origin], [hive, 'Software\\X', `[${name}\\Software\\\\X\\]`]);
    });
  }

  test('abbreviated hives are accepted with a warning', () => {
    for (const [abbr, full, hive] of [
      ['HKLM', 'HKEY_LOCAL_MACHINE', 'HKLM'],
      ['hkcu', 'HKEY_CURRENT_USER', 'HKCU'],
      ['HKU', 'HKEY_USERS', 'HKU'],
      ['HKCR', 'HKEY_CLASSES_ROOT', 'HKCR'],
      ['HKCC', 'HKEY_CURRENT_CONFIG', 'HKCC'],
    ]) {
      const pf = parseReg(`${HEADER}\r\n[${abbr}\\S]\r\n"A"=dword:1`, 'utf-8');
      const p = only(pf.problems);
      assert.deepEqual(
        [p.severity, p.message, slice(pf, p.span)],
        [
          'warning',
          `"${abbr}" is an abbreviation; .reg files need the full hive name ${full}, and Windows may reject this key. It was read as ${full}.`,
          abbr,
        ],
      );
      assert.equal(only(pf.settings).hive, hive);
    }
  });

  const BAD_KEYS: Array<[string, string, string]> = [
    ['[HKEY_LOCAL_MACHIN\\S]', 'HKEY_LOCAL_MACHIN', '"HKEY_LOCAL_MACHIN"'],
    ['[ HKEY_LOCAL_MACHINE\\S]', ' HKEY_LOCAL_MACHINE', '" HKEY_LOCAL_MACHINE"'],
    ['[MACHINE\\S]', 'MACHINE', '"MACHINE"'],
    ['[HKEY_DYN_DATA\\S]', 'HKEY_DYN_DATA', '"HKEY_DYN_DATA"'],
    ['[]', '[]', '""'],
    ['[\\S]', '[\\S]', '""'],
  ];
  for (const [line, at, quoted] of BAD_KEYS) {
    test(`unknown hive: ${line}`, () => {
      const pf = parseReg(`${HEADER}\r\n${line}\r\n"A"=dword:1\r\n"B"=dword:2\r\n${KEY}\r\n"C"=dword:3`, 'utf-8');
      const p = only(pf.problems);
      assert.deepEqual(
        [p.severity, p.message, slice(pf, p.span)],
        [
          'error',
          `Unknown registry hive ${quoted}; expected HKEY_LOCAL_MACHINE, HKEY_CURRENT_USER, HKEY_USERS, HKEY_CLASSES_ROOT or HKEY_CURRENT_CONFIG right after "[". Values up to the next key line are ignored.`,
          at,
        ],
      );
      assert.deepEqual(
        pf.settings.map((s) => s.name),
        ['C'],
      );
    });
  }

  test('a key line without "]" ignores its values; text after "]" is a warning', () => {
    const pf = parseReg(`${HEADER}\r\n[HKEY_LOCAL_MACHINE\\S\r\n"A"=dword:1\r\n[HKEY_LOCAL_MACHINE\\T] junk\r\n"B"=dword:2`, 'utf-8');
    assert.deepEqual(
      pf.problems.map((p) => [p.severity, p.message, slice(pf, p.span)]),
      [
        ['error', 'Expected "]" at the end of the key line. Values up to the next key line are ignored.', '[HKEY_LOCAL_MACHINE\\S'],
        ['warning', 'Unexpected text after "]"; expected nothing after the key name, found "junk".', 'junk'],
      ],
    );
    assert.deepEqual(
      pf.settings.map((s) => [s.key, s.name]),
      [['T', 'B']],
    );
  });

  test('[-key] deletes the key; values under it are ignored with a warning', () => {
    const text = `${HEADER}\r\n\r\n[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Old]\r\n"A"=dword:1\r\n\r\n${KEY}\r\n"B"=dword:2`;
    const pf = parseReg(text, 'utf-8');
    const [del, b] = pf.settings;
    assert.equal(pf.settings.length, 2);
    assert.deepEqual(
      { hive: del.hive, key: del.key, name: del.name, type: del.type, value: del.value, state: del.state, deleteScope: del.deleteScope, origin: del.origin },
      {
        hive: 'HKLM',
        key: 'SOFTWARE\\Old',
        name: '',
        type: null,
        value: null,
        state: 'deleted',
        deleteScope: 'key',
        origin: 'key delete [-HKEY_LOCAL_MACHINE\\SOFTWARE\\Old]',
      },
    );
    assert.equal(slice(pf, del.span), '[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Old]');
    assert.deepEqual([b.key, b.name, b.value], ['SOFTWARE\\Test', 'B', 2]);
    const p = only(pf.problems);
    assert.deepEqual(
      [p.severity, p.message, slice(pf, p.span)],
      [
        'warning',
        'This value follows the key deletion "[-HKEY_LOCAL_MACHINE\\SOFTWARE\\Old]"; Windows writes no values under a key deletion line, so it is ignored.',
        '"A"=dword:1',
      ],
    );
  });

  test('values before any key line are errors', () => {
    const pf = parseReg(`${HEADER}\r\n"A"=hex:01,\\\r\n  02\r\n${KEY}\r\n"B"=dword:2`, 'utf-8');
    const p = only(pf.problems);
    assert.deepEqual(
      [p.severity, p.message, slice(pf, p.span)],
      ['error', 'This value comes before any [key] line, so it has no key and is ignored.', '"A"=hex:01,\\'],
    );
    assert.deepEqual(
      pf.settings.map((s) => s.name),
      ['B'],
    );
  });

  test('other lines', () => {
    const pf = reg('foo=bar', 'Name=dword:1');
    assert.deepEqual(
      pf.problems.map((p) => [p.message, slice(pf, p.span)]),
      [
        ['Expected a [key] line, a "name"=data line, @=data or a ; comment; found "foo=bar".', 'foo=bar'],
        ['Expected a [key] line, a "name"=data line, @=data or a ; comment; found "Name=dword:1".', 'Name=dword:1'],
      ],
    );
  });
});

describe('parseReg: comments', () => {
  test('; and # comment lines, indented or not; text after the marker, span from the marker', () => {
    const pf = reg('; one', '  #two', ';', '"A"=dword:1');
    assert.deepEqual(
      pf.comments.map((c) => [c.text, slice(pf, c.span), lineOf(pf, c.span.start)]),
      [
        [' one', '; one', 4],
        ['two', '#two', 5],
        ['', ';', 6],
      ],
    );
    assert.deepEqual(pf.problems, []);
    assert.equal(pf.settings.length, 1);
  });
});

describe('parseReg: duplicates', () => {
  test('set twice across two blocks of the same key', () => {
    const pf = parseReg(
      [HEADER, '[HKEY_LOCAL_MACHINE\\SYSTEM\\X]', '"Val"=dword:1', '', '[HKEY_LOCAL_MACHINE\\system\\x]', '"val"=dword:0', '@="a"', '@="b"'].join('\r\n'),
      'utf-8',
    );
    assert.equal(pf.settings.length, 4);
    assert.deepEqual(
      pf.problems.map((p) => [p.code, p.severity, p.message, slice(pf, p.span), p.related?.map((r) => [r.message, slice(pf, r.span)])]),
      [
        [
          'duplicate',
          'warning',
          'HKEY_LOCAL_MACHINE\\system\\x\\val is set again here; it was first set on line 3. Windows applies .reg lines in order, so the later line wins.',
          '"val"=dword:0',
          [['first set here', '"Val"=dword:1']],
        ],
        [
          'duplicate',
          'warning',
          'HKEY_LOCAL_MACHINE\\system\\x\\(Default) is set again here; it was first set on line 7. Windows applies .reg lines in order, so the later line wins.',
          '@="b"',
          [['first set here', '@="a"']],
        ],
      ],
    );
  });

  test('set then deleted, and deleted then set', () => {
    const pf = reg('"A"=dword:1', '"A"=-', '"B"=-', '"B"=dword:1');
    assert.deepEqual(
      pf.problems.map((p) => [p.message, p.related![0].message]),
      [
        [
          'HKEY_LOCAL_MACHINE\\SOFTWARE\\Test\\A is deleted here; it was set on line 4. Windows applies .reg lines in order, so the later line wins.',
          'first set here',
        ],
        [
          'HKEY_LOCAL_MACHINE\\SOFTWARE\\Test\\B is set here; it was deleted on line 6. Windows applies .reg lines in order, so the later line wins.',
          'deleted here',
        ],
      ],
    );
  });

  test('a bar in the key or the name does not join two values (key A|B name C, key A name B|C)', () => {
    const pf = parseReg([HEADER, '[HKEY_LOCAL_MACHINE\\SOFTWARE\\A|B]', '"C"=dword:1', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\A]', '"B|C"=dword:1'].join('\n'), 'utf-8');
    assert.deepEqual(
      pf.settings.map((s) => [s.key, s.name]),
      [
        ['SOFTWARE\\A|B', 'C'],
        ['SOFTWARE\\A', 'B|C'],
      ],
    );
    assert.deepEqual(pf.problems, []);
  });

  test('same name under another key or hive is not a duplicate', () => {
    const pf = parseReg([HEADER, KEY, '"A"=dword:1', '[HKEY_CURRENT_USER\\SOFTWARE\\Test]', '"A"=dword:1', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Test\\Sub]', '"A"=dword:1'].join('\n'), 'utf-8');
    assert.deepEqual([pf.problems, pf.settings.length], [[], 3]);
  });
});

describe('parseReg: decoding notes, line ends, limits', () => {
  test('odd-length UTF-16 string data keeps the text and warns', () => {
    const pf = reg('"A"=hex(2):41,00,42');
    const p = only(pf.problems);
    assert.deepEqual(
      [p.severity, p.message, slice(pf, p.span)],
      ['warning', 'The REG_EXPAND_SZ data has an odd number of bytes (3); UTF-16LE text uses byte pairs, so the last byte was ignored.', 'hex(2):41,00,42'],
    );
    assert.equal(only(pf.settings).value, 'A');
  });

  test('CR-only and LF line ends; eol is the dominant one', () => {
    const pf = parseReg(`${HEADER}\r${KEY}\n"A"=hex:01,\\\r  02\n"B"=dword:2\n`, 'utf-8');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(
      pf.settings.map((s) => [s.name, s.value, slice(pf, s.span)]),
      [
        ['A', '0102', '"A"=hex:01,\\\r  02'],
        ['B', 2, '"B"=dword:2'],
      ],
    );
    assert.equal(pf.eol, '\n');
  });

  test('at most 200 problems are listed, then one summary', () => {
    const lines: string[] = [];
    for (let i = 0; i < 500; i++) lines.push(`junk ${i}`);
    const pf = reg(...lines);
    assert.equal(pf.problems.length, 201);
    assert.deepEqual(
      [pf.problems[200].code, pf.problems[200].message],
      ['limit', '300 more problems in this file were not listed; relaylint lists at most 200 per file.'],
    );
  });

  test('a 1 MB hex line, wrapped hex data and 300k unclosed lines parse in linear time', { timeout: 20_000 }, () => {
    const one = reg(`"Big"=hex:${'ab,'.repeat(350_000)}cd`);
    assert.equal((only(one.settings).value as string).length, 700_002);
    const wrapped = regLines([`"Big"=hex:00,\\`, ...new Array<string>(200_000).fill('  01,02,03,04,05,06,07,08,09,0a,\\'), '  ff']);
    assert.equal((only(wrapped.settings).value as string).length, 2 * (1 + 200_000 * 10 + 1));
    for (const junk of ['"abc\n', '[abc\n', '"a"="b\n', '@=hex:1\\\n']) {
      const pf = parseReg(`${HEADER}\n${KEY}\n${junk.repeat(300_000)}`, 'utf-8');
      assert.equal(pf.problems.length, 201);
    }
  });

  test('a 50 MB file parses', { timeout: 60_000 }, () => {
    const block = `${KEY}\r\n"RequireSecuritySignature"=dword:00000001\r\n"List"=hex(7):61,00,00,00,\\\r\n  00,00\r\n\r\n`;
    const count = Math.ceil((50 * 1024 * 1024) / block.length);
    const pf = parseReg(`${HEADER}\r\n\r\n${block.repeat(count)}`, 'utf-16le-bom');
    assert.equal(pf.settings.length, 2 * count);
    assert.deepEqual(pf.settings[1].value, ['a']);
    assert.equal(pf.problems.length, 201);
  });
});

// ---------------------------------------------------------------------------------------------
// Robustness: randomly mutated corpus files never throw and keep every span inside the text.
// ---------------------------------------------------------------------------------------------

/** mulberry32: small seeded PRNG, so a failure can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = '[]"\\=,;#@-:() \t\r\n0123456789abcdefxhHKEYdword\uFEFF\u00e9';

function mutate(text: string, rand: () => number): string {
  let t = text;
  const steps = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < steps; i++) {
    const at = Math.floor(rand() * (t.length + 1));
    switch (Math.floor(rand() * 5)) {
      case 0:
        t = t.slice(0, at) + t.slice(at + Math.floor(rand() * 40));
        break;
      case 1: {
        let ins = '';
        const n = 1 + Math.floor(rand() * 8);
        for (let k = 0; k < n; k++) ins += ALPHABET[Math.floor(rand() * ALPHABET.length)];
        t = t.slice(0, at) + ins + t.slice(at);
        break;
      }
      case 2:
        t = t.slice(0, at);
        break;
      case 3: {
        const from = Math.floor(rand() * (t.length + 1));
        t = t.slice(0, at) + t.slice(from, from + Math.floor(rand() * 200)) + t.slice(at);
        break;
      }
      default:
        t = t.slice(0, at) + ALPHABET[Math.floor(rand() * ALPHABET.length)] + t.slice(at + 1);
    }
  }
  return t;
}

describe('parseReg: robustness', () => {
  test('400 mutated corpus files: no throw, every span inside the text', () => {
    const files = [
      'repzilon__DisableSMBv1.reg',
      'altanos__harden.reg',
      'palantir-wef__WEC-Authentication.reg',
      'repzilon-win98__win2000.reg',
      'detectionlab__MakeWindows10GreatAgain.reg',
    ].map((f) => load(f).text);
    // A slice of the large CIS file keeps the loop fast.
    files.push(load('cisl1-standalone__Hardening.reg').text.slice(0, 12_000));
    const rand = prng(0x5eed);
    for (let i = 0; i < 400; i++) {
      const text = mutate(files[i % files.length], rand);
      const pf = parseReg(text, 'utf-8');
      assert.equal(pf.text, text);
      assertSpansInside(pf);
      for (const s of pf.settings) {
        if (s.state === 'set') assert.ok(s.valueSpan && s.valueSpan.end > s.valueSpan.start, `iteration ${i}: empty value span`);
      }
    }
  });
});
