// Visibility: the relaylint output channel (version, server start, config files, settings, each
// settings change at info level) and `relaylint.trace.server`, read from the channel's log file as
// VS Code writes it. The status item's text is checked in the UI scenario (it is only visible there).
'use strict';
const assert = require('assert');
const h = require('./helpers');
const { vscode, PATHS } = h;

const RULE = 'smb.server.require';
const HOVER_TRACE = /Sending request 'textDocument\/hover/;

suite('visibility: output channel', () => {
  suiteSetup(async () => {
    const doc = await h.open(PATHS.inf);
    await h.waitForDiagnostics(doc.uri, h.hasCode(RULE), RULE);
  });

  test('the output channel logs the version, the server start, the config files and the settings in use', async () => {
    const version = vscode.extensions.getExtension(h.EXTENSION_ID).packageJSON.version;
    const log = await h.waitForLog(/\[info\] language server started: relaylint/, 'the server start');
    const lines = log.split('\n');
    const order = (re) => lines.findIndex((l) => re.test(l));
    const v = order(new RegExp(`\\[info\\] relaylint ${version.replace(/\./g, '\\.')} \\(`));
    const trusted = order(/\[info\] workspace trusted: folder settings and config files apply/);
    const settings = order(/\[info\] settings \(workspace\): all defaults$/);
    const starting = order(/\[info\] starting the language server \(server\/out\/server\.js, IPC; workspace trusted: yes\)/);
    const started = order(/\[info\] language server started: relaylint/);
    assert.ok(v >= 0, `no version line for ${version}:\n${log}`);
    assert.ok(trusted > v && settings > v, `no trust / settings lines after the version:\n${log}`);
    assert.ok(starting > v && started > starting, `no start lines in order:\n${log}`);
    // config files: configfile/relaylint.json is in this workspace
    assert.ok(order(/\[info\] config file .*\/configfile\/relaylint\.json$/) >= 0, `the config file is not logged:\n${log}`);
  });

  test('each settings change is logged at info level with the new and the old value', async () => {
    const cfg = () => vscode.workspace.getConfiguration('relaylint');
    try {
      await cfg().update('role', 'dc', vscode.ConfigurationTarget.Workspace);
      await h.waitForLog(/\[info\] setting changed: relaylint\.role = "dc" \(was "any"\)/, 'the role change');
    } finally {
      await cfg().update('role', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await h.waitForLog(/\[info\] setting changed: relaylint\.role = "any" \(was "dc"\)/, 'the role change back');
  });

  test('relaylint.trace.server "messages" traces the LSP traffic into the relaylint channel, "off" stops it', async () => {
    // The setting name is the LanguageClient id + ".trace.server", which is what the library reads.
    const ext = vscode.extensions.getExtension(h.EXTENSION_ID);
    assert.ok(ext.packageJSON.contributes.configuration.properties['relaylint.trace.server'], 'relaylint.trace.server is not declared');
    const doc = await h.open(PATHS.inf);
    const at = h.rangeOf(doc, 'LanManServer\\Parameters\\RequireSecuritySignature=', '4,0').start;
    const cfg = () => vscode.workspace.getConfiguration('relaylint');
    const before = h.countMatches(h.outputLog(), HOVER_TRACE);
    try {
      await cfg().update('trace.server', 'messages', vscode.ConfigurationTarget.Global);
      await h.waitForLog(/setting changed: relaylint\.trace\.server = "messages"/, 'the trace setting change');
      await h.hoverText(doc.uri, at);
      await h.waitForLog((t) => h.countMatches(t, HOVER_TRACE) > before, 'a traced hover request (at the default Info log level)');
      assert.match(h.outputLog(), /Received response 'textDocument\/hover - \(\d+\)' in \d+ms/);
    } finally {
      await cfg().update('trace.server', undefined, vscode.ConfigurationTarget.Global);
    }
    const off = await h.waitForLog(/setting changed: relaylint\.trace\.server = "off" \(was "messages"\)/, 'trace off');
    const traced = h.countMatches(off, HOVER_TRACE);
    await h.hoverText(doc.uri, at);
    // A later log line (a settings change) shows the hover has been handled without a trace line.
    try {
      await cfg().update('role', 'member', vscode.ConfigurationTarget.Workspace);
      await h.waitForLog(/setting changed: relaylint\.role = "member"/, 'a marker line');
    } finally {
      await cfg().update('role', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await h.waitForLog(/setting changed: relaylint\.role = "any" \(was "member"\)/, 'the role back');
    assert.strictEqual(h.countMatches(h.outputLog(), HOVER_TRACE), traced, 'a hover was traced with relaylint.trace.server off');
  });
});
