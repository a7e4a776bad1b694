/**
 * The read-only Registry.pol view: the custom request that renders it, then diagnostics, hovers
 * and code actions on the `relaylint-pol:` document, as the VS Code client uses them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { MarkupContent } from 'vscode-languageserver-protocol/node';
import { parsePol } from '../../server/src/core/parsers/pol';
import { fixturePath, fixtureUri, LspClient } from '../helpers/lsp-client';
import { diagnostic, ERROR, on } from '../helpers/lsp-expect';

const POL = ['Machine', 'Registry.pol'];

interface PolTextResult {
  viewUri: string;
  text: string;
}

function expectedView(uri: string) {
  return `relaylint-pol:${new URL(uri).pathname}?${encodeURIComponent(uri)}`;
}

const GUEST = diagnostic({
  code: 'smb.client.guest',
  severity: ERROR,
  range: on(1, 97, 108),
  message:
    'Insecure guest logons are allowed (AllowInsecureGuestAuth = 1): the SMB client accepts unauthenticated sessions that cannot be signed or encrypted, so a spoofed server can serve it files. ' +
    'Change "Enable insecure guest logons" to 0 (Disabled) in the GPO: Computer Configuration > Policies > Administrative Templates > Network > Lanman Workstation.',
});

describe('Registry.pol view', () => {
  let c: LspClient;
  const uri = fixtureUri(...POL);
  const bytes = readFileSync(fixturePath(...POL));
  let view: PolTextResult;
  before(async () => {
    c = await LspClient.start();
    view = await c.sendRequest<PolTextResult>('relaylint/polText', { uri, base64: bytes.toString('base64') });
  });
  after(async () => {
    await c.stop();
  });

  test('relaylint/polText renders the records (the parser\'s own text view) and names the view URI', () => {
    assert.equal(view.viewUri, expectedView(uri));
    assert.equal(view.text, parsePol(bytes, 'HKLM').text);
    assert.equal(view.text.split('\n')[1], '@0x00000008  HKLM\\Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation\\AllowInsecureGuestAuth = REG_DWORD:1');
  });

  test('the view gets diagnostics whose message names the GPO setting (no text fix for a binary file)', async () => {
    await c.open(view.viewUri, 'plaintext', view.text);
    assert.deepEqual(await c.diagnostics(view.viewUri), [GUEST]);
    // The view takes the settings of the .pol file.
    assert.ok(c.configurationRequests.includes(uri));
  });

  test('code actions on the view: documentation only', async () => {
    const [d] = await c.diagnostics(view.viewUri);
    const actions = await c.codeActions(view.viewUri, d.range, [d]);
    assert.deepEqual(
      actions.map((a) => a.title),
      ['Show documentation for smb.client.guest'],
    );
  });

  test('hover on a record', async () => {
    const h = await c.hover(view.viewUri, { line: 1, character: 100 });
    assert.deepEqual(h?.range, on(1, 97, 108));
    const md = (h?.contents as MarkupContent).value;
    assert.match(md, /^### .* \(`smb.client.guest`\)\n\n\*\*This value:\*\* `1` — Enabled/);
    // No text fix in a .pol: the fix line names the GPO setting to change; the finding is one line.
    assert.ok(md.includes('**Fix:** set "Enable insecure guest logons" to 0 (Disabled) in the GPO (Computer Configuration \\> Policies'), md.slice(0, 600));
    assert.ok(md.includes('\n\n**relaylint error** `smb.client.guest`\n\n'));
  });

  test('without the bytes the server reads a file: URI itself', async () => {
    const again = await c.sendRequest<PolTextResult>('relaylint/polText', { uri });
    assert.deepEqual(again, view);
  });

  test('errors are answered, not fatal', async () => {
    const missing = pathToFileURL(fixturePath('Machine', 'missing.pol')).href;
    await assert.rejects(c.sendRequest('relaylint/polText', { uri: missing }), /Could not read the Registry\.pol: ENOENT/);
    await assert.rejects(c.sendRequest('relaylint/polText', { uri: 'vscode-vfs://github/x/Registry.pol' }), /did not send the bytes and it is not a file: URI/);
    await assert.rejects(c.sendRequest('relaylint/polText', {}), /needs the uri of a Registry\.pol file/);
    // Not a PReg file at all: the view says so, as a diagnostic.
    const junk = await c.sendRequest<PolTextResult>('relaylint/polText', { uri: fixtureUri('Machine', 'junk.pol'), base64: Buffer.from('not a pol').toString('base64') });
    await c.open(junk.viewUri, 'plaintext', junk.text);
    assert.deepEqual(
      (await c.diagnostics(junk.viewUri)).map((d) => [d.code, d.severity]),
      [['file.parse', ERROR]],
    );
    assert.ok(c.alive);
  });
});

describe('Registry.pol view after a server restart', () => {
  test('a view opened without a prior request is read from disk', async () => {
    const c = await LspClient.start();
    try {
      const uri = fixtureUri(...POL);
      const text = parsePol(readFileSync(fixturePath(...POL)), 'HKLM').text;
      await c.open(expectedView(uri), 'plaintext', text);
      assert.deepEqual(await c.diagnostics(expectedView(uri)), [GUEST]);
    } finally {
      await c.stop();
    }
  });
});
