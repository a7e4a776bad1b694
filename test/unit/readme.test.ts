/**
 * The repository README starts with the two set-up commands, and no README tells anyone to run
 * relaylint by an npm name (none is published: whoever registers it would run code in every
 * workflow that copied the example).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const ROOT = resolve(__dirname, '..', '..', '..');
const read = (f: string) => readFileSync(join(ROOT, f), 'utf8');

test('README.md starts with exactly the two set-up commands', () => {
  const lines = read('README.md').split('\n').slice(0, 6);
  assert.equal(lines[0], '# relaylint');
  assert.equal(lines[1], '');
  assert.equal(lines[2], '```sh');
  assert.match(lines[3], /^npm ci && npm run demo(\s+#.*)?$/);
  assert.match(lines[4], /^npm test(\s+#.*)?$/);
  assert.equal(lines[5], '```');
});

test('no README runs an unpublished npm name; the CI example installs the tarball pack:cli builds', () => {
  for (const f of ['README.md', 'README-vscode.md', 'docs/development.md']) {
    const text = read(f);
    assert.doesNotMatch(text, /\bnpx\s+(--yes\s+|-y\s+)?relaylint\b/, f);
    assert.doesNotMatch(text, /npm\s+(i|install)\s+(-g\s+|--global\s+)?relaylint(@|\s|$)/m, f);
  }
  const readme = read('README.md');
  assert.match(readme, /npm install --global --offline \.\/tools\/relaylint-\d+\.\d+\.\d+\.tgz/);
  assert.match(readme, /sha256sum --check/);
});
