// relaylint.json in a trusted folder applies (the counterpart of the Restricted Mode suite, where the
// same file must not silence anything). The server reads the config file.
'use strict';
const assert = require('assert');
const vscode = require('vscode');
const h = require('./helpers');

suite('config file (trusted folder)', () => {
  test('configfile/relaylint.json turns smb.server.require off for the files below it', async () => {
    const doc = await h.open('configfile/GptTmpl.inf');
    const diags = await h.waitForDiagnostics(doc.uri, (d) => h.hasCode('smb.client.require')(d) && h.lacksCode('smb.server.require')(d), 'smb.client.require without smb.server.require');
    // Exactly what the file gives without the config (`relaylint scan --no-config`: smb.server.require
    // error on line 8, smb.client.enable info on line 9, smb.client.require warning on line 10), less
    // the rule the config turns off; nothing else changes.
    const S = vscode.DiagnosticSeverity;
    assert.deepStrictEqual(
      diags.map((d) => [h.codeOf(d), d.range.start.line, d.severity]).sort((a, b) => a[1] - b[1]),
      [
        ['smb.client.enable', 8, S.Information],
        ['smb.client.require', 9, S.Warning],
      ],
    );
  });
});
