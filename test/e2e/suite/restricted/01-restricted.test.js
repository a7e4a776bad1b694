// Restricted Mode must not let a folder weaken the audit. The folder's .vscode/settings.json turns
// smb.server.require and smb.client.require off, turns checking off and sets the member role, and its
// relaylint.json turns the rules off too: in an untrusted folder none of it applies, the findings
// stay, and relaylint says which settings it ignored.
'use strict';
const assert = require('assert');
const path = require('path');
const h = require('../helpers');
const { vscode } = h;

const IGNORED = ['relaylint.configFile', 'relaylint.enable', 'relaylint.role', 'relaylint.rules'];

suite('Restricted Mode', () => {
  test('the folder is open in Restricted Mode', () => {
    assert.strictEqual(vscode.workspace.isTrusted, false, 'this suite must run in an untrusted folder');
  });

  test('VS Code ignores the folder values of the restricted settings', () => {
    const ext = vscode.extensions.getExtension(h.EXTENSION_ID);
    const caps = ext.packageJSON.capabilities.untrustedWorkspaces;
    assert.strictEqual(caps.supported, 'limited');
    for (const k of [...IGNORED, 'relaylint.targetOs', 'relaylint.fix.unsafe', 'relaylint.topology', 'relaylint.evidence']) {
      assert.ok(caps.restrictedConfigurations.includes(k), `${k} is not a restricted setting`);
    }
    const cfg = vscode.workspace.getConfiguration('relaylint');
    assert.strictEqual(cfg.get('enable'), true);
    assert.deepStrictEqual(cfg.get('rules'), {});
    assert.strictEqual(cfg.get('role'), 'any');
  });

  test('a folder that turns rules off cannot silence the findings (settings.json and relaylint.json)', async () => {
    const doc = await h.open('GptTmpl.inf');
    const server = h.rangeOf(doc, 'LanManServer\\Parameters\\RequireSecuritySignature=', '4,0');
    const client = h.rangeOf(doc, 'LanmanWorkstation\\Parameters\\RequireSecuritySignature=', '4,0');
    const diags = await h.waitForDiagnostics(
      doc.uri,
      (d) => h.hasCode('smb.server.require', server.start.line)(d) && h.hasCode('smb.client.require', client.start.line)(d),
      'smb.server.require and smb.client.require',
    );
    const s = diags.find((d) => h.codeOf(d) === 'smb.server.require');
    h.assertRange(s.range, server, 'smb.server.require');
    assert.strictEqual(s.severity, vscode.DiagnosticSeverity.Error, 'smb.server.require keeps its catalog severity');
  });

  test('the output channel says which folder settings were ignored, and that relaylint.json is not read', async () => {
    const ws = vscode.workspace.workspaceFolders[0].uri.fsPath;
    const settings = path.join(ws, '.vscode', 'settings.json');
    const esc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const log = await h.waitForLog(new RegExp(`\\[warning\\] Restricted Mode: ignoring ${esc(IGNORED.join(', '))} from ${esc(settings)} \\(trust the folder to apply them\\)`), 'the ignored settings');
    assert.match(log, /\[info\] workspace not trusted \(Restricted Mode\): folder values of relaylint\.enable, relaylint\.rules, .* are ignored, and relaylint\.json files are not read/);
    assert.match(log, new RegExp(`\\[info\\] config file ${esc(path.join(ws, 'relaylint.json'))} \\(not read: Restricted Mode\\)`));
  });

  test('the server is told the workspace is not trusted (initializationOptions.workspaceTrusted)', async () => {
    // relaylint.trace.server is "verbose" in this profile's user settings: the initialize request is in the channel.
    const log = await h.waitForLog(/"workspaceTrusted": false/, 'workspaceTrusted: false in the traced initialize params');
    assert.ok(!/"workspaceTrusted": true/.test(log), 'the server was told the workspace is trusted');
  });
});
