/**
 * The published JSON schema of relaylint.json: generated from the catalog (drift fails), wired into
 * VS Code through contributes.jsonValidation, and it accepts and refuses the same configs as the
 * core's validator (checked with Ajv, the validator VS Code's JSON service is modelled on).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { allRules } from '../../server/src/core';
import { validateConfig } from '../../server/src/core/config';
import { ROOT } from '../helpers/lsp-client';

const schema = JSON.parse(readFileSync(resolve(ROOT, 'schemas', 'relaylint.schema.json'), 'utf8'));
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));

describe('config file schema', () => {
  test('generated from the catalog (node scripts/gen-config-schema.mjs --check)', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-config-schema.mjs', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.deepEqual(Object.keys(schema.definitions.rules.properties), allRules.map((r) => r.id));
    assert.deepEqual(schema.definitions.ruleId.enum, allRules.map((r) => r.id));
    assert.deepEqual(schema.definitions.level.enum, ['off', 'hint', 'info', 'warning', 'error']);
  });

  test('wired into VS Code for relaylint.json and the relaylint key of package.json, and packaged', () => {
    assert.deepEqual(pkg.contributes.jsonValidation, [
      { fileMatch: 'relaylint.json', url: './schemas/relaylint.schema.json' },
      { fileMatch: 'package.json', url: './schemas/package.schema.json' },
    ]);
    for (const v of pkg.contributes.jsonValidation) assert.ok(existsSync(resolve(ROOT, v.url)), v.url);
    const pkgSchema = JSON.parse(readFileSync(resolve(ROOT, 'schemas', 'package.schema.json'), 'utf8'));
    assert.deepEqual(pkgSchema.properties, { relaylint: { $ref: './relaylint.schema.json' } });
    assert.ok(readFileSync(resolve(ROOT, '.vscodeignore'), 'utf8').split(/\r?\n/).includes('!schemas/**'));
  });

  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Ajv = require('ajv') as new (o: object) => { compile(s: object): ((d: unknown) => boolean) & { errors?: unknown } };
  const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
  const cases: [string, unknown, boolean][] = [
    ['empty', {}, true],
    ['everything', { $schema: 'x', role: 'dc', targetOs: 'ws2025', rules: { 'smb.server.require': 'off' }, overrides: [{ files: 'a/**', role: 'member', rules: { 'file.parse': 'hint' } }], ignore: ['lab'], exceptions: [{ rule: ['smb1.server'], files: '*.xml', reason: 'r', expires: '2026-01-31' }], topology: 't.json', evidence: ['e'] }, true],
    ['unknown key', { rule: {} }, false],
    ['unknown rule', { rules: { 'smb.nope': 'off' } }, false],
    ['bad level', { rules: { 'smb.server.require': 'warn' } }, false],
    ['bad role', { role: 'DC' }, false],
    ['bad target', { targetOs: 'win10' }, false],
    ['override without files', { overrides: [{ role: 'dc' }] }, false],
    ['override with no globs', { overrides: [{ files: [] }] }, false],
    ['override unknown key', { overrides: [{ files: 'x', severity: {} }] }, false],
    ['backslash glob', { ignore: 'lab\\x' }, false],
    ['blank glob', { ignore: ['  '] }, false],
    ['exception without reason', { exceptions: [{ rule: 'smb1.server' }] }, false],
    ['exception blank reason', { exceptions: [{ rule: 'smb1.server', reason: ' ' }] }, false],
    ['exception without rule', { exceptions: [{ reason: 'r' }] }, false],
    ['exception unknown rule', { exceptions: [{ rule: 'x', reason: 'r' }] }, false],
    ['exception date format', { exceptions: [{ rule: 'smb1.server', reason: 'r', expires: '31.01.2026' }] }, false],
    ['topology number', { topology: 5 }, false],
    ['evidence blank', { evidence: [''] }, false],
    ['not an object', [], false],
  ];
  for (const [name, value, valid] of cases) {
    test(`schema and core agree: ${name} is ${valid ? 'valid' : 'refused'}`, () => {
      assert.equal(validate(value), valid, JSON.stringify(validate.errors));
      const core = validateConfig(value);
      assert.equal(core.problems.length === 0, valid, JSON.stringify(core.problems));
    });
  }
});
