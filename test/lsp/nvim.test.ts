/**
 * Neovim, headless, as Debian stable ships it (0.7): the setup block from docs/editors.md drives the
 * built server over stdio on a weak UTF-16LE GptTmpl.inf. Diagnostics, hover, the preferred code
 * action, and a byte-exact save (the bytes of the saved file are compared). Skipped, saying so,
 * only when `nvim` is missing (.ci/run installs it, so CI never skips).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fixturePath, ROOT, SERVER_JS } from '../helpers/lsp-client';

const version = spawnSync('nvim', ['--version'], { encoding: 'utf8' });
const NVIM = version.status === 0 ? (/^NVIM v(\S+)/.exec(version.stdout)?.[1] ?? 'unknown') : undefined;
// In CI (.ci/run sets CI=true and installs neovim) a missing nvim is a failure, never a skip.
const SKIP = NVIM || process.env.CI ? false : 'nvim is not installed (apt-get install -y neovim); .ci/run installs it';

/** The fenced Lua block of docs/editors.md that starts with the given first line. */
export function docsBlock(firstLine: string): string {
  const md = readFileSync(resolve(ROOT, 'docs', 'editors.md'), 'utf8');
  const start = md.indexOf('```lua\n' + firstLine + '\n');
  assert.ok(start >= 0, `docs/editors.md has no Lua block starting with ${firstLine}`);
  const body = md.slice(start + '```lua\n'.length);
  return body.slice(0, body.indexOf('```\n'));
}

interface NvimDiagnostic {
  code: string;
  lnum: number;
  col: number;
  end_lnum: number;
  end_col: number;
  severity: number;
  message: string;
}
interface NvimResult {
  steps: string[];
  error?: string;
  fileencoding: string;
  bomb: boolean;
  fileformat: string;
  diagnostics: NvimDiagnostic[];
  hover: string;
  actions: string[];
  applied: string;
  after: NvimDiagnostic[];
}

test(`Neovim ${NVIM ?? ''} (headless) with the docs/editors.md setup: diagnostics, hover, quick fix, byte-exact save`, { skip: SKIP, timeout: 120_000 }, () => {
  assert.ok(NVIM, 'nvim is not installed: .ci/run installs it (apt-get install -y neovim)');
  const dir = mkdtempSync(join(tmpdir(), 'relaylint-nvim-'));
  try {
    const file = join(dir, 'GptTmpl.inf');
    copyFileSync(fixturePath('weak', 'GptTmpl.inf'), file);
    const original = readFileSync(file);
    const setup = docsBlock('-- relaylint: Neovim 0.7+ setup').replace('/path/to/relaylint/server/out/server.js', SERVER_JS.replace(/\\/g, '/'));
    writeFileSync(join(dir, 'init.lua'), setup);
    const out = join(dir, 'result.json');
    const r = spawnSync(
      'nvim',
      ['--headless', '-n', '-i', 'NONE', '-u', join(dir, 'init.lua'), file, '-c', `luafile ${resolve(ROOT, 'test', 'editors', 'nvim-driver.lua')}`],
      { cwd: dir, env: { ...process.env, RELAYLINT_OUT: out, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data'), XDG_STATE_HOME: join(dir, 'state') }, encoding: 'utf8', timeout: 100_000 },
    );
    let result: NvimResult;
    try {
      result = JSON.parse(readFileSync(out, 'utf8'));
    } catch {
      assert.fail(`nvim wrote no result (status ${r.status}, signal ${r.signal}):\n${r.stdout}\n${r.stderr}`);
    }
    assert.equal(result.error, undefined, `${result.error}\nsteps: ${result.steps.join(', ')}\n${r.stderr}`);
    assert.deepEqual([result.fileencoding, result.bomb, result.fileformat], ['utf-16le', true, 'dos']);

    // Diagnostics: the three weak values, at the value, with the server's severities (1 error, 2 warning).
    assert.deepEqual(
      result.diagnostics.map((d) => [d.code, d.lnum, d.col, d.end_lnum, d.end_col, d.severity]),
      [
        ['smb.server.require', 5, 91, 5, 94, 1],
        ['smb.client.require', 6, 96, 6, 99, 2],
        ['ldap.server.cbt', 8, 84, 8, 87, 1],
      ],
    );
    assert.equal(
      result.diagnostics[0].message,
      'SMB server signing is not required (RequireSecuritySignature = 0): this host accepts unsigned sessions and can be the target of an NTLM relay over SMB.',
    );
    // Hover on the weak value.
    assert.ok(result.hover.includes('RequireSecuritySignature'), result.hover);
    assert.ok(result.hover.length > 100, result.hover);
    // The quick fixes of the first diagnostic, the preferred one applied.
    assert.deepEqual(result.actions.slice(0, 1), ['Require SMB server signing (always) (enforces: check the audit first)']);
    assert.ok(result.actions.includes('Disable smb.server.require for this line (add the reason after the marker)'), result.actions.join('\n'));
    assert.equal(result.applied, 'Require SMB server signing (always) (enforces: check the audit first)');
    assert.deepEqual(
      result.after.map((d) => d.code),
      ['smb.client.require', 'ldap.server.cbt'],
    );

    // Byte-exact save: UTF-16LE with BOM and CRLF kept; only "4,0" → "4,1" on that line changed.
    const saved = readFileSync(file);
    const text = original.subarray(2).toString('utf16le');
    const line = 'Parameters\\RequireSecuritySignature=4,0\r\nMACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation';
    assert.ok(text.includes(line));
    const expected = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(line, line.replace('=4,0', '=4,1')), 'utf16le')]);
    assert.equal(saved.length, original.length);
    assert.ok(saved.equals(expected), `saved bytes differ:\n${saved.toString('hex')}\n${expected.toString('hex')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
