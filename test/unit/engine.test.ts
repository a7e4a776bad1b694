/**
 * Rule engine, table-driven: for each input, the exact findings (rule, severity, the text under
 * the span) and the exact text after applying each fix.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { fixAllEdits, infInsertEdits, lint } from '../../server/src/core/engine';
import { parseText } from '../../server/src/core/parse';
import { applyEdits } from '../../server/src/core/text';
import type { Finding, LintOptions, ParsedFile } from '../../server/src/core/types';

const ANY: LintOptions = { role: 'any', targetOs: 'legacy' };
const M = 'MACHINE\\System\\CurrentControlSet\\';
const inf = (...lines: string[]) => ['[Unicode]', 'Unicode=yes', '[Registry Values]', ...lines, '[Version]', 'signature="$CHICAGO$"', ''].join('\r\n');

function run(path: string, text: string, options: LintOptions = ANY): { file: ParsedFile; findings: Finding[] } {
  const file = parseText(path, text, path.endsWith('.inf') ? 'utf-16le-bom' : 'utf-8');
  return { file, findings: lint(file, options).filter((f) => f.ruleId !== 'file.parse' || f.severity !== 'hint') };
}

const under = (file: ParsedFile, f: Finding) => file.text.slice(f.span.start, f.span.end);

interface Row {
  name: string;
  path?: string;
  text: string;
  options?: LintOptions;
  /** [ruleId, severity, text under the span] in order. */
  expect: [string, string, string][];
  /** Text after the preferred fix of each finding in order (undefined = no preferred fix). */
  fixed?: (string | undefined)[];
}

const rows: Row[] = [
  {
    name: 'hardened values give no finding',
    text: inf(`${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,1`, `${M}Control\\Lsa\\LmCompatibilityLevel=4,5`),
    expect: [],
  },
  {
    name: 'weak server signing, any spacing and case',
    text: inf(`machine\\system\\currentcontrolset\\services\\LANMANSERVER\\parameters\\requiresecuritysignature = 4 , 0`),
    expect: [['smb.server.require', 'error', 'machine\\system\\currentcontrolset\\services\\LANMANSERVER\\parameters\\requiresecuritysignature = 4 , 0']],
    fixed: [inf(`machine\\system\\currentcontrolset\\services\\LANMANSERVER\\parameters\\requiresecuritysignature = 4,1`)],
  },
  {
    name: 'DC-only settings are judged as DC settings and say so; skipped for members',
    text: inf(`${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,1`),
    expect: [['ldap.server.signing', 'error', `${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,1`]],
    fixed: [inf(`${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,2`)],
  },
  {
    name: 'member role ignores DC-only values',
    text: inf(`${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,1`),
    options: { role: 'member', targetOs: 'legacy' },
    expect: [],
  },
  {
    name: '.reg: weak DWORD is fixed in dword: syntax',
    path: 'x.reg',
    text: 'Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Lsa]\r\n"LmCompatibilityLevel"=dword:00000003\r\n',
    expect: [['ntlm.lmcompat', 'error', '"LmCompatibilityLevel"=dword:00000003']],
    fixed: ['Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Lsa]\r\n"LmCompatibilityLevel"=dword:00000005\r\n'],
  },
  {
    name: '.reg: deleting a hardening value is a warning, fixed by writing the hardened value',
    path: 'x.reg',
    text: 'Windows Registry Editor Version 5.00\n\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]\n"RequireSecuritySignature"=-\n',
    expect: [['smb.server.require', 'warning', '"RequireSecuritySignature"=-']],
    fixed: [undefined],
  },
  {
    name: '.reg: deleting the whole key warns once per hardening value under it',
    path: 'x.reg',
    text: 'Windows Registry Editor Version 5.00\n\n[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NTDS]\n',
    expect: [
      ['ldap.server.signing', 'warning', '[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NTDS]'],
      ['ldap.server.enforce', 'warning', '[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NTDS]'],
      ['ldap.server.cbt', 'warning', '[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NTDS]'],
    ],
    fixed: [undefined, undefined, undefined],
  },
  {
    name: 'GPP: weak item fixed keeping the 8-hex-digit DWORD form; disabled items are never judged',
    path: 'Machine/Preferences/Registry/Registry.xml',
    text: [
      '<?xml version="1.0" encoding="utf-8"?>',
      '<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">',
      '<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="SMB1"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="SMB1" type="REG_DWORD" value="00000001"/></Registry>',
      '<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="x" disabled="1"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Control\\Lsa" name="LmCompatibilityLevel" type="REG_DWORD" value="00000001"/></Registry>',
      '</RegistrySettings>',
      '',
    ].join('\n'),
    expect: [
      [
        'smb1.server',
        'error',
        '<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="SMB1"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="SMB1" type="REG_DWORD" value="00000001"/></Registry>',
      ],
    ],
  },
];

test('rule engine table', async (t) => {
  for (const row of rows) {
    await t.test(row.name, () => {
      const { file, findings } = run(row.path ?? 'GptTmpl.inf', row.text, row.options);
      assert.deepEqual(
        findings.map((f) => [f.ruleId, f.severity, under(file, f)]),
        row.expect,
      );
      if (row.fixed) {
        row.fixed.forEach((want, i) => {
          const fix = findings[i].fixes.find((x) => x.isPreferred);
          assert.equal(fix ? applyEdits(file.text, fix.edits) : undefined, want, `fix ${i}`);
        });
      }
    });
  }
});

test('DC-only messages start with "On domain controllers:"', () => {
  const { findings } = run('GptTmpl.inf', inf(`${M}Services\\NTDS\\Parameters\\LdapEnforceChannelBinding=4,0`));
  assert.equal(findings.length, 1);
  assert.match(findings[0].message, /^On domain controllers: /);
});

test('GPP fix writes the hardened value as 8 hex digits inside value="…"', () => {
  const text =
    '<RegistrySettings><Registry name="SMB1"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="SMB1" type="REG_DWORD" value="00000001"/></Registry></RegistrySettings>';
  const { file, findings } = run('Registry.xml', text);
  const fix = findings[0].fixes.find((x) => x.isPreferred);
  assert.ok(fix);
  assert.equal(applyEdits(file.text, fix.edits), text.replace('value="00000001"', 'value="00000000"'));
});

test('staged fixes: client signing offers "if server agrees" first, inserted under [Registry Values] with CRLF', () => {
  const text = inf(`${M}Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature=4,0`);
  const { file, findings } = run('GptTmpl.inf', text);
  assert.deepEqual(
    findings.map((f) => f.ruleId),
    ['smb.client.require'],
  );
  const [preferred, staged, suppress] = findings[0].fixes;
  assert.deepEqual([preferred.kind, preferred.isPreferred, staged.kind, !!staged.isPreferred, suppress.kind], ['value', true, 'insert', false, 'suppress']);
  assert.equal(applyEdits(file.text, preferred.edits), text.replace('=4,0', '=4,1'));
  assert.equal(
    applyEdits(file.text, staged.edits),
    text.replace('RequireSecuritySignature=4,0', `RequireSecuritySignature=4,0\r\n${M}Services\\LanmanWorkstation\\Parameters\\EnableSecuritySignature=4,1`),
  );
  assert.equal(
    applyEdits(file.text, suppress.edits),
    text.replace(`${M}Services\\LanmanWorkstation`, `; relaylint-disable-next-line smb.client.require -- \r\n${M}Services\\LanmanWorkstation`),
  );
});

test('staged fix rewrites the paired value when the file already has it', () => {
  const text = inf(`${M}Services\\LanmanWorkstation\\Parameters\\EnableSecuritySignature=4,0`, `${M}Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature=4,0`);
  const { file, findings } = run('GptTmpl.inf', text);
  const f = findings.find((x) => x.ruleId === 'smb.client.require');
  assert.ok(f);
  const staged = f.fixes.find((x) => x.kind === 'value' && !x.isPreferred);
  assert.ok(staged);
  assert.equal(applyEdits(file.text, staged.edits), text.replace('EnableSecuritySignature=4,0', 'EnableSecuritySignature=4,1'));
});

test('half-done rollout: LDAP signing required, channel binding missing → info with When supported then Always inserts', () => {
  const text = inf(`${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,2`);
  const { file, findings } = run('GptTmpl.inf', text);
  assert.deepEqual(
    findings.map((f) => [f.ruleId, f.severity, under(file, f)]),
    [['ldap.server.cbt', 'info', `${M}Services\\NTDS\\Parameters\\LDAPServerIntegrity=4,2`]],
  );
  const inserts = findings[0].fixes.filter((x) => x.kind === 'insert');
  assert.deepEqual(
    inserts.map((x) => applyEdits(file.text, x.edits)),
    [
      text.replace('LDAPServerIntegrity=4,2', `LDAPServerIntegrity=4,2\r\n${M}Services\\NTDS\\Parameters\\LdapEnforceChannelBinding=4,1`),
      text.replace('LDAPServerIntegrity=4,2', `LDAPServerIntegrity=4,2\r\n${M}Services\\NTDS\\Parameters\\LdapEnforceChannelBinding=4,2`),
    ],
  );
  assert.equal(fixAllEdits(findings, { unsafe: true }).length, 0, 'inserting a next step is never automatic');
});

test('insert edits go after the last line of [Registry Values], or create the section, with the file line ending', () => {
  const line = `${M}Services\\LanmanWorkstation\\Parameters\\EnableSecuritySignature=4,1`;
  const rows: [string, string][] = [
    ['[Unicode]\nUnicode=yes\n[System Access]\nMinimumPasswordLength = 14', `[Unicode]\nUnicode=yes\n[System Access]\nMinimumPasswordLength = 14\n[Registry Values]\n${line}\n`],
    ['[Unicode]\r\nUnicode=yes\r\n', `[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\n${line}\r\n`],
    ['[Registry Values]\r\nA=4,1\r\n\r\n[Version]\r\n', `[Registry Values]\r\nA=4,1\r\n${line}\r\n\r\n[Version]\r\n`],
  ];
  for (const [text, want] of rows) {
    const file = parseText('GptTmpl.inf', text, 'utf-8');
    assert.equal(applyEdits(text, infInsertEdits(file, line)), want, JSON.stringify(text));
  }
});

test('SMB1 in the same file raises EnableSecuritySignature from info to warning', () => {
  const base = `${M}Services\\LanManServer\\Parameters\\EnableSecuritySignature=4,0`;
  const alone = run('GptTmpl.inf', inf(base)).findings.filter((f) => f.ruleId === 'smb.server.enable');
  const withSmb1 = run('GptTmpl.inf', inf(base, `${M}Services\\LanmanServer\\Parameters\\SMB1=4,1`)).findings.filter((f) => f.ruleId === 'smb.server.enable');
  assert.deepEqual([alone[0]?.severity, withSmb1[0]?.severity], ['info', 'warning']);
});

test('suppressions: with a reason they suppress the next line; without one they are a finding and suppress nothing', () => {
  const line = `${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`;
  const ok = run('GptTmpl.inf', inf('; relaylint-disable-next-line smb.server.require -- scanner appliance, ticket 42', line)).findings;
  const f = ok.find((x) => x.ruleId === 'smb.server.require');
  assert.equal(f?.suppressed?.reason, 'scanner appliance, ticket 42');
  assert.deepEqual(fixAllEdits(ok), []);

  const bare = run('GptTmpl.inf', inf('; relaylint-disable-next-line smb.server.require', line)).findings;
  assert.deepEqual(
    bare.map((x) => [x.ruleId, x.severity, !!x.suppressed]),
    [
      ['smb.server.require', 'error', false],
      ['suppression.reason', 'warning', false],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
  );

  const other = run('GptTmpl.inf', inf('; relaylint-disable-next-line ntlm.lmcompat -- wrong rule', line)).findings;
  assert.equal(other.find((x) => x.ruleId === 'smb.server.require')?.suppressed, undefined);

  const xml = [
    '<RegistrySettings>',
    '  <!-- relaylint-disable-next-line smb1.server: lab printer needs it until March -->',
    '  <Registry name="SMB1"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="SMB1" type="REG_DWORD" value="00000001"/></Registry>',
    '</RegistrySettings>',
  ].join('\n');
  const x = run('Registry.xml', xml).findings;
  assert.equal(x.find((y) => y.ruleId === 'smb1.server')?.suppressed?.reason, 'lab printer needs it until March');
});

test('"disable for this line" in XML whose declaration shares the line: the comment goes after the declaration, and the file stays well-formed and suppressed', () => {
  const reg = '<Registry name="SMB1"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="SMB1" type="REG_DWORD" value="00000001"/></Registry>';
  for (const decl of ['<?xml version="1.0" encoding="utf-8"?>', '\uFEFF<?xml version="1.0"?>']) {
    const text = `${decl}<RegistrySettings>${reg}</RegistrySettings>`;
    const { file, findings } = run('Registry.xml', text);
    const suppress = findings.find((f) => f.ruleId === 'smb1.server')?.fixes.find((x) => x.kind === 'suppress');
    assert.ok(suppress);
    const fixed = applyEdits(file.text, suppress.edits).replace('smb1.server: -->', 'smb1.server: lab printer -->');
    assert.ok(fixed.startsWith(decl), 'the declaration is still first');
    const again = run('Registry.xml', fixed);
    assert.deepEqual(again.file.problems.map((p) => p.message), []);
    assert.equal(again.findings.find((f) => f.ruleId === 'smb1.server')?.suppressed?.reason, 'lab printer');
  }
  // Without a declaration on the line, the comment goes at the line's start, as before.
  const plain = run('Registry.xml', `<RegistrySettings>${reg}</RegistrySettings>`);
  assert.deepEqual(plain.findings.find((f) => f.ruleId === 'smb1.server')?.fixes.find((x) => x.kind === 'suppress')?.edits.map((e) => [e.start, e.end]), [[0, 0]]);
});

test('inserted lines end as the file\'s own lines do, old Mac line breaks (CR only) included', () => {
  const lines = ['[Unicode]', 'Unicode=yes', '[Registry Values]', `${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`, `${M}Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature=4,0`, '[Version]', 'signature="$CHICAGO$"', ''];
  for (const eol of ['\r', '\n', '\r\n']) {
    const { file, findings } = run('GptTmpl.inf', lines.join(eol));
    assert.equal(file.eol, eol);
    const inserted = findings.flatMap((f) => f.fixes.filter((x) => x.kind !== 'value').flatMap((x) => x.edits.map((e) => e.newText)));
    assert.ok(inserted.length >= 3, JSON.stringify(eol));
    for (const t of inserted) assert.equal(t.replace(/\r\n|\r|\n/g, (b) => (b === eol ? '' : `<${JSON.stringify(b)}>`)).includes('<'), false, `${JSON.stringify(eol)}: ${JSON.stringify(t)}`);
    // The suppression it inserts works in that file.
    const suppress = findings[0].fixes.find((x) => x.kind === 'suppress');
    const again = run('GptTmpl.inf', applyEdits(file.text, suppress!.edits).replace('-- ', '-- NAS'));
    assert.equal(again.findings.find((f) => f.ruleId === 'smb.server.require')?.suppressed?.reason, 'NAS', JSON.stringify(eol));
  }
});

test('severity overrides from settings: change or switch off a rule', () => {
  const text = inf(`${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`);
  assert.deepEqual(
    run('GptTmpl.inf', text, { ...ANY, severity: { 'smb.server.require': 'warning' } }).findings.map((f) => f.severity),
    ['warning'],
  );
  assert.deepEqual(run('GptTmpl.inf', text, { ...ANY, severity: { 'smb.server.require': 'off' } }).findings, []);
});

test('fix-all applies preferred value fixes only, without overlaps, and is idempotent', () => {
  const text = inf(
    `${M}Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0`,
    `${M}Control\\Lsa\\LmCompatibilityLevel=4,2`,
    `${M}Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature=4,0`,
  );
  const { file, findings } = run('GptTmpl.inf', text);
  const once = applyEdits(file.text, fixAllEdits(findings, { unsafe: true }));
  assert.equal(once, text.replace(/RequireSecuritySignature=4,0/g, 'RequireSecuritySignature=4,1').replace('LmCompatibilityLevel=4,2', 'LmCompatibilityLevel=4,5'));
  const again = run('GptTmpl.inf', once);
  assert.deepEqual(fixAllEdits(again.findings, { unsafe: true }), []);
});

test('parse problems become findings of the file.* rules with their spans', () => {
  const { file, findings } = run('GptTmpl.inf', inf('this line is not a registry value'));
  const p = findings.find((f) => f.ruleId === 'file.parse');
  assert.ok(p);
  assert.equal(under(file, p), 'this line is not a registry value');
});

test('related information links the values a finding depends on in the same file', () => {
  const text = inf(`${M}Services\\LanManServer\\Parameters\\EnableSecuritySignature=4,0`, `${M}Services\\LanmanServer\\Parameters\\SMB1=4,1`);
  const { file, findings } = run('GptTmpl.inf', text);
  const f = findings.find((x) => x.ruleId === 'smb.server.enable');
  assert.ok(f);
  assert.deepEqual(
    f.related?.map((r) => [file.text.slice(r.span.start, r.span.end), r.message]),
    [[`${M}Services\\LanmanServer\\Parameters\\SMB1=4,1`, 'Configure SMB v1 server: SMB1 = 1 here']],
  );
});

test('.reg: staged and next-step inserts go right after the anchor line, in the same key, with the file line ending', () => {
  const head = 'Windows Registry Editor Version 5.00\r\n\r\n';
  const client = `${head}[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n"RequireSecuritySignature"=dword:00000000\r\n`;
  const a = run('x.reg', client);
  const staged = a.findings.find((f) => f.ruleId === 'smb.client.require')?.fixes.find((x) => x.kind === 'insert');
  assert.ok(staged);
  assert.equal(
    applyEdits(a.file.text, staged.edits),
    client.replace('"RequireSecuritySignature"=dword:00000000', '"RequireSecuritySignature"=dword:00000000\r\n"EnableSecuritySignature"=dword:00000001'),
  );

  const dc = `${head}[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Parameters]\r\n"LDAPServerIntegrity"=dword:00000002\r\n`;
  const b = run('x.reg', dc);
  const next = b.findings.find((f) => f.ruleId === 'ldap.server.cbt');
  assert.equal(next?.severity, 'info');
  assert.deepEqual(
    next?.fixes.filter((x) => x.kind === 'insert').map((x) => applyEdits(b.file.text, x.edits)),
    [1, 2].map((v) => dc.replace('"LDAPServerIntegrity"=dword:00000002', `"LDAPServerIntegrity"=dword:00000002\r\n"LdapEnforceChannelBinding"=dword:0000000${v}`)),
  );

  // 'If server agrees' without 'always': the next step inserts 'always' into the same key block.
  const other = `${head}[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n"EnableSecuritySignature"=dword:00000001\r\n`;
  const c = run('x.reg', other);
  const step = c.findings.find((f) => f.ruleId === 'smb.client.require');
  assert.equal(step?.severity, 'info');
  assert.equal(step?.fixes.filter((x) => x.kind === 'insert').length, 1);
});
