import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseInf } from '../../../server/src/core/parsers/inf';
import { LineIndex, decode } from '../../../server/src/core/text';
import type { Encoding, ParsedFile, RegData, RegType, Setting, Span } from '../../../server/src/core/types';

// Compiled to .test-out/test/unit/parsers/; fixtures stay in the source tree.
const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'inf');

function load(file: string): { text: string; encoding: Encoding } {
  const d = decode(readFileSync(join(FIXTURES, file)));
  return { text: d.text, encoding: d.encoding };
}

function slice(pf: ParsedFile, s: Span | undefined): string {
  assert.ok(s, 'span expected');
  return pf.text.slice(s.start, s.end);
}

/** 1-based line of an offset. */
function lineOf(pf: ParsedFile, offset: number): number {
  return new LineIndex(pf.text).positionAt(offset).line + 1;
}

/** Parse a UTF-16LE+BOM template given as lines (the encoding GPMC writes, so no encoding problem). */
function inf(...lines: string[]): ParsedFile {
  return parseInf(lines.join('\r\n'), 'utf-16le-bom');
}

function only<T>(items: T[]): T {
  assert.equal(items.length, 1, `expected exactly one item, got ${items.length}: ${JSON.stringify(items)}`);
  return items[0];
}

function find(pf: ParsedFile, key: string, name: string): Setting {
  return only(pf.settings.filter((s) => s.key === key && s.name === name));
}

/** Every span of a parse result lies inside the text, and the derived texts match their spans. */
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
  for (const sec of pf.sections ?? []) {
    ok(sec.headerSpan, 'section.headerSpan');
    ok(sec.span, 'section.span');
    assert.ok(sec.headerSpan.start === sec.span.start && sec.headerSpan.end <= sec.span.end, 'header inside section');
  }
  for (const e of pf.entries ?? []) {
    ok(e.span, 'entry.span');
    ok(e.keySpan, 'entry.keySpan');
    ok(e.valueSpan, 'entry.valueSpan');
    assert.equal(e.key, pf.text.slice(e.keySpan.start, e.keySpan.end));
    assert.equal(e.value, pf.text.slice(e.valueSpan.start, e.valueSpan.end));
  }
  assert.ok(pf.problems.length <= 201, 'problem list is capped');
}

// ---------------------------------------------------------------------------------------------
// Real corpus files. Expected values and line numbers were read from the raw bytes with
// `iconv -f utf-16le -t utf-8 | grep -n`, independently of the parser.
// ---------------------------------------------------------------------------------------------

interface CorpusValue {
  line: number;
  key: string;
  name: string;
  type: RegType;
  value: RegData;
  /** The `<type>,<data>` text the value span must cover. */
  valueText: string;
}

interface CorpusCase {
  file: string;
  encoding: Encoding;
  eol: '\r\n' | '\n';
  settings: number;
  entries: number;
  sections: string[];
  values: CorpusValue[];
}

const LMS = 'System\\CurrentControlSet\\Services\\LanManServer\\Parameters';
const LMW = 'System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters';
const NTDS = 'System\\CurrentControlSet\\Services\\NTDS\\Parameters';

const CORPUS: CorpusCase[] = [
  {
    file: 'goad-north-ddcp__GptTmpl.inf',
    encoding: 'utf-16le-bom',
    eol: '\r\n',
    settings: 4,
    entries: 31,
    sections: ['Unicode', 'Registry Values', 'Privilege Rights', 'Version'],
    values: [
      { line: 4, key: NTDS, name: 'LDAPServerIntegrity', type: 'REG_DWORD', value: 1, valueText: '4,1' },
      {
        line: 5,
        key: 'System\\CurrentControlSet\\Services\\Netlogon\\Parameters',
        name: 'RequireSignOrSeal',
        type: 'REG_DWORD',
        value: 1,
        valueText: '4,1',
      },
      { line: 6, key: LMS, name: 'RequireSecuritySignature', type: 'REG_DWORD', value: 1, valueText: '4,1' },
      { line: 7, key: LMS, name: 'EnableSecuritySignature', type: 'REG_DWORD', value: 1, valueText: '4,1' },
    ],
  },
  {
    file: 'hardenad-smb-signing-configuration__GptTmpl.inf',
    encoding: 'utf-16le-bom',
    eol: '\r\n',
    settings: 3,
    entries: 6,
    sections: ['Unicode', 'Registry Values', 'Version'],
    values: [
      { line: 4, key: LMW, name: 'RequireSecuritySignature', type: 'REG_DWORD', value: 1, valueText: '4,1' },
      { line: 5, key: LMW, name: 'EnableSecuritySignature', type: 'REG_DWORD', value: 1, valueText: '4,1' },
      { line: 6, key: LMW, name: 'EnablePlainTextPassword', type: 'REG_DWORD', value: 0, valueText: '4,0' },
    ],
  },
  {
    file: 'sos-dod-ws2019-dc__GptTmpl.inf',
    encoding: 'utf-16le-bom',
    eol: '\r\n',
    settings: 42,
    entries: 89,
    sections: ['Unicode', 'System Access', 'Version', 'Privilege Rights', 'Registry Values'],
    values: [
      {
        line: 53,
        key: 'System\\CurrentControlSet\\Control\\Lsa',
        name: 'RestrictRemoteSAM',
        type: 'REG_SZ',
        value: 'O:BAG:BAD:(A;;RC;;;BA)',
        valueText: '1,"O:BAG:BAD:(A;;RC;;;BA)"',
      },
      { line: 55, key: NTDS, name: 'LDAPServerIntegrity', type: 'REG_DWORD', value: 2, valueText: '4,2' },
      { line: 64, key: LMW, name: 'RequireSecuritySignature', type: 'REG_DWORD', value: 1, valueText: '4,1' },
      { line: 68, key: LMS, name: 'RequireSecuritySignature', type: 'REG_DWORD', value: 1, valueText: '4,1' },
      {
        line: 77,
        key: 'System\\CurrentControlSet\\Control\\Lsa\\MSV1_0',
        name: 'NTLMMinServerSec',
        type: 'REG_DWORD',
        value: 537395200,
        valueText: '4,537395200',
      },
      {
        line: 84,
        key: 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System\\Kerberos\\Parameters',
        name: 'SupportedEncryptionTypes',
        type: 'REG_DWORD',
        value: 2147483640,
        valueText: '4,2147483640',
      },
    ],
  },
  {
    // ASCII with LF line ends (a DSC test template, not GPMC output).
    file: 'securitypolicydsc__sample.inf',
    encoding: 'ascii',
    eol: '\n',
    settings: 62,
    entries: 121,
    sections: ['Unicode', 'System Access', 'Event Audit', 'Registry Values', 'Version', 'Privilege Rights'],
    values: [
      {
        line: 46,
        key: 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System',
        name: 'LegalNoticeCaption',
        type: 'REG_SZ',
        value: '',
        valueText: '1,""',
      },
      {
        line: 47,
        key: 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System',
        name: 'LegalNoticeText',
        type: 'REG_MULTI_SZ',
        value: [],
        valueText: '7,',
      },
      {
        line: 60,
        key: 'System\\CurrentControlSet\\Control\\Lsa',
        name: 'FullPrivilegeAuditing',
        type: 'REG_BINARY',
        value: '0',
        valueText: '3,0',
      },
      {
        line: 80,
        key: LMS,
        name: 'NullSessionPipes',
        type: 'REG_MULTI_SZ',
        value: ['SQL\\QUERY', 'EPMAPPER', 'LOCATOR', 'TrkWks', 'TrkSvr'],
        valueText: '7,SQL\\QUERY,EPMAPPER,LOCATOR,TrkWks,TrkSvr',
      },
      { line: 81, key: LMS, name: 'RequireSecuritySignature', type: 'REG_DWORD', value: 0, valueText: '4,0' },
      { line: 85, key: LMW, name: 'RequireSecuritySignature', type: 'REG_DWORD', value: 0, valueText: '4,0' },
    ],
  },
  {
    file: 'group3r-2CE5ACF5__GptTmpl.inf',
    encoding: 'utf-16le-bom',
    eol: '\r\n',
    settings: 78,
    entries: 154,
    sections: [
      'Unicode',
      'Version',
      'System Access',
      'Kerberos Policy',
      'Event Audit',
      'Privilege Rights',
      'Registry Values',
      'Group Membership',
      'Service General Setting',
      'Registry Keys',
    ],
    values: [
      {
        line: 95,
        key: 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System',
        name: 'LegalNoticeText',
        type: 'REG_MULTI_SZ',
        value: ['the password is password lol'],
        valueText: '7,the password is password lol',
      },
      {
        line: 138,
        key: LMS,
        name: 'NullSessionPipes',
        type: 'REG_MULTI_SZ',
        value: ['COMNAP', 'COMNODE', 'SQL\\QUERY', 'LLSRPC', 'BROWSER', 'netlogon', 'samr'],
        valueText: '7,COMNAP,COMNODE,SQL\\QUERY,LLSRPC,BROWSER,netlogon,samr',
      },
      { line: 140, key: LMS, name: 'RequireSecuritySignature', type: 'REG_DWORD', value: 0, valueText: '4,0' },
      { line: 145, key: LMW, name: 'RequireSecuritySignature', type: 'REG_DWORD', value: 1, valueText: '4,1' },
      { line: 157, key: NTDS, name: 'LDAPServerIntegrity', type: 'REG_DWORD', value: 2, valueText: '4,2' },
    ],
  },
];

describe('parseInf: corpus files', () => {
  for (const c of CORPUS) {
    test(c.file, () => {
      const { text, encoding } = load(c.file);
      assert.equal(encoding, c.encoding);
      const pf = parseInf(text, encoding);
      assert.equal(pf.format, 'inf');
      assert.equal(pf.encoding, c.encoding);
      assert.equal(pf.eol, c.eol);
      assert.equal(pf.settings.length, c.settings);
      assert.equal(pf.entries?.length, c.entries);
      assert.deepEqual(
        pf.sections?.map((s) => s.name),
        c.sections,
      );
      assert.deepEqual(pf.comments, []);
      const rawLines = text.split(/\r\n|\n|\r/);
      for (const v of c.values) {
        const s = find(pf, v.key, v.name);
        const expectedLine = `MACHINE\\${v.key}\\${v.name}=${v.valueText}`;
        assert.equal(rawLines[v.line - 1], expectedLine, 'fixture line (independent of the parser)');
        assert.equal(slice(pf, s.span), expectedLine);
        assert.equal(lineOf(pf, s.span.start), v.line);
        assert.equal(slice(pf, s.valueSpan), v.valueText);
        assert.equal(slice(pf, s.nameSpan), v.name);
        assert.deepEqual(
          { hive: s.hive, type: s.type, value: s.value, state: s.state, valueSyntax: s.valueSyntax, origin: s.origin },
          { hive: 'HKLM', type: v.type, value: v.value, state: 'set', valueSyntax: 'inf', origin: '[Registry Values]' },
        );
      }
      if (c.encoding === 'utf-16le-bom') {
        assert.deepEqual(pf.problems, []);
      } else {
        assert.deepEqual(pf.problems, [
          {
            code: 'encoding',
            severity: 'warning',
            message:
              'This security template is ASCII. GPMC and MS-GPSB use UTF-16LE with a BOM (FF FE); Windows or other tools may not read it as intended.',
            span: { start: 0, end: '[Unicode]'.length },
          },
        ]);
      }
      assertSpansInside(pf);
    });
  }

  test('goad-north-ddcp: section spans run from the header to the end of the last body line', () => {
    const { text, encoding } = load('goad-north-ddcp__GptTmpl.inf');
    const pf = parseInf(text, encoding);
    const [unicode, rv, , version] = pf.sections!;
    assert.equal(slice(pf, unicode.headerSpan), '[Unicode]');
    assert.equal(slice(pf, unicode.span), '[Unicode]\r\nUnicode=yes');
    assert.equal(slice(pf, rv.headerSpan), '[Registry Values]');
    assert.equal(
      slice(pf, rv.span),
      [
        '[Registry Values]',
        'MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,1',
        'MACHINE\\System\\CurrentControlSet\\Services\\Netlogon\\Parameters\\RequireSignOrSeal=4,1',
        'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,1',
        'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\EnableSecuritySignature=4,1',
      ].join('\r\n'),
    );
    assert.equal(slice(pf, version.span), '[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1');
    // Entries of other sections: spaced `Key = value` and the [Version] lines.
    const sig = only(pf.entries!.filter((e) => e.key === 'signature'));
    assert.deepEqual([sig.section, sig.value, slice(pf, sig.span), lineOf(pf, sig.span.start)], [
      'Version',
      '"$CHICAGO$"',
      'signature="$CHICAGO$"',
      34,
    ]);
    const machineRight = only(pf.entries!.filter((e) => e.key === 'SeMachineAccountPrivilege'));
    assert.deepEqual(
      [machineRight.section, machineRight.value, slice(pf, machineRight.valueSpan), lineOf(pf, machineRight.span.start)],
      ['Privilege Rights', '*S-1-5-11', '*S-1-5-11', 20],
    );
  });

  test('sos-dod-ws2019-dc: an empty privilege right is an entry with an empty value', () => {
    const { text, encoding } = load('sos-dod-ws2019-dc__GptTmpl.inf');
    const pf = parseInf(text, encoding);
    const e = only(pf.entries!.filter((x) => x.key === 'SeTrustedCredManAccessPrivilege'));
    assert.equal(lineOf(pf, e.span.start), 21);
    assert.equal(slice(pf, e.span), 'SeTrustedCredManAccessPrivilege =');
    assert.equal(e.value, '');
    assert.deepEqual(e.valueSpan, { start: e.span.end, end: e.span.end });
    // The [Registry Values] lines are entries too, keyed by their registry path.
    const rv = only(pf.entries!.filter((x) => x.key.endsWith('\\LDAPServerIntegrity')));
    assert.deepEqual([rv.section, rv.key, rv.value], ['Registry Values', `MACHINE\\${NTDS}\\LDAPServerIntegrity`, '4,2']);
  });

  test('cisl1-standalone: [Service General Setting] record lines are neither entries nor problems', () => {
    const { text, encoding } = load('cisl1-standalone__Security.inf');
    const pf = parseInf(text, encoding);
    assert.deepEqual(pf.problems, []);
    assert.equal(pf.settings.length, 0);
    assert.equal(pf.entries!.length, 39);
    assert.equal(pf.entries!.filter((e) => e.section === 'Service General Setting').length, 0);
    const sgs = pf.sections!.find((s) => s.name === 'Service General Setting')!;
    assert.equal(lineOf(pf, sgs.span.start), 44);
    assert.ok(slice(pf, sgs.span).endsWith('"XboxNetApiSvc",4,""'));
  });

  test('group3r: [Registry Keys] with a quoted MACHINE path is not a registry value', () => {
    const { text, encoding } = load('group3r-2CE5ACF5__GptTmpl.inf');
    const pf = parseInf(text, encoding);
    assert.equal(pf.entries!.filter((e) => e.section === 'Registry Keys').length, 0);
    assert.ok(pf.settings.every((s) => lineOf(pf, s.span.start) >= 80 && lineOf(pf, s.span.start) <= 157));
  });

  test('swmb: an empty [Registry Values] section at the end of the file', () => {
    const { text, encoding } = load('swmb__GptTmpl.inf');
    const pf = parseInf(text, encoding);
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(pf.settings, []);
    const last = pf.sections![pf.sections!.length - 1];
    assert.equal(last.name, 'Registry Values');
    assert.equal(slice(pf, last.headerSpan), '[Registry Values]');
    assert.equal(slice(pf, last.span), '[Registry Values]');
    assert.equal(lineOf(pf, last.span.start), 11);
  });
});

// ---------------------------------------------------------------------------------------------
// [Registry Values] line syntax, table driven.
// ---------------------------------------------------------------------------------------------

interface GoodLine {
  line: string;
  key: string;
  name: string;
  type: RegType;
  value: RegData;
  nameText: string;
  valueText: string;
}

const GOOD_LINES: GoodLine[] = [
  {
    line: 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,1',
    key: LMS,
    name: 'RequireSecuritySignature',
    type: 'REG_DWORD',
    value: 1,
    nameText: 'RequireSecuritySignature',
    valueText: '4,1',
  },
  {
    line: 'machine\\System\\X\\Name = 4 , 0',
    key: 'System\\X',
    name: 'Name',
    type: 'REG_DWORD',
    value: 0,
    nameText: 'Name',
    valueText: '4 , 0',
  },
  {
    line: '\t  MACHINE\\System\\X\\Name=4,2  ',
    key: 'System\\X',
    name: 'Name',
    type: 'REG_DWORD',
    value: 2,
    nameText: 'Name',
    valueText: '4,2',
  },
  {
    line: '"MACHINE\\Software\\Foo Bar\\Value Name"=4,1',
    key: 'Software\\Foo Bar',
    name: 'Value Name',
    type: 'REG_DWORD',
    value: 1,
    nameText: 'Value Name',
    valueText: '4,1',
  },
  {
    line: '"MACHINE\\Software\\X\\A=B" = 4,1',
    key: 'Software\\X',
    name: 'A=B',
    type: 'REG_DWORD',
    value: 1,
    nameText: 'A=B',
    valueText: '4,1',
  },
  { line: 'MACHINE\\S\\X\\N=4,0x10', key: 'S\\X', name: 'N', type: 'REG_DWORD', value: 16, nameText: 'N', valueText: '4,0x10' },
  { line: 'MACHINE\\S\\X\\N=4,0X0000000A', key: 'S\\X', name: 'N', type: 'REG_DWORD', value: 10, nameText: 'N', valueText: '4,0X0000000A' },
  { line: 'MACHINE\\S\\X\\N=4,4294967295', key: 'S\\X', name: 'N', type: 'REG_DWORD', value: 4294967295, nameText: 'N', valueText: '4,4294967295' },
  { line: 'MACHINE\\S\\X\\N=4,000000000001', key: 'S\\X', name: 'N', type: 'REG_DWORD', value: 1, nameText: 'N', valueText: '4,000000000001' },
  { line: 'MACHINE\\S\\X\\N=0004,7', key: 'S\\X', name: 'N', type: 'REG_DWORD', value: 7, nameText: 'N', valueText: '0004,7' },
  { line: 'MACHINE\\S\\X\\N=1,"1"', key: 'S\\X', name: 'N', type: 'REG_SZ', value: '1', nameText: 'N', valueText: '1,"1"' },
  { line: 'MACHINE\\S\\X\\N=1,plain text', key: 'S\\X', name: 'N', type: 'REG_SZ', value: 'plain text', nameText: 'N', valueText: '1,plain text' },
  { line: 'MACHINE\\S\\X\\N=1,""', key: 'S\\X', name: 'N', type: 'REG_SZ', value: '', nameText: 'N', valueText: '1,""' },
  { line: 'MACHINE\\S\\X\\N=1,"', key: 'S\\X', name: 'N', type: 'REG_SZ', value: '"', nameText: 'N', valueText: '1,"' },
  { line: 'MACHINE\\S\\X\\N=1,""a""', key: 'S\\X', name: 'N', type: 'REG_SZ', value: '"a"', nameText: 'N', valueText: '1,""a""' },
  { line: 'MACHINE\\S\\X\\N=2,"%SystemRoot%\\x"', key: 'S\\X', name: 'N', type: 'REG_EXPAND_SZ', value: '%SystemRoot%\\x', nameText: 'N', valueText: '2,"%SystemRoot%\\x"' },
  { line: 'MACHINE\\S\\X\\N=3,0', key: 'S\\X', name: 'N', type: 'REG_BINARY', value: '0', nameText: 'N', valueText: '3,0' },
  { line: 'MACHINE\\S\\X\\N=7,', key: 'S\\X', name: 'N', type: 'REG_MULTI_SZ', value: [], nameText: 'N', valueText: '7,' },
  {
    line: 'MACHINE\\S\\X\\N=7,,netlogon,samr',
    key: 'S\\X',
    name: 'N',
    type: 'REG_MULTI_SZ',
    value: ['', 'netlogon', 'samr'],
    nameText: 'N',
    valueText: '7,,netlogon,samr',
  },
  { line: 'MACHINE\\S\\X\\N=7,a, b ,', key: 'S\\X', name: 'N', type: 'REG_MULTI_SZ', value: ['a', ' b ', ''], nameText: 'N', valueText: '7,a, b ,' },
  { line: 'MACHINE\\S\\X\\N=11,0100', key: 'S\\X', name: 'N', type: 'REG_TYPE_11', value: '0100', nameText: 'N', valueText: '11,0100' },
  { line: 'MACHINE\\S\\X\\N=0,', key: 'S\\X', name: 'N', type: 'REG_TYPE_0', value: '', nameText: 'N', valueText: '0,' },
  { line: 'MACHINE\\\\S\\\\X\\\\N=4,1', key: 'S\\X', name: 'N', type: 'REG_DWORD', value: 1, nameText: 'N', valueText: '4,1' },
  { line: 'MACHINE\\N=4,1', key: '', name: 'N', type: 'REG_DWORD', value: 1, nameText: 'N', valueText: '4,1' },
];

describe('parseInf: [Registry Values] lines that give a setting', () => {
  for (const g of GOOD_LINES) {
    test(JSON.stringify(g.line), () => {
      const pf = inf('[Registry Values]', g.line, '[Version]');
      assert.deepEqual(pf.problems, []);
      const s = only(pf.settings);
      assert.deepEqual(
        { hive: s.hive, key: s.key, name: s.name, type: s.type, value: s.value, state: s.state },
        { hive: 'HKLM', key: g.key, name: g.name, type: g.type, value: g.value, state: 'set' },
      );
      assert.equal(slice(pf, s.span), g.line);
      assert.equal(slice(pf, s.nameSpan), g.nameText);
      assert.equal(slice(pf, s.valueSpan), g.valueText);
      assert.equal(s.valueSyntax, 'inf');
      assert.equal(s.origin, '[Registry Values]');
      assert.equal(only(pf.entries!).section, 'Registry Values');
      assertSpansInside(pf);
    });
  }
});

interface BadLine {
  line: string;
  message: string;
  /** The text the problem span covers. */
  at: string;
  /** Whether the line still counts as a `key = value` entry. */
  entry: boolean;
}

const TYPES = '1 = REG_SZ, 2 = REG_EXPAND_SZ, 3 = REG_BINARY, 4 = REG_DWORD, 7 = REG_MULTI_SZ';
const SHAPE = 'MACHINE\\<key path>\\<value name>=<type>,<data>';

const BAD_LINES: BadLine[] = [
  { line: 'MACHINE\\S\\X\\N 4,1', message: `Expected ${SHAPE}; this line has no "=".`, at: 'MACHINE\\S\\X\\N 4,1', entry: false },
  {
    line: 'MACHINE\\S\\X\\N=',
    message: 'Expected "<type>,<data>" after "=" (for example 4,1 for a REG_DWORD of 1).',
    at: 'MACHINE\\S\\X\\N=',
    entry: true,
  },
  { line: 'MACHINE\\S\\X\\N=4', message: 'Expected "," and the data after the type number 4.', at: '4', entry: true },
  { line: 'MACHINE\\S\\X\\N=4 ', message: 'Expected "," and the data after the type number 4.', at: '4', entry: true },
  {
    line: 'MACHINE\\S\\X\\N=x,1',
    message: `Expected the registry type as a decimal number (${TYPES}); found "x".`,
    at: 'x',
    entry: true,
  },
  {
    line: 'MACHINE\\S\\X\\N=4x ,1',
    message: `Expected the registry type as a decimal number (${TYPES}); found "4x".`,
    at: '4x',
    entry: true,
  },
  {
    line: 'MACHINE\\S\\X\\N=REG_DWORD',
    message: `Expected the registry type as a decimal number (${TYPES}); found "REG_DWORD".`,
    at: 'REG_DWORD',
    entry: true,
  },
  {
    line: 'MACHINE\\S\\X\\N=99999999999,1',
    message: `The registry type number "99999999999" is out of range; expected one of ${TYPES}.`,
    at: '99999999999',
    entry: true,
  },
  {
    line: 'MACHINE\\S\\X\\N=4,abc',
    message: 'Expected a whole number from 0 to 4294967295 for REG_DWORD data (for example 4,1); found "abc".',
    at: 'abc',
    entry: true,
  },
  {
    line: 'MACHINE\\S\\X\\N=4,"1"',
    message: 'Expected a whole number from 0 to 4294967295 for REG_DWORD data (for example 4,1); found ""1"".',
    at: '"1"',
    entry: true,
  },
  {
    line: 'MACHINE\\S\\X\\N=4,-1',
    message: 'Expected a whole number from 0 to 4294967295 for REG_DWORD data (for example 4,1); found "-1".',
    at: '-1',
    entry: true,
  },
  {
    line: 'MACHINE\\S\\X\\N=4,4294967296',
    message: 'Expected a whole number from 0 to 4294967295 for REG_DWORD data (for example 4,1); found "4294967296".',
    at: '4294967296',
    entry: true,
  },
  {
    line: 'MACHINE\\S\\X\\N=4,0x100000000',
    message: 'Expected a whole number from 0 to 4294967295 for REG_DWORD data (for example 4,1); found "0x100000000".',
    at: '0x100000000',
    entry: true,
  },
  {
    line: 'MACHINE\\S\\X\\N=4,1 ; comment',
    message: 'Expected a whole number from 0 to 4294967295 for REG_DWORD data (for example 4,1); found "1 ; comment".',
    at: '1 ; comment',
    entry: true,
  },
  // `=4,` (no data) is a warning, not an error: test/unit/parsers/reliability.test.ts.
  {
    line: 'USER\\Software\\X\\N=4,1',
    message: 'Expected the registry path to start with MACHINE\\ (HKEY_LOCAL_MACHINE); "USER\\" is not a hive a security template can set.',
    at: 'USER\\',
    entry: true,
  },
  {
    line: 'HKLM\\Software\\X\\N=4,1',
    message: 'Expected the registry path to start with MACHINE\\ (HKEY_LOCAL_MACHINE); "HKLM\\" is not a hive a security template can set.',
    at: 'HKLM\\',
    entry: true,
  },
  { line: 'RequireSecuritySignature=4,1', message: `Expected ${SHAPE}; found "RequireSecuritySignature" before "=".`, at: 'RequireSecuritySignature', entry: true },
  { line: '=4,1', message: `Expected ${SHAPE}; the registry path before "=" is missing.`, at: '=4,1', entry: false },
  { line: '"" = 4,1', message: `Expected ${SHAPE}; the registry path before "=" is missing.`, at: '"" = 4,1', entry: false },
  {
    line: 'MACHINE\\S\\X\\=4,1',
    message: 'Expected a value name after the last "\\" of the registry path.',
    at: 'MACHINE\\S\\X\\',
    entry: true,
  },
  {
    line: '"MACHINE\\S\\X\\N=4,1',
    message: `Expected a closing quote after the quoted registry path; expected ${SHAPE}.`,
    at: '"MACHINE\\S\\X\\N=4,1',
    entry: false,
  },
  {
    line: '"MACHINE\\S\\X\\N" 4,1',
    message: `Expected "=" after the quoted registry path; expected ${SHAPE}.`,
    at: '"MACHINE\\S\\X\\N" 4,1',
    entry: false,
  },
];

describe('parseInf: malformed [Registry Values] lines', () => {
  for (const b of BAD_LINES) {
    test(JSON.stringify(b.line), () => {
      const pf = inf('[Registry Values]', b.line, 'MACHINE\\S\\Next\\Ok=4,1');
      const p = only(pf.problems);
      assert.equal(p.code, 'parse');
      assert.equal(p.severity, 'error');
      assert.equal(p.message, b.message);
      assert.equal(slice(pf, p.span), b.at);
      assert.equal(lineOf(pf, p.span!.start), 2);
      // No setting from the bad line; parsing goes on with the next line.
      assert.deepEqual(
        pf.settings.map((s) => s.name),
        ['Ok'],
      );
      assert.equal(pf.entries!.length, b.entry ? 2 : 1);
      assertSpansInside(pf);
    });
  }
});

// ---------------------------------------------------------------------------------------------
// Duplicates, comments, sections, encodings, line ends.
// ---------------------------------------------------------------------------------------------

describe('parseInf: duplicates', () => {
  test('the same value twice (different case) gives one warning on the later line; both settings stay', () => {
    const first = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,1';
    const second = 'MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters\\requiresecuritysignature=4,0';
    const pf = inf('[Unicode]', 'Unicode=yes', '[Registry Values]', first, 'MACHINE\\S\\Other=4,1', second);
    assert.equal(pf.settings.length, 3);
    assert.deepEqual(
      pf.settings.map((s) => s.value),
      [1, 1, 0],
    );
    const p = only(pf.problems);
    assert.deepEqual(
      { code: p.code, severity: p.severity, message: p.message },
      {
        code: 'duplicate',
        severity: 'warning',
        message:
          'MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters\\requiresecuritysignature is set again here; it was first set on line 4. The file format does not say which one wins.',
      },
    );
    assert.equal(slice(pf, p.span), second);
    assert.equal(only(p.related!).message, 'first set here');
    assert.equal(slice(pf, p.related![0].span), first);
  });

  test('a third occurrence also points at the first line; the same name under another key is not a duplicate', () => {
    const pf = inf('[Registry Values]', 'MACHINE\\A\\N=4,1', 'MACHINE\\B\\N=4,1', 'MACHINE\\A\\N=4,2', 'MACHINE\\A\\N=4,3');
    assert.deepEqual(
      pf.problems.map((p) => [p.code, lineOf(pf, p.span!.start), p.message]),
      [
        ['duplicate', 4, 'MACHINE\\A\\N is set again here; it was first set on line 2. The file format does not say which one wins.'],
        ['duplicate', 5, 'MACHINE\\A\\N is set again here; it was first set on line 2. The file format does not say which one wins.'],
      ],
    );
  });

  test('a bar in the key or the name does not join two values (key A|B name C, key A name B|C)', () => {
    const pf = inf('[Registry Values]', 'MACHINE\\A|B\\C=4,1', 'MACHINE\\A\\B|C=4,1');
    assert.deepEqual(
      pf.settings.map((s) => [s.key, s.name]),
      [
        ['A|B', 'C'],
        ['A', 'B|C'],
      ],
    );
    assert.deepEqual(pf.problems, []);
  });

  test('the same value in two [Registry Values] sections is a duplicate', () => {
    const pf = inf('[Registry Values]', 'MACHINE\\A\\N=4,1', '[Version]', 'Revision=1', '[registry values]', 'MACHINE\\a\\n=4,1');
    assert.equal(only(pf.problems).code, 'duplicate');
    assert.equal(pf.settings.length, 2);
  });
});

describe('parseInf: comments', () => {
  test('comment lines go to comments, not entries, with one hint per file on the first', () => {
    const text = ['; header comment', '[Registry Values]', '  ;indented', 'MACHINE\\A\\N=4,1', ';'].join('\r\n');
    const pf = parseInf(text, 'utf-16le-bom');
    assert.deepEqual(
      pf.comments.map((c) => [c.text, slice(pf, c.span)]),
      [
        [' header comment', '; header comment'],
        ['indented', ';indented'],
        ['', ';'],
      ],
    );
    assert.equal(pf.entries!.length, 1);
    assert.equal(pf.settings.length, 1);
    const p = only(pf.problems);
    assert.deepEqual(
      { code: p.code, severity: p.severity, message: p.message },
      {
        code: 'parse',
        severity: 'hint',
        message:
          'Comment lines are not part of the security template format: GPMC never writes them, and it is not verified that the Group Policy security extension accepts them.',
      },
    );
    assert.equal(slice(pf, p.span), '; header comment');
    // A trailing comment line belongs to the section body.
    assert.equal(slice(pf, pf.sections![0].span), '[Registry Values]\r\n  ;indented\r\nMACHINE\\A\\N=4,1\r\n;');
  });
});

describe('parseInf: sections and other lines', () => {
  test('section names in any case and with blanks; [Version]/[Unicode] may be missing', () => {
    const pf = inf('  [ registry values ]  ', 'MACHINE\\A\\N=4,1');
    assert.deepEqual(pf.problems, []);
    const sec = only(pf.sections!);
    assert.equal(sec.name, 'registry values');
    assert.equal(slice(pf, sec.headerSpan), '[ registry values ]');
    assert.equal(only(pf.settings).value, 1);
    assert.equal(only(pf.entries!).section, 'registry values');
  });

  test('signature="$CHICAGO$" in any case is accepted', () => {
    const pf = inf('[version]', 'SIGNATURE="$chicago$"', 'revision=1');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(
      pf.entries!.map((e) => [e.section, e.key, e.value]),
      [
        ['version', 'SIGNATURE', '"$chicago$"'],
        ['version', 'revision', '1'],
      ],
    );
  });

  const HEADER_CASES: Array<{ lines: string[]; message: string; at: string; sections: string[] }> = [
    {
      lines: ['[Registry Values', 'MACHINE\\A\\N=4,1'],
      message: 'Expected "]" to close the section header.',
      at: '[Registry Values',
      sections: ['Registry Values'],
    },
    {
      lines: ['[Registry Values] x', 'MACHINE\\A\\N=4,1'],
      message: 'Unexpected text after the section header; expected nothing after "]", found "x".',
      at: 'x',
      sections: ['Registry Values'],
    },
    {
      lines: ['[]', 'Key=1'],
      message: 'Expected a section name between "[" and "]".',
      at: '[]',
      sections: [''],
    },
  ];
  for (const h of HEADER_CASES) {
    test(`header ${JSON.stringify(h.lines[0])}`, () => {
      const pf = inf(...h.lines);
      const p = only(pf.problems);
      assert.deepEqual([p.code, p.severity, p.message], ['parse', 'warning', h.message]);
      assert.equal(slice(pf, p.span), h.at);
      assert.deepEqual(
        pf.sections!.map((s) => s.name),
        h.sections,
      );
    });
  }

  test('a malformed header still opens the section, so its values are read', () => {
    const pf = inf('[Registry Values', 'MACHINE\\A\\N=4,1');
    assert.equal(only(pf.settings).name, 'N');
  });

  test('lines before any section are reported and ignored', () => {
    const pf = inf('MACHINE\\A\\N=4,1', '', '[Registry Values]', 'MACHINE\\A\\M=4,1');
    const p = only(pf.problems);
    assert.deepEqual(
      [p.code, p.severity, p.message],
      ['parse', 'warning', 'This line is outside any section and is ignored; expected a section header such as [Registry Values] before it.'],
    );
    assert.equal(slice(pf, p.span), 'MACHINE\\A\\N=4,1');
    assert.deepEqual(
      pf.settings.map((s) => s.name),
      ['M'],
    );
    assert.equal(pf.entries!.length, 1);
  });

  test('key = value sections: entries with trimmed key and value; a line without "=" is a warning', () => {
    const pf = inf('[System Access]', '  MinimumPasswordLength   =   14  ', 'NewGuestName = "Visitor"', 'garbage', ' = 3');
    assert.deepEqual(
      pf.entries!.map((e) => [e.key, e.value, slice(pf, e.keySpan), slice(pf, e.valueSpan), slice(pf, e.span)]),
      [
        ['MinimumPasswordLength', '14', 'MinimumPasswordLength', '14', '  MinimumPasswordLength   =   14  '],
        ['NewGuestName', '"Visitor"', 'NewGuestName', '"Visitor"', 'NewGuestName = "Visitor"'],
      ],
    );
    assert.deepEqual(
      pf.problems.map((p) => [p.code, p.severity, p.message, slice(pf, p.span)]),
      [
        ['parse', 'warning', 'Expected "key = value" in [System Access]; this line has no "=".', 'garbage'],
        ['parse', 'warning', 'Expected a key before "=" in [System Access].', '= 3'],
      ],
    );
  });

  test('record sections and unknown sections accept lines without "="; "=" inside quotes does not make an entry', () => {
    const pf = inf(
      '[File Security]',
      '"%SystemRoot%\\x.evtx",0,"D:(XA;;FA;;;WD;(@User.Dept==\\"x\\"))"',
      '[Service General Setting]',
      '"WinRM",2,""',
      '[Custom Section]',
      'just some text',
    );
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(pf.entries, []);
    assert.equal(pf.sections!.length, 3);
  });
});

describe('parseInf: encodings', () => {
  const CASES: Array<[Encoding, string | undefined]> = [
    ['utf-16le-bom', undefined],
    ['utf-16le', 'UTF-16LE without a byte order mark'],
    ['utf-8-bom', 'UTF-8 with a byte order mark'],
    ['utf-8', 'UTF-8 without a byte order mark'],
    ['ascii', 'ASCII'],
    ['ansi', 'ANSI (Windows-1252)'],
  ];
  for (const [encoding, word] of CASES) {
    test(encoding, () => {
      const pf = parseInf('[Unicode]\r\nUnicode=yes\r\n', encoding);
      assert.equal(pf.encoding, encoding);
      if (!word) {
        assert.deepEqual(pf.problems, []);
        return;
      }
      const p = only(pf.problems);
      assert.deepEqual([p.code, p.severity], ['encoding', 'warning']);
      assert.equal(
        p.message,
        `This security template is ${word}. GPMC and MS-GPSB use UTF-16LE with a BOM (FF FE); Windows or other tools may not read it as intended.`,
      );
      assert.equal(slice(pf, p.span), '[Unicode]');
    });
  }
});

describe('parseInf: line ends', () => {
  test('CR, LF and CRLF all split lines; eol is the dominant one', () => {
    const text = '[Registry Values]\rMACHINE\\A\\N=4,1\nMACHINE\\A\\M=4,2\r\nMACHINE\\A\\O=4,3\n';
    const pf = parseInf(text, 'utf-16le-bom');
    assert.deepEqual(
      pf.settings.map((s) => [s.name, s.value, slice(pf, s.span)]),
      [
        ['N', 1, 'MACHINE\\A\\N=4,1'],
        ['M', 2, 'MACHINE\\A\\M=4,2'],
        ['O', 3, 'MACHINE\\A\\O=4,3'],
      ],
    );
    assert.equal(pf.eol, '\n');
    assert.equal(parseInf('[A]\r\nx=1\r\ny=2\nz=3', 'utf-16le-bom').eol, '\r\n');
  });

  test('empty and blank-only texts give nothing but the encoding check', () => {
    for (const text of ['', '\r\n', '   \n\t\n']) {
      const pf = parseInf(text, 'utf-16le-bom');
      assert.deepEqual([pf.settings, pf.problems, pf.comments, pf.sections, pf.entries], [[], [], [], [], []]);
    }
  });
});

describe('parseInf: limits', () => {
  test('at most 200 problems are listed, then one summary', () => {
    const lines = ['[Registry Values]'];
    for (let i = 0; i < 1000; i++) lines.push(`bad line ${i}`);
    const pf = inf(...lines);
    assert.equal(pf.problems.length, 201);
    const last = pf.problems[200];
    assert.deepEqual(
      [last.code, last.severity, last.message],
      ['limit', 'warning', '800 more problems in this file were not listed; relaylint lists at most 200 per file.'],
    );
  });

  test('a 1 MB line and a file of 300k unclosed headers parse in linear time', { timeout: 20_000 }, () => {
    const big = `MACHINE\\S\\X\\N=7,${'a,'.repeat(500_000)}b`;
    const pf = inf('[Registry Values]', big);
    assert.equal((only(pf.settings).value as string[]).length, 500_001);
    // An unbounded search for "]" per line would be quadratic here.
    const headers = parseInf('[x\n'.repeat(300_000), 'utf-16le-bom');
    assert.equal(headers.sections!.length, 300_000);
    const quotes = parseInf(`[Registry Values]\n${'"MACHINE\\A\n'.repeat(300_000)}`, 'utf-16le-bom');
    assert.equal(quotes.problems.length, 201);
  });

  test('a 50 MB template parses', { timeout: 60_000 }, () => {
    const line = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,1\r\n';
    const text = `[Registry Values]\r\n${line.repeat(Math.ceil((50 * 1024 * 1024) / line.length))}`;
    const pf = parseInf(text, 'utf-16le-bom');
    assert.ok(text.length >= 50 * 1024 * 1024);
    assert.equal(pf.settings.length, Math.ceil((50 * 1024 * 1024) / line.length));
    // Every line after the first is a duplicate: capped at 200 + 1 summary.
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

const ALPHABET = '[]"\\=,;#@-:() \t\r\n0123456789abcdefxMACHINE\uFEFF\u00e9';

function mutate(text: string, rand: () => number): string {
  let t = text;
  const steps = 1 + Math.floor(rand() * 6);
  for (let i = 0; i < steps; i++) {
    const at = Math.floor(rand() * (t.length + 1));
    switch (Math.floor(rand() * 5)) {
      case 0: // delete a range
        t = t.slice(0, at) + t.slice(at + Math.floor(rand() * 40));
        break;
      case 1: {
        // insert random syntax characters
        let ins = '';
        const n = 1 + Math.floor(rand() * 8);
        for (let k = 0; k < n; k++) ins += ALPHABET[Math.floor(rand() * ALPHABET.length)];
        t = t.slice(0, at) + ins + t.slice(at);
        break;
      }
      case 2: // truncate
        t = t.slice(0, at);
        break;
      case 3: {
        // copy a slice elsewhere
        const from = Math.floor(rand() * (t.length + 1));
        t = t.slice(0, at) + t.slice(from, from + Math.floor(rand() * 200)) + t.slice(at);
        break;
      }
      default: // replace one char
        t = t.slice(0, at) + ALPHABET[Math.floor(rand() * ALPHABET.length)] + t.slice(at + 1);
    }
  }
  return t;
}

describe('parseInf: robustness', () => {
  test('400 mutated corpus files: no throw, every span inside the text', () => {
    const files = CORPUS.map((c) => load(c.file).text);
    const rand = prng(0x1f2e3d);
    const encodings: Encoding[] = ['utf-16le-bom', 'utf-8', 'ansi'];
    for (let i = 0; i < 400; i++) {
      const text = mutate(files[i % files.length], rand);
      const pf = parseInf(text, encodings[i % encodings.length]);
      assert.equal(pf.text, text);
      assertSpansInside(pf);
      for (const s of pf.settings) {
        assert.equal(s.name, pf.text.slice(s.nameSpan!.start, s.nameSpan!.end), `iteration ${i}`);
      }
    }
  });
});
