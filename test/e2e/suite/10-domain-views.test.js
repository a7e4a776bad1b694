// The domain views in a workspace without a topology: the Relay exposure view shows one message
// node (the server's reason), and Show Posture still opens the page (the whole set as one scope).
'use strict';
const assert = require('assert');
const h = require('./helpers');
const { vscode } = h;

suite('domain views without a topology', () => {
  test('the exposure view shows one clear message node, no scopes', async () => {
    const api = await vscode.extensions.getExtension(h.EXTENSION_ID).activate();
    const nodes = await api.exposure.getChildren();
    assert.strictEqual(nodes.length, 1, JSON.stringify(nodes));
    assert.strictEqual(nodes[0].type, 'message');
    const item = api.exposure.getTreeItem(nodes[0]);
    const last = api.exposure.last;
    assert.ok(last, 'the server answered relaylint/exposure');
    assert.strictEqual(last.available, false, JSON.stringify(last));
    assert.strictEqual(item.label, last.reason || 'No domain topology in this workspace');
    assert.strictEqual(item.iconPath.id, 'info');
    assert.strictEqual(item.command, undefined);
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
