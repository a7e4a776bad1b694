/**
 * Emacs 28 + Eglot 1.9 (what Debian stable ships), in batch mode: the setup block from
 * docs/editors.md drives the built server over stdio. Eglot 1.9 sends one language id for every
 * file of a server, so this also proves the server's content detection: the GptTmpl.inf gets its
 * security-template diagnostics, hover and quick fix (saved byte for byte), and a pom.xml managed
 * by the same server gets no diagnostics. Skipped, saying so, without Emacs or Eglot.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fixturePath, ROOT, SERVER_JS } from '../helpers/lsp-client';

const probe = spawnSync('emacs', ['--batch', '--eval', "(progn (require 'eglot) (princ emacs-version))"], { encoding: 'utf8' });
const EMACS = probe.status === 0 ? probe.stdout.trim() : undefined;
const SKIP = EMACS ? false : 'Emacs with Eglot is not installed (apt-get install -y emacs-nox elpa-eglot)';

function docsBlock(firstLine: string): string {
  const md = readFileSync(resolve(ROOT, 'docs', 'editors.md'), 'utf8');
  const start = md.indexOf('```elisp\n' + firstLine + '\n');
  assert.ok(start >= 0, `docs/editors.md has no Elisp block starting with ${firstLine}`);
  const body = md.slice(start + '```elisp\n'.length);
  return body.slice(0, body.indexOf('```\n'));
}

const POM = '<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">\n  <modelVersion>4.0.0</modelVersion>\n</project>\n';

test(`Emacs ${EMACS ?? ''} + Eglot (batch) with the docs/editors.md setup: one language id for all files, content decides`, { skip: SKIP, timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'relaylint-emacs-'));
  try {
    const file = join(dir, 'GptTmpl.inf');
    copyFileSync(fixturePath('weak', 'GptTmpl.inf'), file);
    const original = readFileSync(file);
    writeFileSync(join(dir, 'pom.xml'), POM);
    writeFileSync(join(dir, 'setup.el'), docsBlock(';; relaylint: Emacs 28+ Eglot setup').replace('/path/to/relaylint/server/out/server.js', SERVER_JS));
    const out = join(dir, 'result.json');
    const r = spawnSync('emacs', ['--batch', '-l', join(dir, 'setup.el'), '-l', resolve(ROOT, 'test', 'editors', 'emacs-driver.el')], {
      cwd: dir,
      env: { ...process.env, HOME: dir, RELAYLINT_OUT: out, RELAYLINT_FILE: file, RELAYLINT_POM: join(dir, 'pom.xml') },
      encoding: 'utf8',
      timeout: 100_000,
    });
    let result: Record<string, unknown>;
    try {
      result = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      assert.fail(`emacs wrote no result (status ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
    assert.equal(result.error, undefined, `${result.error}\n${r.stderr.slice(-3000)}`);
    assert.equal(result.mode, 'secedit-inf-mode');
    assert.equal(result.coding, 'utf-16le-with-signature-dos');
    assert.equal(result.languageId, 'secedit-inf');
    const diags = result.diagnostics as { code: string; line: number; col: number; message: string }[];
    assert.deepEqual(
      diags.map((d) => [d.code, d.line, d.col]),
      [
        ['smb.server.require', 5, 91],
        ['smb.client.require', 6, 96],
        ['ldap.server.cbt', 8, 84],
      ],
    );
    assert.ok(String(result.hover).includes('**Fix:** Require SMB server signing (always)'), String(result.hover).slice(0, 500));
    assert.equal(result.applied, 'Require SMB server signing (always) (enforces: check the audit first)');
    assert.deepEqual(
      (result.after as { code: string }[]).map((d) => d.code),
      ['smb.client.require', 'ldap.server.cbt'],
    );
    // The pom.xml went to the same server with the same language id ("secedit-inf") and got nothing.
    assert.equal(result.pomMode, 'nxml-mode');
    assert.equal(result.pomManaged, true);
    assert.deepEqual(result.pomPublished, []);
    // Byte-exact save.
    const text = original.subarray(2).toString('utf16le');
    const line = 'Parameters\\RequireSecuritySignature=4,0\r\nMACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation';
    const expected = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(line, line.replace('=4,0', '=4,1')), 'utf16le')]);
    assert.ok(readFileSync(file).equals(expected), 'the saved GptTmpl.inf differs from the original outside the fix');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
