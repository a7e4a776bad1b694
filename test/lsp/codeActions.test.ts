/**
 * Code actions over real JSON-RPC: the action list per diagnostic, the exact document text after
 * applying each action's edit, `context.only`, fix-all, stale versions, and the settings that
 * switch actions off.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic } from 'vscode-languageserver-protocol/node';
import { applyWorkspaceEdit, DOCS_BASE, fixtureText, fixtureUri, LspClient } from '../helpers/lsp-client';
import { on, withInserted, withLine } from '../helpers/lsp-expect';

const INF = ['weak', 'GptTmpl.inf'];
const CRLF = '\r\n';
const SERVER_LINE = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=';
const CLIENT_LINE = 'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature=';
const CBT_LINE = 'MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters\\LdapEnforceChannelBinding=';
/** The menu label of an unsafe (enforcing) fix. */
const UNSAFE = ' (enforces: check the audit first)';
const CLIENT_ENABLE_LINE = 'MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\EnableSecuritySignature=4,1';

/** What a client shows: title, kind, preferred, and whether it edits or runs a command. */
function summary(actions: CodeAction[]): [string, string | undefined, boolean, string][] {
  return actions.map((a) => [a.title, a.kind, !!a.isPreferred, a.edit ? 'edit' : (a.command?.command ?? 'none')]);
}

function textAfter(c: LspClient, uri: string, action: CodeAction): string {
  return applyWorkspaceEdit(c.text(uri), uri, c.version(uri), action.edit);
}

function byTitle(actions: CodeAction[], title: string): CodeAction {
  const a = actions.find((x) => x.title === title);
  assert.ok(a, `no action "${title}" in ${JSON.stringify(actions.map((x) => x.title))}`);
  return a;
}

describe('code actions on a weak security template', () => {
  let c: LspClient;
  let uri: string;
  let text: string;
  let diags: Diagnostic[];
  before(async () => {
    c = await LspClient.start({ settings: () => ({ fix: { unsafe: true } }) });
    uri = fixtureUri(...INF);
    text = fixtureText(...INF);
    await c.open(uri, 'secedit-inf', text);
    diags = await c.diagnostics(uri);
    assert.deepEqual(
      diags.map((d) => d.code),
      ['smb.server.require', 'smb.client.require', 'ldap.server.cbt'],
    );
  });
  after(async () => {
    await c.stop();
  });

  const fixedAll = () => {
    let t = withLine(text, CRLF, 5, `${SERVER_LINE}4,1`);
    t = withLine(t, CRLF, 6, `${CLIENT_LINE}4,1`);
    return withLine(t, CRLF, 8, `${CBT_LINE}4,2`);
  };

  test('server signing: preferred fix, fix all, disable for this line, show documentation', async () => {
    const d = diags[0];
    const actions = await c.codeActions(uri, d.range, [d]);
    assert.deepEqual(summary(actions), [
      ['Require SMB server signing (always)' + UNSAFE, 'quickfix', true, 'edit'],
      ['Fix all relaylint issues in this file', 'quickfix', false, 'edit'],
      ['Disable smb.server.require for this line (add the reason after the marker)', 'quickfix', false, 'edit'],
      ['Show documentation for smb.server.require', 'quickfix', false, 'relaylint.showDocumentation'],
    ]);
    assert.deepEqual(actions[0].diagnostics, [d]);
    assert.equal(textAfter(c, uri, actions[0]), withLine(text, CRLF, 5, `${SERVER_LINE}4,1`));
    assert.equal(textAfter(c, uri, actions[1]), fixedAll());
    assert.equal(
      textAfter(c, uri, actions[2]),
      withInserted(text, CRLF, 5, '; relaylint-disable-next-line smb.server.require -- '),
    );
    assert.deepEqual(actions[3].command, {
      title: 'Show documentation for smb.server.require',
      command: 'relaylint.showDocumentation',
      arguments: ['smb.server.require', `${DOCS_BASE}smb.server.require.md`],
    });
  });

  test('client signing: "require" is preferred, "enable if server agrees first" is the staged step', async () => {
    const d = diags[1];
    const actions = await c.codeActions(uri, d.range, [d]);
    assert.deepEqual(summary(actions), [
      ['Require SMB client signing (always)' + UNSAFE, 'quickfix', true, 'edit'],
      ["Enable 'if server agrees' first (rollout step)", 'quickfix', false, 'edit'],
      ['Fix all relaylint issues in this file', 'quickfix', false, 'edit'],
      ['Disable smb.client.require for this line (add the reason after the marker)', 'quickfix', false, 'edit'],
      ['Show documentation for smb.client.require', 'quickfix', false, 'relaylint.showDocumentation'],
    ]);
    assert.equal(textAfter(c, uri, actions[0]), withLine(text, CRLF, 6, `${CLIENT_LINE}4,1`));
    // The missing "if server agrees" value is inserted at the end of [Registry Values], with CRLF.
    assert.equal(textAfter(c, uri, actions[1]), withInserted(text, CRLF, 9, CLIENT_ENABLE_LINE));
  });

  test('channel binding: "Always" is preferred, "When supported" is offered as the rollout step', async () => {
    const d = diags[2];
    const actions = await c.codeActions(uri, d.range, [d]);
    assert.deepEqual(summary(actions).slice(0, 2), [
      ['Require channel binding: Always' + UNSAFE, 'quickfix', true, 'edit'],
      ["Set channel binding to 'When supported' first (rollout step)", 'quickfix', false, 'edit'],
    ]);
    assert.equal(textAfter(c, uri, actions[0]), withLine(text, CRLF, 8, `${CBT_LINE}4,2`));
    assert.equal(textAfter(c, uri, actions[1]), withLine(text, CRLF, 8, `${CBT_LINE}4,1`));
  });

  test('edits are versioned: every edit names the document version it was computed for', async () => {
    const actions = await c.codeActions(uri, diags[0].range, [diags[0]]);
    for (const a of actions.filter((x) => x.edit)) {
      assert.deepEqual(
        a.edit?.documentChanges?.map((ch) => ('textDocument' in ch ? ch.textDocument : undefined)),
        [{ uri, version: 1 }],
      );
    }
  });

  test('context.only = quickfix gives no source action; source.fixAll gives only the fix-all', async () => {
    const quick = await c.codeActions(uri, diags[0].range, [diags[0]], ['quickfix']);
    assert.ok(quick.every((a) => a.kind === 'quickfix'));
    assert.equal(quick.length, 4);

    for (const only of [['source.fixAll'], ['source.fixAll.relaylint'], ['source']]) {
      const source = await c.codeActions(uri, on(0, 0, 0), [], only);
      assert.deepEqual(summary(source), [['Fix all relaylint issues in this file', 'source.fixAll.relaylint', false, 'edit']], only.join());
      assert.equal(textAfter(c, uri, source[0]), fixedAll());
    }
    // Asked for something else entirely: nothing.
    assert.deepEqual(await c.codeActions(uri, diags[0].range, [diags[0]], ['refactor']), []);
    // Without `only`, source actions stay out of the light bulb.
    const all = await c.codeActions(uri, diags[0].range, [diags[0]]);
    assert.ok(all.every((a) => a.kind === 'quickfix'));
  });

  test('diagnostics of other tools are ignored', async () => {
    const foreign: Diagnostic = { range: diags[0].range, message: 'x', source: 'other', code: 'smb.server.require', data: diags[0].data };
    assert.deepEqual(await c.codeActions(uri, diags[0].range, [foreign]), []);
  });

  test('malformed Diagnostic.data gives no fix and no error', async () => {
    for (const data of [null, 42, { ruleId: 'smb.server.require' }, { ruleId: 'x', version: 1, fixes: [{ title: 'bad', kind: 'value', edits: [{ newText: 1 }] }] }]) {
      const bogus: Diagnostic = { ...diags[0], data };
      assert.deepEqual(summary(await c.codeActions(uri, bogus.range, [bogus])), [
        ['Fix all relaylint issues in this file', 'quickfix', false, 'edit'],
        ['Show documentation for smb.server.require', 'quickfix', false, 'relaylint.showDocumentation'],
      ]);
    }
    assert.ok(c.alive);
  });
});

describe('code actions after the document changed', () => {
  test('a stale diagnostic is matched against a fresh check; edits carry the new version', async () => {
    const c = await LspClient.start();
    try {
      const uri = fixtureUri(...INF);
      const text = fixtureText(...INF);
      await c.open(uri, 'secedit-inf', text);
      const [d] = await c.diagnostics(uri);
      const changed = withInserted(text, CRLF, 0, '; reviewed');
      const version = await c.replace(uri, changed);
      // The client moved the marker down one line (as VS Code does), data still says version 1.
      const moved: Diagnostic = { ...d, range: on(6, 91, 94) };
      const actions = await c.codeActions(uri, moved.range, [moved], ['quickfix']);
      const fix = byTitle(actions, 'Require SMB server signing (always)' + UNSAFE);
      assert.equal(applyWorkspaceEdit(changed, uri, version, fix.edit), withLine(changed, CRLF, 6, `${SERVER_LINE}4,1`));
      // The unmoved stale marker no longer points at the finding: no edit is offered for it.
      const stale = await c.codeActions(uri, d.range, [d], ['quickfix']);
      assert.deepEqual(summary(stale).filter(([title]) => title !== 'Fix all relaylint issues in this file'), [
        ['Show documentation for smb.server.require', 'quickfix', false, 'relaylint.showDocumentation'],
      ]);
    } finally {
      await c.stop();
    }
  });
});

describe('code action settings', () => {
  test('disableRuleComment and showDocumentation can be switched off', async () => {
    const c = await LspClient.start({
      settings: () => ({ codeAction: { disableRuleComment: { enable: false }, showDocumentation: { enable: false } }, fix: { unsafe: true } }),
    });
    try {
      const uri = fixtureUri(...INF);
      await c.open(uri, 'secedit-inf', fixtureText(...INF));
      const [d] = await c.diagnostics(uri);
      assert.deepEqual(summary(await c.codeActions(uri, d.range, [d])), [
        ['Require SMB server signing (always)' + UNSAFE, 'quickfix', true, 'edit'],
        ['Fix all relaylint issues in this file', 'quickfix', false, 'edit'],
      ]);
    } finally {
      await c.stop();
    }
  });

  test('a rule turned off is not fixed by fix-all', async () => {
    const c = await LspClient.start({ settings: () => ({ rules: { 'ldap.server.cbt': 'off' }, fix: { unsafe: true } }) });
    try {
      const uri = fixtureUri(...INF);
      const text = fixtureText(...INF);
      await c.open(uri, 'secedit-inf', text);
      const [all] = await c.codeActions(uri, on(0, 0, 0), [], ['source.fixAll.relaylint']);
      const expected = withLine(withLine(text, CRLF, 5, `${SERVER_LINE}4,1`), CRLF, 6, `${CLIENT_LINE}4,1`);
      assert.equal(applyWorkspaceEdit(text, uri, 1, all.edit), expected);
    } finally {
      await c.stop();
    }
  });
});

describe('safe and unsafe fixes', () => {
  test('by default fix-all and source.fixAll apply only safe fixes; the quick fixes still offer the unsafe ones', async () => {
    const c = await LspClient.start();
    try {
      const uri = fixtureUri(...INF);
      const text = fixtureText(...INF);
      await c.open(uri, 'secedit-inf', text);
      // Every fix in this file enforces (require signing, channel binding Always): nothing to apply in bulk.
      assert.deepEqual(await c.codeActions(uri, on(0, 0, 0), [], ['source.fixAll.relaylint']), []);
      const [d] = await c.diagnostics(uri);
      const titles = summary(await c.codeActions(uri, d.range, [d])).map(([title]) => title);
      assert.ok(titles.includes('Require SMB server signing (always)' + UNSAFE), titles.join());
      assert.ok(!titles.includes('Fix all relaylint issues in this file'), titles.join());
    } finally {
      await c.stop();
    }
  });
});

describe('code actions in other formats', () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start({ settings: () => ({ fix: { unsafe: true } }) });
  });
  after(async () => {
    await c.stop();
  });

  test('.reg: the fix writes dword:00000001 and the suppression uses the file\'s LF', async () => {
    const uri = fixtureUri('nas.reg');
    const text = fixtureText('nas.reg');
    await c.open(uri, 'reg', text);
    const d = (await c.diagnostics(uri)).find((x) => x.code === 'smb.client.require');
    assert.ok(d);
    const actions = await c.codeActions(uri, d.range, [d]);
    assert.equal(textAfter(c, uri, actions[0]), withLine(text, '\n', 4, '"RequireSecuritySignature"=dword:00000001'));
    const suppress = byTitle(actions, 'Disable smb.client.require for this line (add the reason after the marker)');
    assert.equal(textAfter(c, uri, suppress), withInserted(text, '\n', 4, '; relaylint-disable-next-line smb.client.require -- '));
    const [fixAll] = await c.codeActions(uri, on(0, 0, 0), [], ['source.fixAll']);
    let expected = withLine(text, '\n', 4, '"RequireSecuritySignature"=dword:00000001');
    expected = withLine(expected, '\n', 5, '"EnablePlainTextPassword"=dword:00000000');
    expected = withLine(expected, '\n', 8, '"AllowInsecureGuestAuth"=dword:00000000');
    assert.equal(textAfter(c, uri, fixAll), expected);
  });

  test('GPP Registry.xml: the fix rewrites the value attribute and keeps the type', async () => {
    const parts = ['Machine', 'Preferences', 'Registry', 'Registry.xml'];
    const uri = fixtureUri(...parts);
    const text = fixtureText(...parts);
    await c.open(uri, 'xml', text);
    const [d] = await c.diagnostics(uri);
    const actions = await c.codeActions(uri, d.range, [d]);
    const lines = text.split('\n');
    assert.equal(
      textAfter(c, uri, actions[0]),
      withLine(text, '\n', 2, lines[2].replace('type="REG_DWORD" value="00000000"', 'type="REG_DWORD" value="00000001"')),
    );
    const suppress = byTitle(actions, 'Disable smb.server.require for this line (add the reason after the marker)');
    assert.equal(textAfter(c, uri, suppress), withInserted(text, '\n', 2, '  <!-- relaylint-disable-next-line smb.server.require: -->'));
  });

  test('a suppression with a reason silences the finding; one without a reason is itself reported', async () => {
    const uri = fixtureUri('suppressed', 'GptTmpl.inf');
    const text = withInserted(fixtureText(...INF), CRLF, 5, '; relaylint-disable-next-line smb.server.require -- legacy scanner, ticket 1234');
    await c.open(uri, 'secedit-inf', text);
    // relaylint's own comment is not reported as a format problem (other comment lines are).
    assert.deepEqual(
      (await c.diagnostics(uri)).map((d) => [d.code, d.range.start.line, d.severity]),
      [
        ['smb.client.require', 7, 2],
        ['ldap.server.cbt', 9, 1],
      ],
    );
    const noReason = withInserted(fixtureText(...INF), CRLF, 5, '; relaylint-disable-next-line smb.server.require -- ');
    await c.replace(uri, noReason);
    assert.deepEqual(
      (await c.diagnostics(uri)).map((d) => [d.code, d.range.start.line]),
      [
        ['smb.server.require', 6],
        ['smb.client.require', 7],
        ['ldap.server.cbt', 9],
        ['suppression.reason', 5],
      ],
    );
  });
});
