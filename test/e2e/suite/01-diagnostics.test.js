// Activation on each supported file kind, and diagnostics for each format: source, code (rule id),
// documentation link, severity, message from the catalog and the exact range of the value.
'use strict';
const assert = require('assert');
const h = require('./helpers');
const { vscode, catalog, PATHS } = h;

const SERVER_REQUIRE = 'smb.server.require';
const CTX = { role: 'member', targetOs: 'legacy', peers: new Map() };

function checkDiagnostic(d, expectedRange, what) {
  const rule = catalog.rule(SERVER_REQUIRE);
  assert.strictEqual(d.source, 'relaylint', `${what}: source`);
  assert.strictEqual(h.codeOf(d), SERVER_REQUIRE, `${what}: code`);
  if (d.code && typeof d.code === 'object') {
    assert.match(String(d.code.target), /smb\.server\.require(\.md)?\b/, `${what}: codeDescription.href names the rule page`);
  } else {
    assert.fail(`${what}: diagnostic has no codeDescription (documentation link)`);
  }
  assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Error, `${what}: severity (catalog: ${rule.severity})`);
  const judged = rule.judge(0, CTX);
  assert.ok(
    catalog.norm(d.message).includes(catalog.norm(judged.message)),
    `${what}: message should carry the catalog's text.\n  got:      ${d.message}\n  catalog:  ${judged.message}`,
  );
  if (expectedRange) h.assertRange(d.range, expectedRange, what);
}

suite('activation and diagnostics', () => {
  let ext;

  /** The opened file's language has an activation event, and the extension is active. */
  function assertActivatesOn(doc) {
    const events = ext.packageJSON.activationEvents || [];
    assert.ok(events.includes(`onLanguage:${doc.languageId}`), `no onLanguage:${doc.languageId} activation event: ${events.join(', ')}`);
    assert.ok(ext.isActive, 'extension is active');
  }

  suiteSetup(() => {
    ext = vscode.extensions.getExtension(h.EXTENSION_ID);
    assert.ok(ext, `extension ${h.EXTENSION_ID} is not loaded`);
  });

  test('activates only on the supported files and its commands (no start-up cost elsewhere)', () => {
    const events = ext.packageJSON.activationEvents || [];
    assert.ok(!events.includes('*') && !events.includes('onStartupFinished'), `eager activation: ${events.join(', ')}`);
    const langs = (ext.packageJSON.contributes && ext.packageJSON.contributes.languages) || [];
    const ids = langs.map((l) => l.id);
    assert.ok(ids.includes('secedit-inf'), `contributes.languages lacks secedit-inf: ${ids.join(', ')}`);
    assert.ok(ids.includes('reg'), `contributes.languages lacks reg: ${ids.join(', ')}`);
    assert.ok(!ids.includes('xml'), 'relaylint must not take over the xml language');
  });

  test('GptTmpl.inf (UTF-16LE + BOM + CRLF): language secedit-inf, activates, smb.server.require on "4,0"', async () => {
    const doc = await h.open(PATHS.inf);
    assert.strictEqual(doc.languageId, 'secedit-inf');
    assert.strictEqual(doc.eol, vscode.EndOfLine.CRLF, 'CRLF kept in the buffer');
    const expected = h.rangeOf(doc, 'LanManServer\\Parameters\\RequireSecuritySignature=', '4,0');
    const diags = await h.waitForDiagnostics(doc.uri, h.hasCode(SERVER_REQUIRE, expected.start.line), SERVER_REQUIRE);
    assertActivatesOn(doc);
    checkDiagnostic(diags.find((d) => h.codeOf(d) === SERVER_REQUIRE), expected, 'GptTmpl.inf');
    // The hardened lines next to it are not flagged.
    const enable = h.rangeOf(doc, 'LanManServer\\Parameters\\EnableSecuritySignature=', '4,1');
    const plain = h.rangeOf(doc, 'EnablePlainTextPassword=', '4,0');
    for (const d of diags) {
      assert.notStrictEqual(d.range.start.line, enable.start.line, `hardened server EnableSecuritySignature=4,1 flagged: ${h.codeOf(d)}`);
      assert.notStrictEqual(d.range.start.line, plain.start.line, `hardened EnablePlainTextPassword=4,0 flagged: ${h.codeOf(d)}`);
    }
  });

  test('.reg: language reg, activates, smb.server.require on "dword:00000000"', async () => {
    const doc = await h.open(PATHS.reg);
    assert.strictEqual(doc.languageId, 'reg');
    const expected = h.rangeOf(doc, '"RequireSecuritySignature"=', 'dword:00000000');
    const diags = await h.waitForDiagnostics(doc.uri, h.hasCode(SERVER_REQUIRE, expected.start.line), SERVER_REQUIRE);
    assertActivatesOn(doc);
    checkDiagnostic(diags.find((d) => h.codeOf(d) === SERVER_REQUIRE), expected, 'weak.reg');
  });

  test('GPP Registry.xml: stays xml, smb.server.require inside value="…"', async () => {
    const doc = await h.open(PATHS.gpp);
    assert.strictEqual(doc.languageId, 'xml');
    const expected = h.rangeOf(doc, 'name="RequireSecuritySignature" type="REG_DWORD" value="', '00000000');
    const diags = await h.waitForDiagnostics(doc.uri, h.hasCode(SERVER_REQUIRE), SERVER_REQUIRE);
    assertActivatesOn(doc);
    checkDiagnostic(diags.find((d) => h.codeOf(d) === SERVER_REQUIRE), expected, 'Registry.xml');
  });

  test('gpreport.xml (UTF-16LE): stays xml, smb.server.require on the Security Option', async () => {
    const doc = await h.open(PATHS.report);
    assert.strictEqual(doc.languageId, 'xml');
    const diags = await h.waitForDiagnostics(doc.uri, h.hasCode(SERVER_REQUIRE), SERVER_REQUIRE);
    assertActivatesOn(doc);
    const d = diags.find((x) => h.codeOf(x) === SERVER_REQUIRE);
    checkDiagnostic(d, undefined, 'gpreport.xml');
    // The finding sits on the value: the 0 of <q1:SettingNumber> under that key name; the message names the GPO to change.
    const keyLine = h.rangeOf(doc, '\\LanManServer\\Parameters\\RequireSecuritySignature</q1:KeyName>', '<q1:KeyName>').start.line;
    const numLine = keyLine + 1;
    const col = doc.lineAt(numLine).text.indexOf('<q1:SettingNumber>0</q1:SettingNumber>');
    assert.ok(col >= 0, 'fixture: <q1:SettingNumber>0 follows the key name');
    const at = col + '<q1:SettingNumber>'.length;
    h.assertRange(d.range, new vscode.Range(numLine, at, numLine, at + 1), 'gpreport.xml');
    assert.ok(d.message.includes('Lab - File servers'), `the message should name the GPO: ${d.message}`);
  });

  test('real GOAD export (corpus, UTF-16LE): smb.server.require on "4,0"', async () => {
    const doc = await h.open(PATHS.real);
    assert.strictEqual(doc.languageId, 'secedit-inf');
    const expected = h.rangeOf(doc, 'LanManServer\\Parameters\\RequireSecuritySignature=', '4,0');
    const diags = await h.waitForDiagnostics(doc.uri, h.hasCode(SERVER_REQUIRE, expected.start.line), SERVER_REQUIRE);
    checkDiagnostic(diags.find((d) => h.codeOf(d) === SERVER_REQUIRE), expected, 'GOAD GptTmpl.inf');
  });

  test('diagnostics follow edits: fixing the value by typing clears the finding', async () => {
    const uri = h.copyFixture(PATHS.reg, 'typing');
    const doc = await h.open(uri);
    const r = h.rangeOf(doc, '"RequireSecuritySignature"=', 'dword:00000000');
    await h.waitForDiagnostics(uri, h.hasCode(SERVER_REQUIRE, r.start.line), SERVER_REQUIRE);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, r, 'dword:00000001');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await h.waitForDiagnostics(uri, h.lacksCode(SERVER_REQUIRE, r.start.line), `${SERVER_REQUIRE} to clear`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
