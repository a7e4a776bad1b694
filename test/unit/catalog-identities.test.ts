/**
 * Invariants over the policy identities held by the catalog entries: every ADMX-backed setting
 * resolves in GPO reports (a report snippet built from the entry maps to the entry's rule), every
 * Security Option resolves by its KeyName, and the derived links (next steps, related rules, audit
 * switches) name real rules.
 */
import { describe, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { ruleOf, settingRuleById, settingRules } from '../../server/src/core/catalog';
import type { AdmxPolicyIdentity, SettingRule } from '../../server/src/core/catalog/types';
import { lint } from '../../server/src/core/engine';
import { parseText } from '../../server/src/core/parse';

const NS_REGISTRY = 'http://www.microsoft.com/GroupPolicy/Settings/Registry';
const NS_SECURITY = 'http://www.microsoft.com/GroupPolicy/Settings/Security';

function report(ext: string): string {
  return (
    '<?xml version="1.0" encoding="utf-16"?>\r\n' +
    '<GPO xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings">\r\n' +
    '<Identifier><Identifier xmlns="http://www.microsoft.com/GroupPolicy/Types">{11111111-2222-3333-4444-555555555555}</Identifier><Domain xmlns="http://www.microsoft.com/GroupPolicy/Types">corp.example</Domain></Identifier>\r\n' +
    '<Name>Invariant GPO</Name>\r\n' +
    `<Computer><VersionDirectory>1</VersionDirectory><VersionSysvol>1</VersionSysvol><Enabled>true</Enabled>${ext}</Computer>\r\n` +
    '<User><VersionDirectory>1</VersionDirectory><VersionSysvol>1</VersionSysvol><Enabled>true</Enabled></User>\r\n</GPO>\r\n'
  );
}

/** The report parts that make `id` write `value` (the hardened value of the entry), or undefined if it cannot. */
function policyParts(id: AdmxPolicyIdentity, value: number | string): { state: string; parts: string } | undefined {
  const st = id.state;
  switch (st.kind) {
    case 'on-off':
      if (value === st.enabled) return { state: 'Enabled', parts: '' };
      if (value === st.disabled) return { state: 'Disabled', parts: '' };
      return undefined;
    case 'drop-down': {
      const choice = st.choices.find(([, v]) => v === value);
      if (!choice) return undefined;
      return { state: 'Enabled', parts: `<q:DropDownList><q:Name>Choose</q:Name><q:State>Enabled</q:State><q:Value><q:Name>${choice[0]} (as shown)</q:Name></q:Value></q:DropDownList>` };
    }
    case 'smb-dialect': {
      if (typeof value !== 'number') return undefined;
      const v = `${value >> 8}.${(value >> 4) & 15}.${value & 15}`;
      return { state: 'Enabled', parts: `<q:DropDownList><q:Name>Version</q:Name><q:State>Enabled</q:State><q:Value><q:Name>SMB ${v}</q:Name></q:Value></q:DropDownList>` };
    }
    case 'list':
      return {
        state: 'Enabled',
        parts: `<q:ListBox><q:Name>Paths</q:Name><q:State>Enabled</q:State><q:Value><q:Element><q:Name>\\\\*\\SYSVOL</q:Name><q:Data>${value}</q:Data></q:Element></q:Value></q:ListBox>`,
      };
  }
}

const admxRules = settingRules.filter((r) => r.admx?.length);
const hardened = (r: SettingRule) => r.fixes.find((c) => c.preferred && !c.target)?.value ?? r.fixes[0]?.value;

describe('ADMX identities resolve in GPO reports', () => {
  test('the ADMX-backed settings are the ones the fact base names (a new one is added here and in its entry)', () => {
    assert.deepEqual(admxRules.map((r) => r.id).sort(), [
      'ldap.server.cbt',
      'smb.client.audit.encryption',
      'smb.client.audit.guest',
      'smb.client.audit.signing',
      'smb.client.dialect.max',
      'smb.client.dialect.min',
      'smb.client.encrypt',
      'smb.client.guest',
      'smb.server.audit.encryption',
      'smb.server.audit.guest',
      'smb.server.audit.signing',
      'smb.server.dialect.max',
      'smb.server.dialect.min',
      'smb.unc.hardened',
      'smb1.client',
      'smb1.server',
    ]);
  });

  for (const rule of admxRules) {
    for (const id of rule.admx ?? []) {
      test(`${rule.id}: "${id.name}" under ${id.category}`, () => {
        // The optional setting has no fix value: its Enabled state (1) is the one to resolve.
        const value = hardened(rule) ?? 1;
        const parts = policyParts(id, value);
        assert.ok(parts, `${rule.id}: the ADMX identity cannot express the hardened value ${value}`);
        const policy = `<q:Policy><q:Name>${id.name}</q:Name><q:State>${parts.state}</q:State><q:Explain>help</q:Explain><q:Supported>x</q:Supported><q:Category>${id.category}</q:Category>${parts.parts}</q:Policy>`;
        const text = report(`<ExtensionData><Extension xmlns:q="${NS_REGISTRY}" xsi:type="q:RegistrySettings">${policy}</Extension><Name>Registry</Name></ExtensionData>`);
        const file = parseText('gpreport.xml', text, 'utf-16le-bom');
        assert.equal(file.format, 'gpo-report-xml');
        const mine = file.settings.filter((s) => ruleOf(s)?.id === rule.id);
        assert.equal(mine.length, 1, `${rule.id}: ${JSON.stringify(file.settings.map((s) => [s.key, s.name, s.value]))} ${JSON.stringify(file.problems)}`);
        assert.equal(mine[0].policyName, id.name);
        // The hardened value gives no finding of this rule.
        assert.deepEqual(
          lint(file, { role: 'dc', targetOs: 'legacy' }).filter((f) => f.ruleId === rule.id && f.severity !== 'info').map((f) => f.message),
          [],
        );
      });
    }
  }

  test('a policy with the same name under another template does not resolve (category-bound identities)', () => {
    const id = settingRuleById('smb.server.audit.signing')?.admx?.[0];
    assert.ok(id?.categoryMustMatch);
    const policy = `<q:Policy><q:Name>${id.name}</q:Name><q:State>Enabled</q:State><q:Category>Network/Lanman Workstation</q:Category></q:Policy>`;
    const file = parseText('gpreport.xml', report(`<ExtensionData><Extension xmlns:q="${NS_REGISTRY}" xsi:type="q:RegistrySettings">${policy}</Extension><Name>Registry</Name></ExtensionData>`), 'utf-16le-bom');
    assert.deepEqual(file.settings.map((s) => ruleOf(s)?.id), []);
  });
});

describe('Security Option identities resolve in reports and templates', () => {
  const secOpts = settingRules.filter((r) => r.securityOption);
  test('every Security Option names its own first HKLM location', () => {
    assert.ok(secOpts.length >= 20, String(secOpts.length));
    for (const r of secOpts) {
      const loc = r.locations.find((l) => l.hive === 'HKLM');
      assert.ok(loc, r.id);
      assert.equal(r.securityOption?.keyName, `MACHINE\\${loc.key}\\${loc.name}`, r.id);
      assert.equal(r.securityOption?.name, r.displayName, r.id);
    }
  });
  for (const r of secOpts) {
    test(`${r.id}: KeyName resolves in a report's SecurityOptions`, () => {
      const el = `<q:SecurityOptions><q:KeyName>${r.securityOption?.keyName}</q:KeyName><q:SettingNumber>1</q:SettingNumber><q:Display><q:Name>${r.securityOption?.name}</q:Name></q:Display></q:SecurityOptions>`;
      const file = parseText('gpreport.xml', report(`<ExtensionData><Extension xmlns:q="${NS_SECURITY}" xsi:type="q:SecuritySettings">${el}</Extension><Name>Security</Name></ExtensionData>`), 'utf-16le-bom');
      assert.deepEqual(file.settings.map((s) => ruleOf(s)?.id), [r.id]);
    });
  }
});

test('derived links name real rules: next steps, related rules, audit switches; evidence has ids', () => {
  for (const r of settingRules) {
    for (const s of r.nextSteps ?? []) {
      assert.ok(settingRuleById(s.next), `${r.id} → ${s.next}`);
      assert.ok(s.message.length > 20, r.id);
    }
    for (const id of r.related ?? []) assert.ok(settingRuleById(id), `${r.id} related ${id}`);
    if (r.auditSwitch) assert.equal(settingRuleById(r.auditSwitch)?.stage, 'audit', `${r.id} audit switch ${r.auditSwitch}`);
    for (const e of r.evidence?.events ?? []) assert.ok(e.log && e.ids.length > 0, r.id);
  }
});
