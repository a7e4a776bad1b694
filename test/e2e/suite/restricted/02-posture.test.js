// Restricted Mode: the posture page is read-only and opens in an untrusted folder too.
'use strict';
const assert = require('assert');
const h = require('../helpers');
const { vscode } = h;

suite('Restricted Mode: posture', () => {
  test('Show Posture opens the page in an untrusted folder', async () => {
    assert.strictEqual(vscode.workspace.isTrusted, false);
    const api = await vscode.extensions.getExtension(h.EXTENSION_ID).activate();
    const rendered = new Promise((r) => {
      const sub = api.posture.onDidRender((html) => (sub.dispose(), r(html)));
    });
    await vscode.commands.executeCommand('relaylint.showPosture');
    const html = await rendered;
    assert.match(html, /script-src 'sha256-[^']+' 'nonce-[^']+'/, html.slice(0, 400));
    await h.waitForTabs((tabs) => tabs.find((t) => t.input && String(t.input.viewType || '').endsWith('relaylint.posture')), 'the posture tab');
  });
});
