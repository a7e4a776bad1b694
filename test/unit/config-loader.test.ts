/**
 * ConfigLoader's size limits (configLoader.ts): a relaylint.json up to 1 MiB, a package.json (read
 * only to look for its "relaylint" key) up to 16 MiB; past either, a problem on that file and
 * nothing read. An audit (wave 18) found a 200 MB package.json read whole.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ConfigLoader } from '../../server/src/configLoader';
import { tempDir } from '../helpers/cli';

test('config files over their size limit are problems and are not read; under it they are read', () => {
  const dir = tempDir();
  const file = (name: string, text: string, size?: number) => {
    const p = path.join(dir, name);
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    if (size !== undefined) fs.truncateSync(p, size);
    return p;
  };
  const pad = (n: number) => 'a'.repeat(n);
  const rows: [string, string, string | undefined][] = [
    [file('a/relaylint.json', '{}', 1024 * 1024 + 1), 'The config file is 1048577 bytes; relaylint reads config files up to 1 MiB.', undefined],
    // Exactly 1 MiB (JSON allows any amount of whitespace).
    [file('b/relaylint.json', `{"role":"dc"}${' '.repeat(1024 * 1024 - 13)}`), '', 'dc'],
    [file('c/package.json', `{"relaylint":{"role":"dc"},"x":"${pad(2 * 1024 * 1024)}"}`), '', 'dc'],
    [file('d/package.json', '{}', 16 * 1024 * 1024 + 1), 'This package.json is 16777217 bytes; relaylint reads a package.json up to 16 MiB to look for its "relaylint" key, so it was not read.', undefined],
  ];
  for (const [p, problem, role] of rows) {
    const r = new ConfigLoader().load(p);
    assert.deepEqual(r?.problems.map((x) => x.message).join(), problem, p);
    assert.equal(r?.config?.role, role, p);
  }
  // A package.json without the key: not a config.
  assert.equal(new ConfigLoader().load(file('e/package.json', '{"name":"x"}')), undefined);
});
