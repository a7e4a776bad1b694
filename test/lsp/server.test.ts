/**
 * Server start-up options: the documentation links it builds, and the "show documentation"
 * command for editors other than VS Code.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { fixtureText, fixtureUri, LspClient, ROOT } from '../helpers/lsp-client';

const INF = ['weak', 'GptTmpl.inf'];

describe('server start-up options', () => {
  test('without initializationOptions the links point at the docs/rules folder next to the server', async () => {
    const c = await LspClient.start({ initializationOptions: {} });
    try {
      const uri = fixtureUri(...INF);
      await c.open(uri, 'secedit-inf', fixtureText(...INF));
      const [d] = await c.diagnostics(uri);
      assert.deepEqual(d.codeDescription, { href: `${pathToFileURL(resolve(ROOT, 'docs', 'rules')).href}/smb.server.require.md` });
    } finally {
      await c.stop();
    }
  });

  test('other editors: the server runs relaylint.showDocumentation itself with window/showDocument', async () => {
    const c = await LspClient.start();
    try {
      assert.deepEqual(c.initializeResult.capabilities.executeCommandProvider, { commands: ['relaylint.showDocumentation'] });
      await c.sendRequest('workspace/executeCommand', {
        command: 'relaylint.showDocumentation',
        arguments: ['smb.server.require', 'file:///docs/rules/smb.server.require.md'],
      });
      await c.sendRequest('workspace/executeCommand', {
        command: 'relaylint.showDocumentation',
        arguments: ['smb.server.require', 'https://example.invalid/rules/smb.server.require.md'],
      });
      assert.deepEqual(c.shownDocuments, [
        { uri: 'file:///docs/rules/smb.server.require.md', external: false },
        { uri: 'https://example.invalid/rules/smb.server.require.md', external: true },
      ]);
    } finally {
      await c.stop();
    }
  });

  test('VS Code: the client handles the command, so the server does not register it', async () => {
    const c = await LspClient.start({ initializationOptions: { docsBase: 'file:///ext/docs/rules/', clientHandlesShowDocumentation: true } });
    try {
      assert.equal(c.initializeResult.capabilities.executeCommandProvider, undefined);
      const uri = fixtureUri(...INF);
      await c.open(uri, 'secedit-inf', fixtureText(...INF));
      const [d] = await c.diagnostics(uri);
      assert.deepEqual(d.codeDescription, { href: 'file:///ext/docs/rules/smb.server.require.md' });
    } finally {
      await c.stop();
    }
  });

  test('a client that cannot pull gets pushed diagnostics (debounced, versioned, cleared on close), never both', async () => {
    const c = await LspClient.start({ noPull: true });
    try {
      assert.equal(c.initializeResult.capabilities.diagnosticProvider, undefined);
      const uri = fixtureUri(...INF);
      const first = c.nextPublish(uri);
      await c.open(uri, 'secedit-inf', fixtureText(...INF));
      const published = await first;
      assert.equal(published.version, 1);
      assert.deepEqual(
        published.diagnostics.map((d) => [d.code, d.range.start.line, d.range.start.character]),
        [
          ['smb.server.require', 5, 91],
          ['smb.client.require', 6, 96],
          ['ldap.server.cbt', 8, 84],
        ],
      );
      // A settings change re-pushes with the new settings.
      const second = c.nextPublish(uri);
      await c.changeConfiguration(() => ({ role: 'member' }));
      assert.deepEqual((await second).diagnostics.map((d) => d.code), ['smb.server.require', 'smb.client.require']);
      assert.equal(c.refreshes, 0);
      const cleared = c.nextPublish(uri);
      await c.close(uri);
      assert.deepEqual((await cleared).diagnostics, []);
    } finally {
      await c.stop();
    }
  });

  test('a client that pulls never gets pushed diagnostics', async () => {
    const c = await LspClient.start();
    try {
      const uri = fixtureUri(...INF);
      await c.open(uri, 'secedit-inf', fixtureText(...INF));
      await c.replace(uri, fixtureText(...INF) + '\r\n');
      assert.equal((await c.diagnostics(uri)).length, 3);
      await new Promise((r) => setTimeout(r, 400));
      assert.deepEqual(c.published, []);
    } finally {
      await c.stop();
    }
  });

  test('shutdown and exit end the process cleanly', async () => {
    const c = await LspClient.start();
    await c.stop();
    assert.equal(c.exitCode, 0);
  });
});
