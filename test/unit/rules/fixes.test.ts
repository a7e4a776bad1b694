/**
 * Every rule × every editable format: a weak value is found on its own line, and the preferred fix
 * writes exactly the hardened value in that format's syntax (`=4,1`, `dword:00000001`,
 * `value="00000001"`), leaving the rest of the text alone.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { settingRules } from '../../../server/src/core/catalog';
import type { SettingRule } from '../../../server/src/core/catalog/types';
import { lint } from '../../../server/src/core/engine';
import { parseText } from '../../../server/src/core/parse';
import { applyEdits } from '../../../server/src/core/text';
import type { LintOptions } from '../../../server/src/core/types';

const OPTIONS: LintOptions = { role: 'dc', targetOs: 'legacy' };

/** The first documented value the rule judges weak with no other values around, if any. */
function weakValue(rule: SettingRule): number | undefined {
  for (const v of Object.keys(rule.values).map(Number)) {
    if (rule.judge(v, { role: 'dc', targetOs: 'legacy', peers: new Map() }).status === 'weak') return v;
  }
  return undefined;
}

const hex8 = (n: number) => (n >>> 0).toString(16).padStart(8, '0');

interface Format {
  name: string;
  path: string;
  doc(rule: SettingRule, value: number): string;
  line(rule: SettingRule, value: number): string;
}

const loc = (r: SettingRule) => r.locations[0];
const formats: Format[] = [
  {
    name: 'INF',
    path: 'GptTmpl.inf',
    line: (r, v) => `MACHINE\\${loc(r).key}\\${loc(r).name}=4,${v}`,
    doc(r, v) {
      return ['[Unicode]', 'Unicode=yes', '[Registry Values]', this.line(r, v), '[Version]', 'signature="$CHICAGO$"', ''].join('\r\n');
    },
  },
  {
    name: '.reg',
    path: 'x.reg',
    line: (r, v) => `"${loc(r).name}"=dword:${hex8(v)}`,
    doc(r, v) {
      return ['Windows Registry Editor Version 5.00', '', `[HKEY_LOCAL_MACHINE\\${loc(r).key}]`, this.line(r, v), ''].join('\r\n');
    },
  },
  {
    name: 'GPP',
    path: 'Registry.xml',
    line: (r, v) =>
      `<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="${loc(r).name}"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="${loc(r).key}" name="${loc(r).name}" type="REG_DWORD" value="${hex8(v).toUpperCase()}"/></Registry>`,
    doc(r, v) {
      return ['<?xml version="1.0" encoding="utf-8"?>', '<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">', this.line(r, v), '</RegistrySettings>', ''].join('\n');
    },
  },
];

const dwordRules = settingRules.filter((r) => r.valueType === 'REG_DWORD' && r.fixes.length > 0);

test('the table covers every fixable DWORD rule', () => {
  assert.ok(dwordRules.length >= 30, `${dwordRules.length} rules`);
  for (const r of dwordRules) assert.notEqual(weakValue(r), undefined, `${r.id} has a documented weak value`);
});

for (const format of formats) {
  test(`${format.name}: every rule finds its weak value and fixes it in the format's own syntax`, async (t) => {
    for (const rule of dwordRules) {
      await t.test(rule.id, () => {
        const weak = weakValue(rule) as number;
        const preferred = rule.fixes.find((c) => c.preferred && !c.target);
        assert.ok(preferred && typeof preferred.value === 'number', 'a preferred value fix');
        const text = format.doc(rule, weak);
        const file = parseText(format.path, text, format.name === 'INF' ? 'utf-16le-bom' : 'utf-8');
        assert.deepEqual(file.problems.filter((p) => p.severity !== 'hint'), []);
        const f = lint(file, OPTIONS).find((x) => x.ruleId === rule.id);
        assert.ok(f, 'finding');
        assert.equal(file.text.slice(f.span.start, f.span.end), format.line(rule, weak));
        const fix = f.fixes.find((x) => x.isPreferred);
        assert.ok(fix, 'preferred fix');
        assert.equal(fix.title, preferred.title);
        assert.equal(applyEdits(text, fix.edits), text.replace(format.line(rule, weak), format.line(rule, preferred.value as number)));
        const after = lint(parseText(format.path, applyEdits(text, fix.edits), 'utf-8'), OPTIONS).filter((x) => x.ruleId === rule.id && x.severity !== 'info');
        assert.deepEqual(after, [], 'fixed value is no longer weak');
      });
    }
  });
}

test('hardened path (REG_SZ): .reg and GPP fixes write the string in their own syntax', () => {
  // A value name with backslashes (\\*\SYSVOL) cannot be written in a secedit [Registry Values]
  // line (the name is what follows the last backslash); hardened paths come from ADMX or GPP.
  const rule = settingRules.find((r) => r.id === 'smb.unc.hardened') as SettingRule;
  const l = loc(rule);
  const reg = ['Windows Registry Editor Version 5.00', '', `[HKEY_LOCAL_MACHINE\\${l.key}]`, `"${l.name.replace(/\\/g, '\\\\')}"="RequireMutualAuthentication=0"`, ''].join('\r\n');
  const g = lint(parseText('x.reg', reg, 'utf-8'), OPTIONS).find((x) => x.ruleId === rule.id);
  const gfix = g?.fixes.find((x) => x.isPreferred);
  assert.ok(gfix);
  assert.equal(applyEdits(reg, gfix.edits), reg.replace('"RequireMutualAuthentication=0"', '"RequireMutualAuthentication=1, RequireIntegrity=1"'));
  const gpp = `<RegistrySettings><Registry name="x"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="${l.key}" name="${l.name}" type="REG_SZ" value="RequireMutualAuthentication=1"/></Registry></RegistrySettings>`;
  const h = lint(parseText('Registry.xml', gpp, 'utf-8'), OPTIONS).find((x) => x.ruleId === rule.id);
  const hfix = h?.fixes.find((x) => x.isPreferred);
  assert.ok(hfix);
  assert.equal(applyEdits(gpp, hfix.edits), gpp.replace('value="RequireMutualAuthentication=1"', 'value="RequireMutualAuthentication=1, RequireIntegrity=1"'));
});
