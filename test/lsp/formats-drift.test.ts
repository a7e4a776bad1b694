/**
 * The client's document selector (client/src/generated/formats.ts) and the activation events in
 * package.json are generated from the format providers (`npm run gen`): drift fails here.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { activationEvents, editorSelector } from '../../server/src/core/formats';
import { ROOT } from '../helpers/lsp-client';

test('client/src/generated/formats.ts and package.json activationEvents are up to date (node scripts/gen-client-formats.mjs)', () => {
  const r = spawnSync(process.execPath, ['scripts/gen-client-formats.mjs', '--check'], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));
  assert.deepEqual(pkg.activationEvents, [...activationEvents(), 'onFileSystem:relaylint-docs']);
  const generated = readFileSync(resolve(ROOT, 'client/src/generated/formats.ts'), 'utf8');
  const literal = /GENERATED_DOCUMENT_SELECTOR[^=]*= (\[[\s\S]*?\]);/.exec(generated)?.[1];
  assert.ok(literal, 'the generated module holds the selector literal');
  assert.deepEqual(JSON.parse(literal.replace(/,\n\]$/, '\n]')), editorSelector());
});

test('the client uses the generated selector (no hand-written copy)', () => {
  const client = readFileSync(resolve(ROOT, 'client/src/extension.ts'), 'utf8');
  assert.match(client, /DOCUMENT_SELECTOR: DocumentSelector = GENERATED_DOCUMENT_SELECTOR/);
  assert.doesNotMatch(client, /pattern: '\*\*\//, 'no selector pattern written by hand in the client');
});
