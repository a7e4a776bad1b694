/**
 * A folder of 1,000,000 files (issue 10: it took 340 MB, the whole listing was held as Dirent
 * objects): the walk streams the folder with opendir and keeps only the names that can be exports.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, tempDir } from '../helpers/cli';

test('scanning a folder of 1,000,000 files stays under 150 MB', (t) => {
  const time = '/usr/bin/time';
  if (!fs.existsSync(time) || spawnSync(time, ['-v', 'true']).status !== 0) return t.skip('needs GNU /usr/bin/time for the peak RSS');
  const dir = tempDir('relaylint-million-');
  try {
    const big = path.join(dir, 'big');
    fs.mkdirSync(big);
    for (let i = 0; i < 1_000_000; i++) fs.closeSync(fs.openSync(path.join(big, `file-with-a-longish-name-${String(i).padStart(7, '0')}.txt`), 'w'));
    fs.writeFileSync(path.join(big, 'GptTmpl.inf'), '[Unicode]\r\nUnicode=yes\r\n');
    const r = spawnSync(time, ['-v', process.execPath, CLI, 'scan', big, '--format', 'json', '--no-coverage'], {
      encoding: 'utf8',
      env: { ...process.env, RELAYLINT_LEAN_CHILD: '1' },
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.equal(r.status, 0, r.stderr.slice(-2000));
    const peakKb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
    process.stdout.write(`# 1,000,000 files: peak RSS ${(peakKb / 1024).toFixed(0)} MB\n`);
    assert.ok(peakKb / 1024 < 150, `peak RSS ${(peakKb / 1024).toFixed(0)} MB`);
    assert.equal(JSON.parse(r.stdout).files.length, 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
