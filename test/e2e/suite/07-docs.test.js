// Docs open as docs: a rule code (Diagnostic.codeDescription), the hover link and the "Show
// documentation" action all open the rendered Markdown preview of a read-only virtual document,
// never the editable Markdown file in the extension folder.
'use strict';
const assert = require('assert');
const h = require('./helpers');
const { vscode, PATHS } = h;

const RULE = 'smb.server.require';
const DOCS_URI = `relaylint-docs:/rules/${RULE}.md`;

function previewOf(rule) {
  return (tabs) =>
    tabs.find((t) => t.input instanceof vscode.TabInputWebview && /markdown\.preview/.test(t.input.viewType) && t.label.includes(rule));
}

/** No tab shows the page as text, and no tab holds a Markdown file of the extension. */
function assertNoEditableDocs() {
  const extDocs = vscode.Uri.joinPath(vscode.extensions.getExtension(h.EXTENSION_ID).extensionUri, 'docs').toString();
  for (const t of vscode.window.tabGroups.all.flatMap((g) => g.tabs)) {
    if (!(t.input instanceof vscode.TabInputText)) continue;
    assert.notStrictEqual(t.input.uri.scheme, 'relaylint-docs', `the page is open as text: ${t.label}`);
    assert.ok(!t.input.uri.toString().startsWith(extDocs), `an extension docs file is open as text: ${t.input.uri}`);
  }
}

async function closePreviews() {
  const previews = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
  if (previews.length) await vscode.window.tabGroups.close(previews);
}

suite('docs open rendered and read-only', () => {
  let doc, diag;
  suiteSetup(async () => {
    doc = await h.open(PATHS.inf);
    const diags = await h.waitForDiagnostics(doc.uri, h.hasCode(RULE), RULE);
    diag = diags.find((d) => h.codeOf(d) === RULE);
  });
  teardown(closePreviews);

  test('the rule code links to the relaylint-docs: page, and opening it shows the Markdown preview', async () => {
    assert.ok(diag.code && typeof diag.code === 'object', 'the diagnostic has no codeDescription');
    assert.strictEqual(diag.code.target.toString(), DOCS_URI);
    // What a click on the code in the Problems panel or the diagnostic hover does: open the URI.
    await vscode.commands.executeCommand('vscode.open', diag.code.target);
    await h.waitForTabs(previewOf(RULE), `the Markdown preview of ${RULE}`);
    await h.waitForTabs((tabs) => !tabs.some((t) => t.input instanceof vscode.TabInputText && t.input.uri.scheme === 'relaylint-docs'), 'the text tab to be replaced');
    assertNoEditableDocs();
  });

  test('the page is on a read-only file system and has the rule text', async () => {
    const uri = vscode.Uri.parse(DOCS_URI);
    const page = await vscode.workspace.openTextDocument(uri);
    assert.match(page.getText(), new RegExp(`^# .*${RULE.replace(/\./g, '\\.')}`, 'm'));
    assert.strictEqual(vscode.workspace.fs.isWritableFileSystem('relaylint-docs'), false, 'relaylint-docs: must be a read-only file system');
    assert.strictEqual((await vscode.workspace.fs.stat(uri)).permissions, vscode.FilePermission.Readonly);
    await assert.rejects(vscode.workspace.fs.writeFile(uri, Buffer.from('x')), /NoPermissions|permission|read-?only/i);
  });

  test('the hover links to the page through relaylint.showDocumentation, which opens the preview', async () => {
    const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, diag.range.start)) || [];
    const md = hovers.flatMap((x) => x.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
    const link = `command:relaylint.showDocumentation?${encodeURIComponent(JSON.stringify([RULE]))}`;
    assert.ok(md.includes(`](${link} `), `no documentation command link in the hover:\n${md}`);
    assert.ok(!/\]\((relaylint-docs|file):[^)]*docs\/rules/.test(md), `the hover still links to a docs file:\n${md}`);
    await vscode.commands.executeCommand('relaylint.showDocumentation', RULE);
    await h.waitForTabs(previewOf(RULE), `the Markdown preview of ${RULE}`);
    assertNoEditableDocs();
  });

  test('the "Show documentation" quick fix opens the preview', async () => {
    const actions = await h.codeActions(doc.uri, diag.range);
    const show = actions.find((a) => a.title === `Show documentation for ${RULE}`);
    assert.ok(show, `no "Show documentation for ${RULE}" action; got: ${actions.map((a) => a.title).join(' | ')}`);
    await h.apply(show);
    await h.waitForTabs(previewOf(RULE), `the Markdown preview of ${RULE}`);
    assertNoEditableDocs();
  });
});
