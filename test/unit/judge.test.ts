/**
 * judgeFile: the one judgement behind findings and coverage. Table-driven rows, then an agreement
 * check over the real corpus: a judged weak or deleted value is always a finding, and a finding of
 * a setting is always a judged value.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CoverageAccumulator, coverageSources } from '../../server/src/core/coverage';
import { lint } from '../../server/src/core/engine';
import { judgeFile, type Profile } from '../../server/src/core/judge';
import { parseBytes, parseText } from '../../server/src/core/parse';
import { lineIndexFor } from '../../server/src/core/text';
import { parsePol } from '../../server/src/core/parsers/pol';
import { preg } from '../helpers/preg';
import type { LintOptions } from '../../server/src/core/types';

const REG = 'Windows Registry Editor Version 5.00\r\n\r\n';
const ANY: LintOptions = { role: 'any', targetOs: 'legacy' };
const LANMAN_SRV = '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]\r\n';
const LANMAN_WKS = '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters]\r\n';
const GPP = (...items: string[]) =>
  ['<?xml version="1.0" encoding="utf-8"?>', '<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">', ...items, '</RegistrySettings>', ''].join('\n');
const gppItem = (attrs: string, props: string) =>
  `<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="x"${attrs}><Properties ${props}/></Registry>`;

interface Row {
  name: string;
  path: string;
  text: string;
  options?: LintOptions;
  /** `ruleId status` in order. */
  judged: string[];
}

const rows: Row[] = [
  { name: 'set values, hardened and weak', path: 'a.reg', text: `${REG}${LANMAN_SRV}"RequireSecuritySignature"=dword:00000001\r\n"EnableSecuritySignature"=dword:00000000\r\n`, judged: ['smb.server.require hardened', 'smb.server.enable weak'] },
  {
    name: 'a disabled GPP item is not judged; a conditional one is',
    path: 'Registry.xml',
    text: GPP(
      gppItem(' disabled="1"', 'action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Control\\Lsa" name="LmCompatibilityLevel" type="REG_DWORD" value="00000001"'),
    ),
    judged: [],
  },
  { name: 'a deleted value', path: 'a.reg', text: `${REG}${LANMAN_SRV}"RequireSecuritySignature"=-\r\n`, judged: ['smb.server.require deleted'] },
  {
    name: 'a deleted key expands to every rule under it',
    path: 'a.reg',
    text: `${REG}[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanWorkstation]\r\n`,
    judged: [
      'smb.client.require deleted',
      'smb.client.enable deleted',
      'smb.client.plaintext deleted',
      'smb.client.guest deleted',
      'smb.client.audit.signing deleted',
      'smb.client.audit.encryption deleted',
      'smb.client.audit.guest deleted',
      'smb.client.dialect.min deleted',
      'smb.client.dialect.max deleted',
      // Optional: removing it is not a weakening.
      'smb.client.encrypt unknown',
    ],
  },
  {
    name: 'deleting RequireEncryption (optional, never rated weak) is not a weakening',
    path: 'a.reg',
    text: `${REG}${LANMAN_WKS}"RequireEncryption"=-\r\n`,
    judged: ['smb.client.encrypt unknown'],
  },
  { name: 'DC-only rules are skipped under role member', path: 'a.reg', text: `${REG}[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Parameters]\r\n"LDAPServerIntegrity"=dword:00000001\r\n`, options: { role: 'member', targetOs: 'legacy' }, judged: [] },
  { name: 'DC-only rules are judged under role any', path: 'a.reg', text: `${REG}[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\NTDS\\Parameters]\r\n"LDAPServerIntegrity"=dword:00000001\r\n`, judged: ['ldap.server.signing weak'] },
];

for (const row of rows) {
  test(`judgeFile: ${row.name}`, () => {
    const file = parseText(row.path, row.text);
    const got = judgeFile(file, row.options ?? ANY).map((j) => `${j.rule.id} ${j.status}`);
    assert.deepEqual(got, row.judged);
  });
}

test('findings and coverage agree on a deleted RequireEncryption: no finding, coverage "configured" (not weak)', () => {
  const text = `${REG}${LANMAN_WKS}"RequireEncryption"=-\r\n`;
  const file = parseText('a.reg', text);
  assert.deepEqual(lint(file, ANY).filter((f) => f.ruleId === 'smb.client.encrypt'), []);
  const acc = new CoverageAccumulator(ANY);
  acc.add(coverageSources('a.reg', file, lineIndexFor(file.text), ANY));
  const e = acc.result().find((c) => c.ruleId === 'smb.client.encrypt');
  assert.equal(e?.status, 'configured');
  assert.deepEqual(e?.sources.map((s) => [s.state, s.status, s.line]), [['deleted', 'unknown', 4]]);
});

test('a REG_DWORD value stored as REG_DWORD_BIG_ENDIAN or REG_QWORD is judged nothing from, with a warning; a true REG_DWORD is judged', () => {
  // A .reg file keeps hex(5) data raw; a Registry.pol record decodes it (big-endian) to a number: both are the same finding.
  const cases: [line: string, judged: string, message: string | undefined][] = [
    ['"RequireSecuritySignature"=hex(5):00,00,00,01', 'smb.server.require unknown', 'RequireSecuritySignature is stored as REG_DWORD_BIG_ENDIAN ("00000001"), not as the REG_DWORD the setting is documented as; relaylint cannot tell what Windows does with it, so nothing was judged from it.'],
    ['"RequireSecuritySignature"=hex(b):01,00,00,00,00,00,00,00', 'smb.server.require unknown', 'RequireSecuritySignature is stored as REG_QWORD (1), not as the REG_DWORD the setting is documented as; relaylint cannot tell what Windows does with it, so nothing was judged from it.'],
    ['"RequireSecuritySignature"=hex(4):01,00,00,00', 'smb.server.require hardened', undefined],
  ];
  for (const [line, judged, message] of cases) {
    const file = parseText('a.reg', `${REG}${LANMAN_SRV}${line}\r\n`);
    assert.deepEqual(judgeFile(file, ANY).map((j) => `${j.rule.id} ${j.status}`), [judged], line);
    const f = lint(file, ANY).filter((x) => x.ruleId === 'smb.server.require');
    assert.deepEqual(f.map((x) => [x.severity, x.message.split(' (line')[0].split(' In ')[0]]), message ? [['warning', message]] : [], line);
    const acc = new CoverageAccumulator(ANY);
    acc.add(coverageSources('a.reg', file, lineIndexFor(file.text), ANY));
    assert.equal(acc.result().find((c) => c.ruleId === 'smb.server.require')?.status, message ? 'configured' : 'hardened', line);
  }
  // Registry.pol: the big-endian record decodes to the number 1, which was judged hardened.
  const pol = parsePol(preg([['SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'RequireSecuritySignature', 5, Buffer.from([0, 0, 0, 1])]]), 'HKLM');
  assert.deepEqual(judgeFile(pol, ANY).map((j) => [j.rule.id, j.status, j.judgement?.message]), [
    ['smb.server.require', 'unknown', 'RequireSecuritySignature is stored as REG_DWORD_BIG_ENDIAN (1), not as the REG_DWORD the setting is documented as; relaylint cannot tell what Windows does with it, so nothing was judged from it.'],
  ]);
});

test('a profile overrides what counts as hardened, for findings and coverage alike', () => {
  const lenient: Profile = { id: 'lenient', judges: { 'smb.server.require': () => ({ status: 'hardened' }) } };
  const text = `${REG}${LANMAN_SRV}"RequireSecuritySignature"=dword:00000000\r\n`;
  const file = parseText('a.reg', text);
  const opts: LintOptions = { ...ANY, profile: lenient };
  assert.ok(lint(file, ANY).some((f) => f.ruleId === 'smb.server.require'));
  assert.deepEqual(lint(file, opts).filter((f) => f.ruleId === 'smb.server.require'), []);
  const acc = new CoverageAccumulator(opts);
  acc.add(coverageSources('a.reg', file, lineIndexFor(file.text), opts));
  assert.equal(acc.result().find((c) => c.ruleId === 'smb.server.require')?.status, 'hardened');
});

test('agreement over the real corpus: weak/deleted judged values are findings, setting findings are judged values', () => {
  const root = path.resolve(__dirname, '../../../test/fixtures');
  const options: LintOptions[] = [ANY, { role: 'dc', targetOs: 'ws2025' }, { role: 'member', targetOs: 'win11-24h2' }];
  let checked = 0;
  for (const kind of ['inf', 'reg', 'xml', 'pol']) {
    for (const name of fs.readdirSync(path.join(root, kind))) {
      if (name.endsWith('.md')) continue;
      const file = parseBytes(name, fs.readFileSync(path.join(root, kind, name)));
      for (const o of options) {
        const judged = judgeFile(file, o);
        const findings = lint(file, o).filter((f) => f.setting && f.severity !== 'info');
        for (const j of judged) {
          if (j.status !== 'weak' && j.status !== 'deleted') continue;
          checked++;
          assert.ok(
            findings.some((f) => f.ruleId === j.rule.id && f.setting === j.setting) ||
              lint(file, o).some((f) => f.ruleId === j.rule.id && f.setting === j.setting),
            `${name}: ${j.rule.id} ${j.status} has no finding`,
          );
        }
        for (const f of findings) {
          if (f.ruleId.startsWith('file.') || f.ruleId.startsWith('suppression.')) continue;
          assert.ok(
            judged.some((j) => j.rule.id === f.ruleId && j.setting === f.setting && j.status !== 'hardened'),
            `${name}: finding ${f.ruleId} is not a judged weak, deleted or unknown value`,
          );
        }
      }
    }
  }
  assert.ok(checked > 20, `only ${checked} judged weak values in the corpus`);
});
