/**
 * The extension manifest and the generated artefacts: the per-rule settings schema and the rule
 * documentation pages must match the catalog (drift fails the test), the grammars must pass their
 * scope assertions, and the client must agree with the server on names.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, test } from 'node:test';
import { allRules, EVENT_KINDS } from '../../server/src/core';
import { EVENT_FACTS, rulesWatching } from '../../server/src/core/catalog';
import { UNREAD_EVENT_FACTS } from '../../server/src/core/evidence/events';
import { ROOT } from '../helpers/lsp-client';

const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8'));

function run(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe('generated artefacts', () => {
  test('package.json relaylint.rules has one described property per rule (node scripts/gen-package-schema.mjs)', () => {
    const r = run(['scripts/gen-package-schema.mjs', '--check']);
    assert.equal(r.status, 0, r.out);
    const props = pkg.contributes.configuration.properties['relaylint.rules'].properties;
    assert.deepEqual(Object.keys(props), allRules.map((rule) => rule.id));
    for (const rule of allRules) {
      assert.deepEqual(props[rule.id].enum, ['error', 'warning', 'info', 'hint', 'off']);
      assert.ok(props[rule.id].markdownDescription.startsWith(`**${rule.title}** (default: \`${rule.severity}\`).`), rule.id);
    }
  });

  test('docs/rules has one page per rule and nothing else (node scripts/gen-rule-docs.mjs)', () => {
    const r = run(['scripts/gen-rule-docs.mjs', '--check']);
    assert.equal(r.status, 0, r.out);
    for (const rule of allRules) assert.ok(existsSync(resolve(ROOT, 'docs', 'rules', `${rule.id}.md`)), rule.id);
  });

  test('docs/evidence.md lists every event the reader knows, with the event table\'s meaning and confidence', () => {
    const doc = readFileSync(resolve(ROOT, 'docs', 'evidence.md'), 'utf8');
    const region = doc.slice(doc.indexOf('<!-- events:begin'), doc.indexOf('<!-- events:end -->'));
    const split = region.indexOf('Named in the rules');
    assert.ok(split > 0, 'the second table (events the reader does not count) is there');
    const table = region.slice(0, split);
    const rows = table.split('\n').filter((l) => /^\| \d/.test(l));
    assert.equal(rows.length, EVENT_KINDS.length);
    // The second table: every other event of the table, with the rules that name it and its source.
    // What the reader does not count: the table's events without a reader kind.
    const unread = EVENT_FACTS.filter((f) => !EVENT_KINDS.some((k) => k.channel.toLowerCase() === f.log.toLowerCase() && k.id === f.id));
    assert.deepEqual(unread, UNREAD_EVENT_FACTS);
    const rows2 = region.slice(split).split('\n').filter((l) => /^\| \d/.test(l));
    assert.deepEqual(
      rows2.map((r) => r.slice(2, -2).split(' | ')),
      unread.map((f) => [
        `${f.id} (${f.log})`,
        rulesWatching(f.log, f.id)
          .map((r) => `\`${r}\``)
          .join(', '),
        f.meaning,
        `meaning ${f.confidence}`,
        [...f.sources.map((t) => `[${t}]`), ...(f.citation ? [f.citation] : [])].join(' '),
      ]),
    );
    assert.ok(rows2.some((r) => r.startsWith('| 5168 (Security) | `smb.server.spn` |') && r.includes('Learn event page')), 'event 5168 with its untagged source');
    EVENT_KINDS.forEach((k, i) => {
      const cells = rows[i].slice(2, -2).split(' | ');
      assert.deepEqual(cells, [
        `${k.id} (${k.channel})${k.recordedOnClient ? ', recorded on the client' : ''}`,
        k.rules.map((r) => `\`${r}\``).join(', '),
        k.meaning,
        k.clientFields,
        `meaning ${k.confidence}, fields ${k.fieldConfidence}`,
        k.sources.map((t) => `[${t}]`).join(''),
      ]);
    });
  });

  test('the TextMate grammars pass their scope assertions (test/grammar)', () => {
    const r = run([resolve(ROOT, 'node_modules', 'vscode-tmgrammar-test', 'dist', 'unit.js'), 'test/grammar/*.test.reg', 'test/grammar/*.test.inf']);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /basics\.test\.reg run successfuly/);
    assert.match(r.out, /basics\.test\.inf run successfuly/);
  });
});

describe('manifest', () => {
  const props: Record<string, { scope?: string }> = pkg.contributes.configuration.properties;

  test('activation only on the served languages, XML (the server starts lazily), the .pol view and the rule pages', () => {
    assert.deepEqual(pkg.activationEvents, ['onLanguage:reg', 'onLanguage:secedit-inf', 'onLanguage:xml', 'onFileSystem:relaylint-pol', 'onFileSystem:relaylint-docs']);
    assert.ok(!pkg.activationEvents.includes('*') && !pkg.activationEvents.includes('onStartupFinished'));
    // Restricted Mode: runs, but folder values that could hide or soften a finding are ignored
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, [
      'relaylint.enable',
      'relaylint.rules',
      'relaylint.role',
      'relaylint.targetOs',
      'relaylint.fix.unsafe',
      'relaylint.configFile',
      'relaylint.topology',
      'relaylint.evidence',
    ]);
    assert.equal(pkg.capabilities.virtualWorkspaces.supported, 'limited');
    assert.equal(pkg.main, './client/out/extension.js');
  });

  test('every setting is relaylint.*, scope resource, except the window-scoped trace', () => {
    assert.deepEqual(Object.keys(props).sort(), [
      'relaylint.codeAction.disableRuleComment.enable',
      'relaylint.codeAction.showDocumentation.enable',
      'relaylint.configFile',
      'relaylint.enable',
      'relaylint.evidence',
      'relaylint.fix.unsafe',
      'relaylint.role',
      'relaylint.rules',
      'relaylint.targetOs',
      'relaylint.topology',
      'relaylint.trace.server',
    ]);
    for (const key of ['relaylint.topology', 'relaylint.evidence']) {
      const p = props[key] as { type?: string; items?: { type: string }; default?: unknown };
      assert.deepEqual([p.type, p.items?.type, p.default], ['array', 'string', []], key);
    }
    for (const [key, p] of Object.entries(props)) assert.equal(p.scope, key === 'relaylint.trace.server' ? 'window' : 'resource', key);
    assert.deepEqual((props['relaylint.role'] as { enum: string[] }).enum, ['any', 'dc', 'member']);
    assert.deepEqual((props['relaylint.targetOs'] as { enum: string[] }).enum, ['legacy', 'win11-24h2', 'ws2025']);
  });

  test('languages: .reg by extension and header, security templates by name and first line (not driver INFs)', () => {
    const [reg, inf] = pkg.contributes.languages;
    assert.equal(reg.id, 'reg');
    assert.deepEqual(reg.extensions, ['.reg']);
    assert.equal(inf.id, 'secedit-inf');
    assert.equal(inf.extensions, undefined);
    assert.ok(inf.filenames.includes('GptTmpl.inf') && inf.filenames.includes('gpttmpl.inf'));
    const first = new RegExp(inf.firstLine);
    for (const line of ['[Unicode]', '[Version]', '  [System Access]', '[Registry Values]', '[Privilege Rights]']) assert.ok(first.test(line), line);
    for (const line of ['; Driver INF', '[Manufacturer]', '[SourceDisksFiles]', '[Strings]']) assert.ok(!first.test(line), line);
    const header = new RegExp(reg.firstLine);
    assert.ok(header.test('Windows Registry Editor Version 5.00') && header.test('REGEDIT4') && !header.test('[HKEY_LOCAL_MACHINE]'));
    for (const g of pkg.contributes.grammars) assert.ok(existsSync(resolve(ROOT, g.path)), g.path);
  });

  test('commands and the editor-title action for .pol files', () => {
    assert.deepEqual(
      pkg.contributes.commands.map((c: { command: string }) => c.command),
      ['relaylint.showDocumentation', 'relaylint.openPolAsText', 'relaylint.restartServer', 'relaylint.showOutput', 'relaylint.showPosture', 'relaylint.refreshExposure'],
    );
    assert.deepEqual(pkg.contributes.menus['editor/title'], [{ command: 'relaylint.openPolAsText', when: 'resourceExtname =~ /^\\.pol$/i', group: 'navigation' }]);
  });

  test('the client and the server agree on names', () => {
    const client = readFileSync(resolve(ROOT, 'client', 'src', 'extension.ts'), 'utf8');
    // The shared names come from one file (server/src/lsp/wire.ts; the client imports its generated copy: wire-drift.test.ts).
    const wire = readFileSync(resolve(ROOT, 'client', 'src', 'generated', 'wire.ts'), 'utf8');
    for (const name of ["'relaylint-pol'", "'relaylint/polText'", "'relaylint.showDocumentation'", "'relaylint/didGrantWorkspaceTrust'"]) assert.ok(wire.includes(name), `the wire lacks ${name}`);
    assert.match(client, /registerCommand\(Commands\.showDocumentation,/);
    assert.match(client, /sendNotification\(DidGrantWorkspaceTrustNotification\)/);
    for (const cmd of pkg.contributes.commands) assert.ok(client.includes(`'${cmd.command}'`) || wire.includes(`'${cmd.command}'`), `client does not register ${cmd.command}`);
    assert.ok(client.includes("execArgv: ['--nolazy', `--inspect=${DEBUG_PORT}`]") && client.includes('const DEBUG_PORT = 6011;'));
    // Restricted Mode contract: initializationOptions.workspaceTrusted, and this notification once the user trusts the folder
    assert.ok(client.includes('workspaceTrusted: vscode.workspace.isTrusted'), 'client does not send workspaceTrusted');
    assert.ok(client.includes('onDidGrantWorkspaceTrust'));
    // the LanguageClient id is what makes `<id>.trace.server` the trace setting
    assert.ok(client.includes("const CLIENT_ID = 'relaylint';") && pkg.contributes.configuration.properties['relaylint.trace.server']);
  });

  test('.vscodeignore is an allow-list: everything out, then the bundles, grammars, docs and README images back in (the README is README-vscode.md, see the package script)', () => {
    const lines = readFileSync(resolve(ROOT, '.vscodeignore'), 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() && !l.startsWith('#'));
    assert.deepEqual(lines, [
      '**',
      '!package.json',
      '!client/out/extension.js',
      '!server/out/server.js',
      '!server/out/topology-thread.js',
      '!syntaxes/**',
      '!language-configuration/**',
      '!docs/rules/**',
      '!docs/images/squiggle.png',
      '!docs/images/hover.png',
      '!docs/images/quickfix.png',
      '!docs/images/docs.png',
      '!docs/images/output.png',
      '!docs/images/restricted.png',
      '!LICENSE',
      '!CHANGELOG.md',
      '!icon.png',
      '!schemas/**',
    ]);
  });
});
