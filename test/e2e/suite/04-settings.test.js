// Changing a relaylint setting re-runs diagnostics (no reload, no edit of the document).
'use strict';
const assert = require('assert');
const h = require('./helpers');
const { vscode, PATHS } = h;

const RULE = 'smb.server.require';

suite('settings', () => {
  test('relaylint.rules: severity override to warning, then off, then back to the catalog default', async () => {
    const ext = vscode.extensions.getExtension(h.EXTENSION_ID);
    const conf = ext.packageJSON.contributes.configuration || [];
    const props = (Array.isArray(conf) ? conf : [conf]).flatMap((c) => Object.keys(c.properties || {}));
    assert.ok(props.includes('relaylint.rules'), `package.json declares no relaylint.rules setting; has: ${props.join(', ')}`);
    const doc = await h.open(PATHS.reg);
    const line = h.rangeOf(doc, '"RequireSecuritySignature"=', 'dword').start.line;
    const sev = (s) => (diags) => diags.some((d) => h.codeOf(d) === RULE && d.range.start.line === line && d.severity === s);
    await h.waitForDiagnostics(doc.uri, sev(vscode.DiagnosticSeverity.Error), `${RULE} as an error`);
    const cfg = () => vscode.workspace.getConfiguration('relaylint', doc.uri);
    try {
      await cfg().update('rules', { [RULE]: 'warning' }, vscode.ConfigurationTarget.Workspace);
      await h.waitForDiagnostics(doc.uri, sev(vscode.DiagnosticSeverity.Warning), `${RULE} downgraded to a warning`);
      await cfg().update('rules', { [RULE]: 'off' }, vscode.ConfigurationTarget.Workspace);
      await h.waitForDiagnostics(doc.uri, h.lacksCode(RULE), `${RULE} turned off`);
    } finally {
      await cfg().update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await h.waitForDiagnostics(doc.uri, sev(vscode.DiagnosticSeverity.Error), `${RULE} back as an error`);
  });
});
