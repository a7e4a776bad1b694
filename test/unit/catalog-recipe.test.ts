/**
 * The "add a setting" recipe (CONTRIBUTING.md), enforced: a new catalog entry fails here until
 * everything derived from it exists — its rule page, its settings-schema property, its config
 * schema entry — and until its OS defaults are stated as data for every role and target OS.
 * (ADMX-backed entries also resolve in GPO reports: test/unit/catalog-identities.test.ts; the id
 * set of ids is pinned by the judge table in test/unit/rules/judge.test.ts.)
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { allRules, settingRules } from '../../server/src/core';
import { missingIsWeak, osDefaultFor } from '../../server/src/core/catalog';
import type { Role, TargetOs } from '../../server/src/core/types';

const ROOT = resolve(__dirname, '../../..');
const ROLES: Role[] = ['dc', 'member', 'any'];
const TARGETS: TargetOs[] = ['legacy', 'win11-24h2', 'ws2025'];

test('every rule has its generated rule page, settings-schema property and config-schema entry (npm run gen)', () => {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
  const settingsSchema = pkg.contributes.configuration.properties['relaylint.rules'].properties;
  const configSchema = readFileSync(resolve(ROOT, 'schemas/relaylint.schema.json'), 'utf8');
  for (const r of allRules) {
    assert.ok(existsSync(resolve(ROOT, 'docs/rules', `${r.id}.md`)), `${r.id}: docs/rules/${r.id}.md is missing (npm run gen)`);
    assert.ok(settingsSchema[r.id], `${r.id}: package.json relaylint.rules has no property (npm run gen)`);
    assert.ok(configSchema.includes(JSON.stringify(r.id)), `${r.id}: schemas/relaylint.schema.json does not name it (npm run gen)`);
  }
});

test('every setting states its OS defaults as data, for every role and target OS', () => {
  for (const r of settingRules) {
    assert.ok(r.osDefaults.length > 0, `${r.id}: osDefaults is empty`);
    for (const row of r.osDefaults) {
      for (const role of row.roles ?? []) assert.ok(ROLES.includes(role), `${r.id}: role ${role}`);
      for (const t of row.targetOs ?? []) assert.ok(TARGETS.includes(t), `${r.id}: target ${t}`);
      if (row.value !== undefined && typeof row.value === 'number') assert.ok(row.value in r.values, `${r.id}: default ${row.value} is not a documented value`);
    }
    for (const role of ROLES) {
      for (const targetOs of TARGETS) {
        const row = osDefaultFor(r, { role, targetOs });
        assert.ok(row, `${r.id}: no OS default row for ${role}/${targetOs}`);
        assert.equal(missingIsWeak(r, { role, targetOs }), row.exposed, `${r.id}: missingIsWeak is derived from osDefaults`);
      }
    }
  }
});

test('OS default rows: the first match wins, an omitted list matches everything', () => {
  const rule = {
    osDefaults: [
      { roles: ['dc'] as Role[], value: 1, exposed: false },
      { targetOs: ['win11-24h2'] as TargetOs[], value: 1, exposed: false },
      { value: 0, exposed: true },
    ],
  };
  assert.equal(osDefaultFor(rule, { role: 'dc', targetOs: 'win11-24h2' }), rule.osDefaults[0]);
  assert.equal(osDefaultFor(rule, { role: 'member', targetOs: 'win11-24h2' }), rule.osDefaults[1]);
  assert.equal(osDefaultFor(rule, { role: 'any', targetOs: 'ws2025' }), rule.osDefaults[2]);
  assert.equal(osDefaultFor({ osDefaults: [{ roles: ['dc'], exposed: true }] }, { role: 'member', targetOs: 'legacy' }), undefined);
});

test('the stated default values agree with the rows (smb.server.require, ldap.server.cbt, ntlm.lmcompat)', () => {
  const value = (id: string, role: Role, targetOs: TargetOs) => osDefaultFor(settingRules.find((r) => r.id === id)!, { role, targetOs });
  assert.deepEqual(value('smb.server.require', 'dc', 'legacy'), { roles: ['dc'], value: 1, exposed: false });
  assert.deepEqual(value('smb.server.require', 'member', 'legacy'), { value: 0, exposed: true });
  assert.deepEqual({ ...value('smb.server.require', 'member', 'ws2025'), says: undefined }, { targetOs: ['ws2025'], value: 0, exposed: true, says: undefined });
  assert.deepEqual({ ...value('ldap.server.cbt', 'dc', 'ws2025'), says: undefined }, { targetOs: ['ws2025'], value: 1, exposed: true, says: undefined });
  assert.deepEqual(value('ntlm.lmcompat', 'member', 'legacy'), { roles: ['member'], value: 3, exposed: false });
});
