// The domain views in a workspace without a topology: the Relay exposure view shows one message
// node (the server's reason), and Show Posture still opens the page (the whole set as one scope).
'use strict';
const assert = require('assert');
const h = require('./helpers');
const { vscode } = h;

suite('domain views without a topology', () => {
  test('the exposure view says first that there is no topology, then shows the scanned set as one scope', async () => {
    const api = await vscode.extensions.getExtension(h.EXTENSION_ID).activate();
    const nodes = await api.exposure.getChildren();
    const last = api.exposure.last;
    assert.ok(last, 'the server answered relaylint/exposure');
    assert.ok(last.reason && /No domain topology/.test(last.reason), JSON.stringify(last.reason));
    assert.deepStrictEqual(nodes.map((n) => n.type), ['message', ...last.scopes.map(() => 'scope')]);
    const item = api.exposure.getTreeItem(nodes[0]);
    assert.strictEqual(item.label, last.reason);
    assert.strictEqual(item.iconPath.id, 'info');
    assert.strictEqual(item.command, undefined);
    assert.deepStrictEqual(last.scopes.map((s) => s.som), ['(scanned files)']);
  });

  test('Show Posture opens the webview with the page', async () => {
    const api = await vscode.extensions.getExtension(h.EXTENSION_ID).activate();
    const rendered = new Promise((r) => {
      const sub = api.posture.onDidRender((html) => (sub.dispose(), r(html)));
    });
    await vscode.commands.executeCommand('relaylint.showPosture');
    const html = await rendered;
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';[^"]*script-src 'sha256-[^']+' 'nonce-[^']+'/);
    await h.waitForTabs((tabs) => tabs.find((t) => t.input && String(t.input.viewType || '').endsWith('relaylint.posture')), 'the posture tab');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });
});
