// Every .xml file goes to the server, which decides by content. A GPO report saved under the admin's
// own name gets the same diagnostics as gpreport.xml; XML that is not Group Policy gets none.
// The server's side (content detection, silence on other XML) is the server's; these tests hold the
// client to handing every .xml over.
'use strict';
const assert = require('assert');
const h = require('./helpers');
const { PATHS } = h;

const RENAMED = 'reports/DefaultDomainControllersPolicy.xml';
const POM = 'maven/pom.xml';
const RULE = 'smb.server.require';

suite('XML by content', () => {
  test('a GPO report named DefaultDomainControllersPolicy.xml gets the diagnostics of gpreport.xml', async () => {
    const report = await h.open(PATHS.report);
    const expected = await h.waitForDiagnostics(report.uri, h.hasCode(RULE), `${RULE} in gpreport.xml`);
    const doc = await h.open(RENAMED);
    const got = await h.waitForDiagnostics(doc.uri, h.hasCode(RULE), `${RULE} in ${RENAMED}`);
    assert.strictEqual(h.describe(got), h.describe(expected));
  });

  test('pom.xml is handed to the server, which stays silent on it', async () => {
    const cfg = () => h.vscode.workspace.getConfiguration('relaylint');
    let pom;
    try {
      // verbose trace: the didOpen notification, with its uri, is in the relaylint channel
      await cfg().update('trace.server', 'verbose', h.vscode.ConfigurationTarget.Global);
      await h.waitForLog(/setting changed: relaylint\.trace\.server = "verbose"/, 'trace on');
      pom = await h.open(POM);
      await h.waitForLog((t) => t.includes("Sending notification 'textDocument/didOpen'") && t.includes(pom.uri.toString()), 'the didOpen of pom.xml');
    } finally {
      await cfg().update('trace.server', undefined, h.vscode.ConfigurationTarget.Global);
    }
    // The server answers in order: once a later document has its diagnostics, pom.xml has been handled.
    const inf = await h.open(h.copyFixture(PATHS.inf, 'after-pom'));
    await h.waitForDiagnostics(inf.uri, h.hasCode(RULE), RULE);
    assert.strictEqual(h.describe(h.ours(pom.uri)), '(none)');
  });
});
