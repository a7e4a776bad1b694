// Registry.pol is binary: "Open Registry.pol as text" (relaylint.openPolAsText) shows a read-only
// text view of its records with the same diagnostics and hovers.
'use strict';
const assert = require('assert');
const fs = require('fs');
const h = require('./helpers');
const { vscode, catalog, PATHS } = h;

suite('Registry.pol read-only view', () => {
  test('command and editor-title action are contributed', () => {
    const pj = vscode.extensions.getExtension(h.EXTENSION_ID).packageJSON;
    const cmds = (pj.contributes.commands || []).map((c) => c.command);
    assert.ok(cmds.includes('relaylint.openPolAsText'), `commands: ${cmds.join(', ')}`);
    const title = ((pj.contributes.menus || {})['editor/title'] || []).map((m) => m.command);
    assert.ok(title.includes('relaylint.openPolAsText'), 'no editor/title menu entry for relaylint.openPolAsText');
  });

  test('relaylint.openPolAsText opens a read-only document with diagnostics and hovers', async () => {
    const pol = h.uriOf(PATHS.pol);
    const before = fs.readFileSync(pol.fsPath);
    await vscode.commands.executeCommand('relaylint.openPolAsText', pol);
    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'no active editor after the command');
    const doc = editor.document;
    assert.notStrictEqual(doc.uri.toString(), pol.toString(), 'the view must not be the binary file itself');
    assert.ok(doc.getText().includes('RequireSecuritySignature'), `the view does not list the record:\n${doc.getText()}`);
    const diags = await h.waitForDiagnostics(doc.uri, h.hasCode('smb.server.require'), 'smb.server.require');
    const d = diags.find((x) => h.codeOf(x) === 'smb.server.require');
    assert.ok(doc.lineAt(d.range.start.line).text.includes('RequireSecuritySignature'), `diagnostic on the wrong line: ${doc.lineAt(d.range.start.line).text}`);
    const hover = catalog.norm(await h.hoverText(doc.uri, d.range.start));
    assert.ok(hover.includes(catalog.norm(catalog.rule('smb.server.require').displayName)), `hover:\n${hover}`);
    // Read-only: a TextDocumentContentProvider view (VS Code opens those in a read-only editor); the .pol bytes never change.
    assert.notStrictEqual(doc.uri.scheme, 'file', 'the view must come from a content provider, not the file system');
    assert.ok(!doc.isDirty && !doc.isUntitled);
    h.assertBytes(fs.readFileSync(pol.fsPath), before, 'registry.pol untouched');
  });
});
