import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { extractGppItems, parseGppRegistry } from '../../../server/src/core/parsers/gpp';
import { readXml } from '../../../server/src/core/parsers/xml';
import { parseText } from '../../../server/src/core/parse';
import { decode } from '../../../server/src/core/text';
import type { ParsedFile, Problem, RegData, Setting, Span } from '../../../server/src/core/types';

// Compiled to .test-out/test/unit/parsers/; fixtures stay in the source tree.
const FIXTURES = join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'xml');

function loadParsed(file: string): ParsedFile {
  const d = decode(readFileSync(join(FIXTURES, file)));
  return parseGppRegistry(d.text, d.encoding);
}

function at(pf: { text: string }, s: Span | undefined): string {
  assert.ok(s, 'span expected');
  return pf.text.slice(s.start, s.end);
}

function only<T>(items: T[]): T {
  assert.equal(items.length, 1, `expected exactly one item, got ${items.length}: ${JSON.stringify(items)}`);
  return items[0];
}

const HEAD = '<?xml version="1.0" encoding="utf-8"?>\r\n<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">';
const TAIL = '</RegistrySettings>';
const REG = 'clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}"';
const COLL = 'clsid="{53B533F5-224C-47e3-B01B-CA3B3F3FF4BF}"';

/** A Registry item line; `props` are the Properties attributes, `extra` goes after Properties. */
function item(name: string, props: string, itemAttrs = '', extra = ''): string {
  return `<Registry ${REG} name="${name}"${itemAttrs}><Properties ${props}/>${extra}</Registry>`;
}

const SMB1 = 'hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="SMB1"';

function gpp(...body: string[]): ParsedFile {
  return parseGppRegistry(HEAD + body.join('\r\n') + TAIL, 'utf-8');
}

type Row = [hive: string, key: string, name: string, type: string | null, value: RegData, state: string, origin: string];
function rows(pf: ParsedFile): Row[] {
  return pf.settings.map((s) => [s.hive, s.key, s.name, s.type, s.value, s.state, s.origin]);
}

describe('GPP Registry.xml: real files', () => {
  test('hardenad-ldap-audit-enabled: nested wizard collections, REG_DWORD hex, exact spans', () => {
    const pf = loadParsed('hardenad-ldap-audit-enabled__Registry.xml');
    assert.equal(pf.format, 'gpp-registry-xml');
    assert.equal(pf.encoding, 'ascii');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(rows(pf), [
      ['HKLM', 'SYSTEM\\CurrentControlSet\\Services\\NTDS\\Diagnostics', '16 LDAP Interface Events', 'REG_DWORD', 2, 'set', 'GPP item "16 LDAP Interface Events" (action R) in collection "Diagnostics"'],
      ['HKLM', 'SYSTEM\\CurrentControlSet\\Services\\EventLog\\Directory Service', 'MaxSize', 'REG_DWORD', 0x3e800000, 'set', 'GPP item "MaxSize" (action R) in collection "Directory Service"'],
    ]);
    const [ldap, size] = pf.settings;
    assert.equal(at(pf, ldap.valueSpan), '00000002');
    assert.equal(ldap.valueSyntax, 'gpp');
    assert.equal(at(pf, ldap.nameSpan), '16 LDAP Interface Events');
    assert.ok(at(pf, ldap.span).startsWith('<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="16 LDAP Interface Events"'));
    assert.ok(at(pf, ldap.span).endsWith('value="00000002"/></Registry>'));
    assert.equal(at(pf, size.valueSpan), '3E800000');
    assert.equal(size.value, 1048576000);
  });

  test('group3r-2CE5ACF5: every hive, default values, REG_BINARY, a delete inside an unnamed collection', () => {
    const pf = loadParsed('group3r-2CE5ACF5__Registry.xml');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(rows(pf), [
      ['HKLM', 'DRIVERS\\DriverDatabase\\DeviceIds\\*AKY1001', 'mdmrock5.inf', 'REG_BINARY', '01FF0000', 'set', 'GPP item "mdmrock5.inf" (action U)'],
      ['HKLM', 'SOFTWARE\\Partner\\Wallet', '', 'REG_SZ', '', 'set', 'GPP item "Wallet" (action U)'],
      ['HKCR', '.386\\PersistentHandler', '', 'REG_SZ', 'asdfasdg', 'set', 'GPP item "PersistentHandler" (action C)'],
      ['HKU', 'S-1-5-20\\Environment', '', 'REG_SZ', '', 'deleted', 'GPP item "Environment" (action D)'],
      [
        'HKCU',
        'Console\\%SystemRoot%_System32_WindowsPowerShell_v1.0_powershell.exe',
        '',
        'REG_BINARY',
        '010101001010101',
        'set',
        'GPP item "%SystemRoot%_System32_WindowsPowerShell_v1.0_powershell.exe" (action R)',
      ],
    ]);
    // default="1" + action D targets the key's default value, not the whole key.
    assert.equal(pf.settings[3].deleteScope, 'value');
    assert.deepEqual(
      pf.settings.map((s) => s.valueSyntax),
      [undefined, 'gpp', 'gpp', 'gpp', undefined],
      'DWORD and string values get a gpp value syntax; binary values do not',
    );
    assert.equal(at(pf, pf.settings[2].valueSpan), 'asdfasdg');
  });

  test('goad-north: items spread over several CRLF lines with tabs', () => {
    const pf = loadParsed('goad-north-CCF6CAE3__Registry.xml');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(
      pf.settings.map((s) => [s.key, s.name, s.type, s.value, at(pf, s.nameSpan), at(pf, s.valueSpan)]),
      [
        ['SOFTWARE\\TightVNC\\Server', 'ControlPassword', 'REG_SZ', 'D7A514D8C556AADE', 'ControlPassword', 'D7A514D8C556AADE'],
        ['SOFTWARE\\TightVNC\\Server', 'PasswordViewOnly', 'REG_SZ', 'e11fb7ec44e178d9', 'PasswordViewOnly', 'e11fb7ec44e178d9'],
      ],
    );
    const span = at(pf, pf.settings[0].span);
    assert.ok(span.startsWith('<Registry clsid='));
    assert.ok(span.includes('\r\n\t\t<Properties action="U"'));
    assert.ok(span.endsWith('value="D7A514D8C556AADE" />\r\n\t</Registry>'));
    assert.equal(pf.eol, '\r\n');
  });

  const dwords: [file: string, hive: string, name: string, raw: string, value: number][] = [
    ['sos-dod-ie11-user__Registry.xml', 'HKCU', 'State', '00023C00', 0x23c00],
    ['hardenad-wdigest-disabled__Registry.xml', 'HKLM', 'UseLogonCredential', '00000000', 0],
  ];
  for (const [file, hive, name, raw, value] of dwords) {
    test(`${file}: ${name} = ${raw} (hex) → ${value}`, () => {
      const pf = loadParsed(file);
      const s = only(pf.settings);
      assert.deepEqual([s.hive, s.name, s.type, s.value, s.state, at(pf, s.valueSpan), s.valueSyntax], [hive, name, 'REG_DWORD', value, 'set', raw, 'gpp']);
    });
  }

  test('parseText routes a Registry.xml here by its root element', () => {
    const d = decode(readFileSync(join(FIXTURES, 'hardenad-wdigest-disabled__Registry.xml')));
    const pf = parseText('Machine/Preferences/Registry/Registry.xml', d.text, d.encoding);
    assert.equal(pf.format, 'gpp-registry-xml');
    assert.equal(only(pf.settings).name, 'UseLogonCredential');
  });
});

describe('GPP Registry.xml: values', () => {
  const dword: [raw: string, value: number | null, problem: boolean][] = [
    ['00000001', 1, false],
    ['0000000A', 10, false],
    ['0000000a', 10, false],
    ['00000010', 16, false],
    ['FFFFFFFF', 4294967295, false],
    ['1', 1, false],
    ['0000000G', null, true],
    ['123456789', null, true],
    ['-0000001', null, true],
    ['', null, true],
  ];
  for (const [raw, value, problem] of dword) {
    test(`REG_DWORD value="${raw}" → ${value}${problem ? ' + parse error' : ''}`, () => {
      // displayDecimal="1" changes nothing: GPP stores hex (§6.3).
      const pf = gpp(item('SMB1', `action="U" displayDecimal="1" ${SMB1} type="REG_DWORD" value="${raw}"`));
      const s = only(pf.settings);
      assert.equal(s.value, value);
      assert.equal(s.state, 'set');
      assert.equal(at(pf, s.valueSpan), raw);
      if (problem) {
        const p = only(pf.problems);
        assert.equal(p.code, 'parse');
        assert.equal(p.severity, 'error');
        assert.deepEqual(p.span, s.valueSpan);
        assert.match(p.message, /not a hexadecimal number of at most 8 digits/);
      } else {
        assert.deepEqual(pf.problems, []);
      }
    });
  }

  test('REG_QWORD: up to 16 hex digits', () => {
    const ok = gpp(item('Q', `${SMB1} type="REG_QWORD" value="0000000100000000"`));
    assert.equal(only(ok.settings).value, 4294967296);
    assert.equal(ok.settings[0].type, 'REG_QWORD');
    assert.equal(ok.settings[0].valueSyntax, undefined);
    const bad = gpp(item('Q', `${SMB1} type="REG_QWORD" value="00000001000000000"`));
    assert.equal(only(bad.settings).value, null);
    assert.equal(only(bad.problems).code, 'parse');
  });

  test('REG_SZ / REG_EXPAND_SZ keep the decoded string', () => {
    const pf = gpp(
      item('A', `${SMB1} type="REG_SZ" value="a &amp; b"`),
      item('B', `hive="HKEY_CURRENT_USER" key="Environment" name="P" type="REG_EXPAND_SZ" value="%SystemRoot%\\x"`),
    );
    assert.deepEqual(
      pf.settings.map((s) => [s.hive, s.type, s.value, at(pf, s.valueSpan)]),
      [
        ['HKLM', 'REG_SZ', 'a & b', 'a &amp; b'],
        ['HKCU', 'REG_EXPAND_SZ', '%SystemRoot%\\x', '%SystemRoot%\\x'],
      ],
    );
  });

  test('REG_MULTI_SZ from a Values/Value list (UNVERIFIED layout)', () => {
    const pf = gpp(
      item(
        'DependOnService',
        'action="R" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation" name="DependOnService" type="REG_MULTI_SZ" value=""',
      ).replace('/></Registry>', '><Values><Value>Bowser</Value><Value>MRxSmb20</Value><Value>NSI</Value></Values></Properties></Registry>'),
    );
    const s = only(pf.settings);
    assert.deepEqual(s.value, ['Bowser', 'MRxSmb20', 'NSI']);
    assert.equal(at(pf, s.valueSpan), '<Values><Value>Bowser</Value><Value>MRxSmb20</Value><Value>NSI</Value></Values>');
    assert.equal(s.valueSyntax, undefined);
  });

  test('REG_MULTI_SZ from the value attribute when Values is empty (UNVERIFIED layout)', () => {
    const pf = gpp(
      item('M', `${SMB1} type="REG_MULTI_SZ" value="Bowser&#xA;NSI"`).replace('/></Registry>', '><Values /></Properties></Registry>'),
      item('E', `${SMB1} type="REG_MULTI_SZ" value=""`),
    );
    assert.deepEqual(
      pf.settings.map((s) => s.value),
      [['Bowser', 'NSI'], []],
    );
  });

  test('default="1" means the default value (name ""), whatever the name attribute says', () => {
    const pf = gpp(item('(Default)', 'hive="HKEY_LOCAL_MACHINE" key="Software\\X" name="ignored" default="1" type="REG_SZ" value="v"'));
    const s = only(pf.settings);
    assert.equal(s.name, '');
    assert.equal(at(pf, s.nameSpan), 'ignored');
  });

  test('key is cleaned (no leading/trailing or doubled backslashes), case kept', () => {
    const pf = gpp(item('K', 'hive="HKLM" key="\\System\\\\CurrentControlSet\\Services\\" name="v" type="REG_SZ" value=""'));
    assert.equal(only(pf.settings).key, 'System\\CurrentControlSet\\Services');
  });
});

describe('GPP Registry.xml: actions and states', () => {
  const dw = (action: string) => `${action} ${SMB1} type="REG_DWORD" value="00000000"`;
  const cases: [label: string, xml: string, state: string, extra: Partial<Setting>][] = [
    ['no action attribute = U', item('SMB1', dw('')), 'set', { origin: 'GPP item "SMB1" (action U)' }],
    ['action C', item('SMB1', dw('action="C"')), 'set', { origin: 'GPP item "SMB1" (action C)' }],
    ['action R', item('SMB1', dw('action="R"')), 'set', { origin: 'GPP item "SMB1" (action R)' }],
    ['action U', item('SMB1', dw('action="U"')), 'set', { origin: 'GPP item "SMB1" (action U)' }],
    ['action D with a name', item('SMB1', dw('action="D"')), 'deleted', { deleteScope: 'value' }],
    ['action D without a name', item('P', 'action="D" hive="HKEY_LOCAL_MACHINE" key="Software\\X" name="" type="REG_SZ" value=""'), 'deleted', { deleteScope: 'key', name: '' }],
    ['disabled="1" on the item', item('SMB1', dw('action="U"'), ' disabled="1"'), 'disabled', {}],
    ['disabled wins over action D', item('SMB1', dw('action="D"'), ' disabled="1"'), 'disabled', { deleteScope: 'value' }],
    ['disabled="1" on an ancestor collection', `<Collection ${COLL} name="Off" disabled="1"><Collection ${COLL} name="Inner">${item('SMB1', dw('action="U"'))}</Collection></Collection>`, 'disabled', { origin: 'GPP item "SMB1" (action U) in collection "Inner"' }],
    ['empty Filters is not targeting', item('SMB1', dw('action="U"'), '', '<Filters/>'), 'set', { condition: undefined }],
    [
      'item-level targeting on the item',
      item('SMB1', dw('action="U"'), '', '<Filters><FilterGroup bool="AND" not="0" name="CORP\\Servers" sid="S-1-5-21-1"/></Filters>'),
      'conditional',
      { condition: 'FilterGroup name="CORP\\Servers" (AND)' },
    ],
    [
      'targeting on an ancestor collection plus the item',
      `<Collection ${COLL} name="SMB hardening"><Filters><FilterOrgUnit bool="AND" not="1" name="OU=Lab,DC=corp"/></Filters>${item('SMB1', dw('action="U"'), '', '<Filters><FilterComputer bool="OR" not="0" type="NETBIOS" name="SRV1"/></Filters>')}</Collection>`,
      'conditional',
      { condition: 'FilterOrgUnit name="OU=Lab,DC=corp" (AND, NOT); FilterComputer name="SRV1" (OR)', origin: 'GPP item "SMB1" (action U) in collection "SMB hardening"' },
    ],
    [
      'a filter collection is summarised with its members',
      item('SMB1', dw('action="U"'), '', '<Filters><FilterCollection bool="AND" not="0"><FilterWmi bool="AND" not="0" query="select 1"/><FilterGroup bool="OR" not="0" name="G"/></FilterCollection></Filters>'),
      'conditional',
      { condition: 'FilterCollection (AND) [FilterWmi (AND); FilterGroup name="G" (OR)]' },
    ],
    [
      'a deleted item keeps its condition',
      item('SMB1', dw('action="D"'), '', '<Filters><FilterGroup bool="AND" not="0" name="G"/></Filters>'),
      'deleted',
      { condition: 'FilterGroup name="G" (AND)', deleteScope: 'value' },
    ],
  ];
  for (const [label, xml, state, extra] of cases) {
    test(`${label} → ${state}`, () => {
      const pf = gpp(xml);
      assert.deepEqual(pf.problems, []);
      const s = only(pf.settings);
      assert.equal(s.state, state);
      for (const [k, v] of Object.entries(extra)) assert.deepEqual(s[k as keyof Setting], v, k);
      if (!('deleteScope' in extra)) assert.equal(s.deleteScope, undefined);
      assert.ok(at(pf, s.span).startsWith('<Registry '));
      assert.ok(at(pf, s.span).endsWith('</Registry>'));
    });
  }

  test('the doc snippet (§6.3): SMB1 = 0 in collection "SMB hardening", valueSpan rewritable', () => {
    const text = `<?xml version="1.0" encoding="utf-8"?>
<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">
  <Collection clsid="{53B533F5-224C-47e3-B01B-CA3B3F3FF4BF}" name="SMB hardening">
    <Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="SMB1" status="SMB1"
              image="10" changed="2025-01-15 09:00:00" uid="{11111111-2222-3333-4444-555555555555}">
      <Properties action="C" displayDecimal="1" default="0" hive="HKEY_LOCAL_MACHINE"
                  key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters"
                  name="SMB1" type="REG_DWORD" value="00000000"/>
    </Registry>
  </Collection>
</RegistrySettings>
`;
    const pf = parseGppRegistry(text, 'utf-8');
    assert.deepEqual(pf.problems, []);
    assert.equal(pf.eol, '\n');
    const s = only(pf.settings);
    assert.deepEqual(
      [s.hive, s.key, s.name, s.type, s.value, s.state, s.origin, s.valueSyntax],
      ['HKLM', 'SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'SMB1', 'REG_DWORD', 0, 'set', 'GPP item "SMB1" (action C) in collection "SMB hardening"', 'gpp'],
    );
    assert.equal(at(pf, s.valueSpan), '00000000');
    assert.equal(text.slice(0, s.valueSpan!.start).endsWith('value="'), true);
  });
});

describe('GPP Registry.xml: duplicates, comments, damage', () => {
  test('the same value set twice: a duplicate warning on the later item, related to the first', () => {
    const first = item('SMB1', `action="U" ${SMB1} type="REG_DWORD" value="00000000"`);
    // Key case differs: registry paths are case-insensitive.
    const second = item('SMB1b', 'action="R" hive="HKEY_LOCAL_MACHINE" key="system\\currentcontrolset\\services\\lanmanserver\\parameters" name="smb1" type="REG_DWORD" value="00000001"');
    const pf = gpp(first, second);
    const p = only(pf.problems);
    assert.equal(p.code, 'duplicate');
    assert.equal(p.severity, 'warning');
    assert.equal(at(pf, p.span), second);
    assert.equal(at(pf, only(p.related ?? []).span), first);
    assert.match(p.message, /HKLM\\system\\currentcontrolset\\services\\lanmanserver\\parameters\\smb1 is written again/);
    assert.equal(pf.settings.length, 2, 'both items stay settings');
  });

  test('a bar in the key or the name does not join two values (key A|B name C, key A name B|C)', () => {
    const pf = gpp(
      item('one', 'action="U" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\\A|B" name="C" type="REG_DWORD" value="00000001"'),
      item('two', 'action="U" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\\A" name="B|C" type="REG_DWORD" value="00000001"'),
    );
    assert.deepEqual(
      pf.settings.map((s) => [s.key, s.name]),
      [
        ['SOFTWARE\\A|B', 'C'],
        ['SOFTWARE\\A', 'B|C'],
      ],
    );
    assert.deepEqual(pf.problems, []);
  });

  const notDuplicates: [string, string][] = [
    ['a disabled copy', ' disabled="1"'],
    ['a conditional copy', ''],
  ];
  for (const [label, attrs] of notDuplicates) {
    test(`${label} is not a duplicate`, () => {
      const extra = attrs ? '' : '<Filters><FilterGroup bool="AND" not="0" name="G"/></Filters>';
      const pf = gpp(item('SMB1', `${SMB1} type="REG_DWORD" value="00000000"`), item('SMB1', `${SMB1} type="REG_DWORD" value="00000001"`, attrs, extra));
      assert.deepEqual(pf.problems, []);
    });
  }

  test('a delete followed by a set is not a duplicate', () => {
    const pf = gpp(item('SMB1', `action="D" ${SMB1} type="REG_DWORD" value="00000000"`), item('SMB1', `action="U" ${SMB1} type="REG_DWORD" value="00000000"`));
    assert.deepEqual(pf.problems, []);
  });

  test('a flood of duplicates is capped at LIMITS.maxProblemsPerFile plus one summary', () => {
    const one = item('SMB1', `${SMB1} type="REG_DWORD" value="00000000"`);
    const pf = gpp(...Array.from({ length: 301 }, () => one));
    assert.equal(pf.settings.length, 301);
    assert.equal(pf.problems.length, 201);
    assert.ok(pf.problems.slice(0, 200).every((p) => p.code === 'duplicate'));
    assert.equal(pf.problems[200].code, 'limit');
    assert.match(pf.problems[200].message, /^100 more problems are not listed/);
  });

  test('comments are copied for inline suppressions', () => {
    const text = `${HEAD}<!-- relaylint-disable-next-line smb1.server: lab -->\r\n${item('SMB1', `${SMB1} type="REG_DWORD" value="00000001"`)}${TAIL}`;
    const pf = parseGppRegistry(text, 'utf-8');
    const c = only(pf.comments);
    assert.equal(c.text, ' relaylint-disable-next-line smb1.server: lab ');
    assert.equal(at(pf, c.span), '<!-- relaylint-disable-next-line smb1.server: lab -->');
  });

  test('a truncated file still yields the items before the cut', () => {
    const full = readFileSync(join(FIXTURES, 'group3r-2CE5ACF5__Registry.xml'), 'utf8');
    const cut = full.slice(0, full.indexOf('name="Environment"'));
    const pf = parseGppRegistry(cut, 'ascii');
    assert.deepEqual(
      pf.settings.map((s) => s.value),
      ['01FF0000', '', 'asdfasdg'],
    );
    assert.ok(pf.problems.some((p: Problem) => p.code === 'parse' && /truncated/.test(p.message)));
  });

  test('unknown hive, missing Properties, unknown action: reported, item skipped or read as U', () => {
    const pf = gpp(
      item('H', 'hive="HKEY_NOWHERE" key="X" name="v" type="REG_SZ" value="1"'),
      `<Registry ${REG} name="NoProps"></Registry>`,
      item('A', `action="Z" ${SMB1} type="REG_DWORD" value="00000001"`),
    );
    assert.deepEqual(
      pf.problems.map((p) => [p.code, p.severity, at(pf, p.span)]),
      [
        ['parse', 'warning', 'HKEY_NOWHERE'],
        ['parse', 'warning', `<Registry ${REG} name="NoProps">`],
        ['parse', 'warning', 'Z'],
      ],
    );
    assert.deepEqual(
      pf.settings.map((s) => [s.name, s.state, s.origin]),
      [['SMB1', 'set', 'GPP item "A" (action U)']],
    );
  });

  test('a file whose root is not RegistrySettings gives no settings and says why', () => {
    const pf = parseGppRegistry('<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}"/>', 'utf-8');
    assert.deepEqual(pf.settings, []);
    assert.match(only(pf.problems).message, /not a GPP Registry\.xml/);
  });

  test('a DOCTYPE is refused and the items are still read', () => {
    const pf = gpp(item('SMB1', `${SMB1} type="REG_DWORD" value="00000000"`)).text;
    const withDtd = pf.replace('<RegistrySettings', '<!DOCTYPE RegistrySettings [<!ENTITY e "x">]><RegistrySettings');
    const out = parseGppRegistry(withDtd, 'utf-8');
    assert.deepEqual(out.problems.map((p) => p.code), ['unsafe-xml']);
    assert.equal(only(out.settings).value, 0);
  });
});

describe('extractGppItems (shared with reports)', () => {
  test('namespace-qualified items under any prefix; no value syntax unless editable; a fixed gpo', () => {
    const text =
      '<Extension xmlns:q9="http://www.microsoft.com/GroupPolicy/Settings/Windows/Registry"><q9:RegistrySettings>' +
      `<q9:Collection ${COLL} name="C"><q9:GPOSettingOrder>1</q9:GPOSettingOrder><q9:Filters />` +
      `<q9:Registry ${REG} name="SMB1"><q9:GPOSettingOrder>1</q9:GPOSettingOrder><q9:Properties action="U" ${SMB1} type="REG_DWORD" value="00000000"><q9:Values /></q9:Properties><q9:Filters /></q9:Registry>` +
      '</q9:Collection></q9:RegistrySettings></Extension>';
    const doc = readXml(text);
    assert.deepEqual(doc.problems, []);
    const container = doc.root!.children[0];
    const problems: Problem[] = [];
    const items = extractGppItems(container, problems, { gpo: { name: 'G', guid: '{1}' } });
    assert.deepEqual(problems, []);
    const s = only(items);
    assert.deepEqual([s.value, s.state, s.valueSyntax, s.gpo, s.origin], [0, 'set', undefined, { name: 'G', guid: '{1}' }, 'GPP item "SMB1" (action U) in collection "C"']);
    assert.equal(text.slice(s.valueSpan!.start, s.valueSpan!.end), '00000000');
    const editable = extractGppItems(container, [], { editable: true });
    assert.equal(editable[0].valueSyntax, 'gpp');
  });

  test('a gpo function returning null drops the item (RSoP losers)', () => {
    const doc = readXml(`<RegistrySettings>${item('A', `${SMB1} type="REG_DWORD" value="00000000"`)}${item('B', `${SMB1} type="REG_DWORD" value="00000001"`)}</RegistrySettings>`);
    const items = extractGppItems(doc.root!, [], { gpo: (el) => (el.attributes.find((a) => a.name === 'name')?.value === 'A' ? null : { precedence: 1 }) });
    assert.deepEqual(
      items.map((s) => [s.value, s.gpo]),
      [[1, { precedence: 1 }]],
    );
  });

  test('collections nested 200 deep are walked without recursion, in document order', () => {
    const depth = 200;
    const inner = item('Deep', `${SMB1} type="REG_DWORD" value="00000002"`);
    const text = `${HEAD}${item('First', `${SMB1.replace('SMB1', 'A')} type="REG_DWORD" value="00000001"`)}${`<Collection ${COLL} name="L">`.repeat(depth)}${inner}${'</Collection>'.repeat(depth)}${item('Last', `${SMB1.replace('SMB1', 'B')} type="REG_DWORD" value="00000003"`)}${TAIL}`;
    const pf = parseGppRegistry(text, 'utf-8');
    assert.deepEqual(pf.problems, []);
    assert.deepEqual(
      pf.settings.map((s) => [s.name, s.value]),
      [
        ['A', 1],
        ['SMB1', 2],
        ['B', 3],
      ],
    );
  });
});
