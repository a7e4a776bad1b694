/**
 * The config file in the editor, over real JSON-RPC: found by walking up from the document, merged
 * over the editor settings, exceptions shown with their reason, problems shown, and never read
 * while the workspace is not trusted.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver-protocol/node';
import { fixturePath, fixtureText, LspClient } from '../helpers/lsp-client';
import { runCli } from '../helpers/cli';
import { EditorConfig } from '../../server/src/lsp/config';
import { DEFAULT_SETTINGS } from '../../server/src/lsp/settings';

const ALL = ['smb.server.require@5:91/1', 'smb.client.require@6:96/2', 'ldap.server.cbt@8:84/1'];
const brief = (ds: Diagnostic[]) => ds.map((d) => `${d.code ?? '-'}@${d.range.start.line}:${d.range.start.character}/${d.severity}`);

let root: string;
/** A folder with a config file (or none) and the weak GptTmpl.inf at GPO/GptTmpl.inf; returns the document URI. */
function workspace(name: string, files: Record<string, unknown>): { dir: string; uri: string } {
  const dir = join(root, name);
  mkdirSync(join(dir, 'GPO'), { recursive: true });
  copyFileSync(fixturePath('weak', 'GptTmpl.inf'), join(dir, 'GPO', 'GptTmpl.inf'));
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return { dir, uri: pathToFileURL(join(dir, 'GPO', 'GptTmpl.inf')).href };
}

async function diagnosticsOf(c: LspClient, uri: string): Promise<Diagnostic[]> {
  await c.open(uri, 'secedit-inf', fixtureText('weak', 'GptTmpl.inf'));
  const d = await c.diagnostics(uri);
  await c.close(uri);
  return d;
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'relaylint-config-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('config file in a trusted workspace', () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start({ rootUri: pathToFileURL(root).href });
  });
  after(async () => {
    await c.stop();
  });

  test('no config: every finding', async () => {
    assert.deepEqual(brief(await diagnosticsOf(c, workspace('none', {}).uri)), ALL);
  });

  test('rules: "off" and a changed severity, from a relaylint.json two folders up', async () => {
    const { uri } = workspace('rules', { 'relaylint.json': { rules: { 'smb.server.require': 'off', 'ldap.server.cbt': 'hint' } } });
    assert.deepEqual(brief(await diagnosticsOf(c, uri)), ['smb.client.require@6:96/2', 'ldap.server.cbt@8:84/4']);
    assert.ok(c.logs.some((l) => l === `relaylint: using the config file ${join(root, 'rules', 'relaylint.json')}`), c.logs.join('\n'));
  });

  test('the relaylint key of a package.json; a package.json without it is passed over', async () => {
    const { uri } = workspace('pkg', { 'package.json': { name: 'gpo', relaylint: { rules: { 'smb.client.require': 'off' } } }, 'GPO/package.json': { name: 'inner' } });
    assert.deepEqual(brief(await diagnosticsOf(c, uri)), ['smb.server.require@5:91/1', 'ldap.server.cbt@8:84/1']);
  });

  test('overrides by path glob: role member drops the domain-controller rule', async () => {
    const { uri } = workspace('overrides', { 'relaylint.json': { overrides: [{ files: ['GPO/**'], role: 'member' }, { files: ['other/**'], rules: { 'smb.server.require': 'off' } }] } });
    assert.deepEqual(brief(await diagnosticsOf(c, uri)), ['smb.server.require@5:91/1', 'smb.client.require@6:96/2']);
  });

  test('ignore: no diagnostics and no code actions', async () => {
    const { uri } = workspace('ignore', { 'relaylint.json': { ignore: ['GptTmpl.inf'] } });
    await c.open(uri, 'secedit-inf', fixtureText('weak', 'GptTmpl.inf'));
    assert.deepEqual(await c.diagnostics(uri), []);
    assert.deepEqual(await c.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } }, [], ['source.fixAll.relaylint']), []);
    await c.close(uri);
  });

  test('a valid exception turns the finding into a hint that shows the reason; an expired one brings it back', async () => {
    const { uri } = workspace('exceptions', {
      'relaylint.json': {
        exceptions: [
          { rule: 'smb.server.require', files: ['GPO/GptTmpl.inf'], reason: 'scanner appliance, ticket 4711', expires: '2999-12-31' },
          { rule: 'ldap.server.cbt', reason: 'vendor LDAP client', expires: '2001-01-31' },
        ],
      },
    });
    const ds = await diagnosticsOf(c, uri);
    assert.deepEqual(brief(ds), ['smb.client.require@6:96/2', 'ldap.server.cbt@8:84/1', '-@5:91/4']);
    assert.equal(ds[2].message, 'smb.server.require is accepted here by an exception: scanner appliance, ticket 4711 (exception in relaylint.json, until 2999-12-31)');
    assert.ok(
      String(ds[1].message).endsWith(' (The exception for ldap.server.cbt in relaylint.json expired on 2001-01-31, so this is reported again; its reason was: vendor LDAP client)'),
      String(ds[1].message),
    );
  });

  test('an invalid config is one clear error and applies nothing', async () => {
    const { dir, uri } = workspace('invalid', { 'relaylint.json': '{ "rules": { "smb.server.require": "of" } }' });
    const ds = await diagnosticsOf(c, uri);
    assert.deepEqual(brief(ds), ['-@0:0/1', ...ALL]);
    assert.equal(
      ds[0].message,
      `The relaylint config file ${join(dir, 'relaylint.json')} is not valid, so none of it applies (every rule at its default): /rules/smb.server.require: The level of smb.server.require must be one of "off", "hint", "info", "warning", "error" (got "of").`,
    );
    writeFileSync(join(dir, 'relaylint.json'), '{ "rules": ');
    assert.deepEqual(brief(await diagnosticsOf(c, uri)), ['-@0:0/1', ...ALL]);
  });

  test('a config file written while the document is open applies after the watched-file event', async () => {
    const { dir, uri } = workspace('live', {});
    await c.open(uri, 'secedit-inf', fixtureText('weak', 'GptTmpl.inf'));
    assert.deepEqual(brief(await c.diagnostics(uri)), ALL);
    writeFileSync(join(dir, 'relaylint.json'), JSON.stringify({ rules: { 'smb.client.require': 'off' } }));
    const refreshed = c.nextRefresh();
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(join(dir, 'relaylint.json')).href, type: 1 }] });
    await refreshed;
    assert.deepEqual(brief(await c.diagnostics(uri)), ['smb.server.require@5:91/1', 'ldap.server.cbt@8:84/1']);
    await c.close(uri);
  });

  test('the CLI and the editor read the same config and report the same findings', async () => {
    const config = {
      rules: { 'smb.client.require': 'info' },
      overrides: [{ files: ['GPO/**'], rules: { 'ldap.server.cbt': 'hint' } }],
      exceptions: [{ rule: 'smb.server.require', files: 'GptTmpl.inf', reason: 'ticket 1', expires: '2999-01-01' }],
    };
    const { dir, uri } = workspace('same', { 'relaylint.json': config });
    const editor = (await diagnosticsOf(c, uri)).filter((d) => d.code).map((d) => `${d.code}@${d.range.start.line + 1}:${d.range.start.character + 1}/${['', 'error', 'warning', 'info', 'hint'][d.severity ?? 0]}`);
    const r = runCli(['scan', join('GPO', 'GptTmpl.inf'), '--format', 'json', '--no-coverage'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const file = JSON.parse(r.stdout).files[0] as { findings: { ruleId: string; line: number; severity: string; column: number }[]; suppressed: { ruleId: string }[] };
    const cli = file.findings.map((f) => `${f.ruleId}@${f.line}:${f.column}/${f.severity}`);
    // The editor underlines the value, the CLI reports the line: compare rule, line and severity.
    const strip = (xs: string[]) => xs.map((x) => x.replace(/:\d+\//, '/')).sort();
    assert.deepEqual(strip(editor), strip(cli));
    assert.deepEqual(strip(editor), ['ldap.server.cbt@9/hint', 'smb.client.require@7/info']);
    assert.deepEqual(file.suppressed.map((x) => x.ruleId), ['smb.server.require']);
  });

  test('a relaylint.configFile that does not exist is an error, not a silent default', async () => {
    const { dir, uri } = workspace('forced-missing', {});
    c.settings = () => ({ configFile: join(dir, 'nope.json') });
    try {
      const ds = await diagnosticsOf(c, uri);
      assert.deepEqual(brief(ds), ['-@0:0/1', ...ALL]);
      assert.equal(
        ds[0].message,
        `The relaylint config file ${join(dir, 'nope.json')} is not valid, so none of it applies (every rule at its default): Cannot read the config file: ENOENT.`,
      );
    } finally {
      c.settings = () => ({});
    }
  });

  test('relaylint.configFile names the config (relative to the workspace folder)', async () => {
    const { uri } = workspace('forced', { 'shared/strict.json': { rules: { 'ldap.server.cbt': 'off' } }, 'relaylint.json': { rules: { 'smb.server.require': 'off' } } });
    c.settings = () => ({ configFile: 'forced/shared/strict.json' });
    try {
      assert.deepEqual(brief(await diagnosticsOf(c, uri)), ['smb.server.require@5:91/1', 'smb.client.require@6:96/2']);
    } finally {
      c.settings = () => ({});
    }
  });
});

describe('config file in an untrusted workspace', () => {
  test('a config file cannot silence a finding until the workspace is trusted', async () => {
    const { dir, uri } = workspace('untrusted', {
      'relaylint.json': {
        rules: { 'smb.server.require': 'off' },
        exceptions: [{ rule: 'ldap.server.cbt', reason: 'trust me' }],
        overrides: [{ files: ['**'], rules: { 'smb.client.require': 'hint' } }],
      },
      'quiet.json': { rules: { 'smb.server.require': 'off', 'smb.client.require': 'off', 'ldap.server.cbt': 'off' } },
    });
    const c = await LspClient.start({ rootUri: pathToFileURL(dir).href, initializationOptions: { docsBase: 'file:///docs/rules/', workspaceTrusted: false } });
    try {
      await c.open(uri, 'secedit-inf', fixtureText('weak', 'GptTmpl.inf'));
      assert.deepEqual(brief(await c.diagnostics(uri)), ALL);
      // Nor through the configFile setting.
      await c.changeConfiguration(() => ({ configFile: join(dir, 'quiet.json') }));
      assert.deepEqual(brief(await c.diagnostics(uri)), ALL);
      assert.ok(c.logs.some((l) => l.includes(`the workspace is not trusted, so relaylint.configFile (${join(dir, 'quiet.json')}) is not read`)), c.logs.join('\n'));
      // The folder's own config file was not even looked at (audit, wave 18: it was read to be named in the log).
      assert.ok(!c.logs.some((l) => l.includes(join(dir, 'relaylint.json'))), c.logs.join('\n'));
      await c.changeConfiguration(() => ({}));
      // Trust granted: the folder's config applies, and the client is asked to pull again.
      const refreshed = c.nextRefresh();
      await c.conn.sendNotification('relaylint/didGrantWorkspaceTrust');
      await refreshed;
      assert.deepEqual(brief(await c.diagnostics(uri)), ['smb.client.require@6:96/4', '-@8:84/4']);
    } finally {
      await c.stop();
    }
  });

  test('no config file is opened while the workspace is not trusted, walked up to or named (audit, wave 18)', () => {
    const logs: string[] = [];
    const config = new EditorConfig((m) => logs.push(m), () => ['/ws']);
    config.trusted = false;
    config.loader.find = () => assert.fail('find');
    config.loader.load = () => assert.fail('load');
    const uri = pathToFileURL('/ws/Policies/x/GptTmpl.inf').href;
    const named = { ...DEFAULT_SETTINGS, configFile: '/elsewhere/secret.json' };
    assert.equal(config.configFor(uri, DEFAULT_SETTINGS), undefined);
    assert.equal(config.configFor(uri, named), undefined);
    assert.deepEqual(config.effective(uri, named), { ...named, ignored: false });
    assert.deepEqual(logs, ['relaylint: the workspace is not trusted, so relaylint.configFile (/elsewhere/secret.json) is not read (every rule at its default severity, no exceptions).']);
  });

  test('pushed diagnostics (a client without pull) follow the same rule', async () => {
    const { uri } = workspace('untrusted-push', { 'relaylint.json': { rules: { 'smb.server.require': 'off' } } });
    const c = await LspClient.start({ noPull: true, initializationOptions: { workspaceTrusted: false } });
    try {
      const first = c.nextPublish(uri);
      await c.open(uri, 'secedit-inf', fixtureText('weak', 'GptTmpl.inf'));
      assert.deepEqual(brief((await first).diagnostics), ALL);
      const second = c.nextPublish(uri);
      await c.conn.sendNotification('relaylint/didGrantWorkspaceTrust');
      assert.deepEqual(brief((await second).diagnostics), ['smb.client.require@6:96/2', 'ldap.server.cbt@8:84/1']);
    } finally {
      await c.stop();
    }
  });
});
