/**
 * The "disable for this line" quick fix: a snippet edit with the cursor where the reason goes when
 * the client takes LSP 3.18 snippet edits, plain text otherwise; and the comment it writes is not
 * reported as a format problem.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { CodeAction, Diagnostic, TextDocumentEdit } from 'vscode-languageserver-protocol/node';
import { applyTextEdits, fixtureText, fixtureUri, LspClient } from '../helpers/lsp-client';
import { on } from '../helpers/lsp-expect';
import { suppressionSnippet } from '../../server/src/lsp/codeActions';

const INF = ['weak', 'GptTmpl.inf'];
const GPP = ['Machine', 'Preferences', 'Registry', 'Registry.xml'];

async function disableAction(c: LspClient, uri: string, lang: string, text: string, ruleId: string): Promise<{ action: CodeAction; diagnostic: Diagnostic }> {
  await c.open(uri, lang, text);
  const diagnostic = (await c.diagnostics(uri)).find((d) => d.code === ruleId);
  assert.ok(diagnostic, ruleId);
  const actions = await c.codeActions(uri, diagnostic.range, [diagnostic]);
  const action = actions.find((a) => a.title === `Disable ${ruleId} for this line (add the reason after the marker)`);
  assert.ok(action, JSON.stringify(actions.map((a) => a.title)));
  return { action, diagnostic };
}

const editsOf = (a: CodeAction) => (a.edit?.documentChanges?.[0] as TextDocumentEdit).edits;

describe('disable quick fix with snippet edits (workspace.workspaceEdit.snippetEditSupport)', () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start({ workspaceEdit: { documentChanges: true, snippetEditSupport: true } });
  });
  after(async () => {
    await c.stop();
  });

  test('security template: the cursor goes after "-- "; typing a reason there silences the finding, and nothing else appears', async () => {
    const uri = fixtureUri(...INF);
    const text = fixtureText(...INF);
    const { action } = await disableAction(c, uri, 'secedit-inf', text, 'smb.server.require');
    assert.deepEqual(action.edit, {
      documentChanges: [
        { textDocument: { uri, version: 1 }, edits: [{ range: on(5, 0, 0), snippet: { kind: 'snippet', value: '; relaylint-disable-next-line smb.server.require -- $0\r\n' } }] },
      ],
    });
    // What an editor does with the snippet when the user types the reason at the cursor.
    const edit = editsOf(action)[0] as unknown as { range: Diagnostic['range']; snippet: { value: string } };
    const typed = applyTextEdits(text, [{ range: edit.range, newText: edit.snippet.value.replace('$0', 'scanner appliance, ticket 4711') }]);
    await c.replace(uri, typed);
    assert.deepEqual(
      (await c.diagnostics(uri)).map((d) => d.code),
      ['smb.client.require', 'ldap.server.cbt'],
    );
    await c.close(uri);
  });

  test('GPP Registry.xml: the cursor goes after ": " inside the comment', async () => {
    const uri = fixtureUri(...GPP);
    const { action } = await disableAction(c, uri, 'xml', fixtureText(...GPP), 'smb1.server');
    assert.deepEqual(editsOf(action), [{ range: on(3, 0, 0), snippet: { kind: 'snippet', value: '  <!-- relaylint-disable-next-line smb1.server: $0 -->\n' } }]);
    await c.close(uri);
  });

  test('value fixes stay plain text edits', async () => {
    const uri = fixtureUri(...INF);
    await c.open(uri, 'secedit-inf', fixtureText(...INF));
    const d = (await c.diagnostics(uri))[0];
    const [fix] = await c.codeActions(uri, d.range, [d]);
    assert.deepEqual(editsOf(fix), [{ range: on(5, 91, 94), newText: '4,1' }]);
    await c.close(uri);
  });
});

describe('disable quick fix without snippet support', () => {
  let c: LspClient;
  before(async () => {
    c = await LspClient.start();
  });
  after(async () => {
    await c.stop();
  });

  test('plain text, the marker ready for the reason', async () => {
    const uri = fixtureUri(...INF);
    const { action } = await disableAction(c, uri, 'secedit-inf', fixtureText(...INF), 'smb.server.require');
    assert.deepEqual(editsOf(action), [{ range: on(5, 0, 0), newText: '; relaylint-disable-next-line smb.server.require -- \r\n' }]);
    await c.close(uri);
    const xml = fixtureUri(...GPP);
    const x = await disableAction(c, xml, 'xml', fixtureText(...GPP), 'smb1.server');
    assert.deepEqual(editsOf(x.action), [{ range: on(3, 0, 0), newText: '  <!-- relaylint-disable-next-line smb1.server: -->\n' }]);
    await c.close(xml);
  });
});

describe('snippet text is escaped', () => {
  test('$, } and \\ in the comment are literal', () => {
    assert.equal(suppressionSnippet('\t; relaylint-disable-next-line a$b}c\\d -- \n'), '\t; relaylint-disable-next-line a\\$b\\}c\\\\d -- $0\n');
    assert.equal(suppressionSnippet('<!-- relaylint-disable-next-line x: -->\r\n'), '<!-- relaylint-disable-next-line x: $0 -->\r\n');
    assert.equal(suppressionSnippet('no marker'), undefined);
  });
});
