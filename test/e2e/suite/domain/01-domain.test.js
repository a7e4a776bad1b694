// The example domain in the real editor: the Relay exposure view lists its scopes and opens the
// deciding line; a value shadowed everywhere carries the related information; hovers say where a
// value is effective and what the event logs say; the posture webview opens and follows a cell.
// Expectations are the example domain's (examples/corp.example + topology/corp-gp.ldf + logs/), as
// docs/effective-policy.md walks through them.
'use strict';
const assert = require('assert');
const path = require('path');
const h = require('../helpers');
const { vscode } = h;

const INF = 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf';
const GPO = {
  baseline: '{0F5E6D7C-8B9A-4C1D-9E2F-3A4B5C6D7E8F}', // Domain Security Baseline (enforced at the domain)
  ddp: '{31B2F340-016D-11D2-945F-00C04FB984F9}', // Default Domain Policy
  file: '{7A6B5C4D-3E2F-4A1B-8C9D-0E1F2A3B4C5D}', // File Servers - legacy clients (OU=File blocks inheritance)
};
const gpoFile = (g) => `corp.example/Policies/${g}/${INF}`;
const SCOPES = [
  ['corp.example', 'domain', 'member'],
  ['corp.example/Domain Controllers', 'ou', 'dc'],
  ['corp.example/Servers', 'ou', 'member'],
  ['corp.example/Servers/File', 'ou', 'member'],
  ['corp.example/Workstations', 'ou', 'member'],
];

let api;
async function relaylint() {
  if (api) return api;
  const ext = vscode.extensions.getExtension(h.EXTENSION_ID);
  api = await ext.activate();
  assert.ok(api && api.exposure && api.posture, 'the extension returns its exposure and posture views');
  return api;
}

/** The view's roots once the server answered with scopes (the topology is read in the background). */
async function roots(ms = 30000) {
  const { exposure } = await relaylint();
  const deadline = Date.now() + ms;
  for (;;) {
    const nodes = await exposure.getChildren();
    if (nodes.some((n) => n.type === 'scope')) return nodes;
    if (Date.now() > deadline) assert.fail(`no scopes in the exposure view after ${ms} ms: ${JSON.stringify(nodes.map((n) => exposure.getTreeItem(n).label))}`);
    // the view asks again on relaylint/domainChanged; wait for that (bounded)
    await new Promise((r) => {
      const sub = exposure.onDidLoad(() => (sub.dispose(), r()));
      setTimeout(() => (sub.dispose(), r()), 1000);
    });
  }
}

async function ruleNode(som, ruleId) {
  const { exposure } = await relaylint();
  const scope = (await roots()).find((n) => n.type === 'scope' && n.scope.som === som);
  assert.ok(scope, `no scope ${som}`);
  const rule = (await exposure.getChildren(scope)).find((n) => n.type === 'rule' && n.rule.ruleId === ruleId);
  assert.ok(rule, `no ${ruleId} under ${som}`);
  return { node: rule, item: exposure.getTreeItem(rule) };
}

function sameFile(uri, rel) {
  return path.normalize(uri.fsPath).toLowerCase() === path.normalize(h.uriOf(rel).fsPath).toLowerCase();
}

/** Resolve once the active editor shows `rel` with the cursor on `line` (0-based). */
function waitForEditor(rel, line, what, ms = 10000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const e = vscode.window.activeTextEditor;
      if (e && sameFile(e.document.uri, rel) && e.selection.start.line === line) {
        sub.dispose();
        clearTimeout(timer);
        resolve(e);
      }
    };
    const sub = vscode.window.onDidChangeActiveTextEditor(check);
    const sel = vscode.window.onDidChangeTextEditorSelection(check);
    const timer = setTimeout(() => {
      sub.dispose();
      sel.dispose();
      const e = vscode.window.activeTextEditor;
      reject(new Error(`${what}: timed out; active editor ${e ? `${e.document.uri.fsPath} line ${e.selection.start.line}` : '(none)'}`));
    }, ms);
    check();
  });
}

suite('domain: Relay exposure view', () => {
  suiteSetup(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('the view lists every scope of the example domain, with kind and role', async () => {
    const { exposure } = await relaylint();
    const nodes = await roots();
    const got = nodes.map((n) => [n.scope.som, n.scope.kind, n.scope.role]).sort();
    assert.deepStrictEqual(got, SCOPES);
    const dc = exposure.getTreeItem(nodes.find((n) => n.scope.som === 'corp.example/Domain Controllers'));
    assert.strictEqual(dc.label, 'corp.example/Domain Controllers');
    assert.match(dc.description, /^OU · domain controllers · \d+ of \d+ rules exposed$/);
  });

  test('a weak rule shows its status as icon, colour and text, and opens the deciding line', async () => {
    const { node, item } = await ruleNode('corp.example/Servers/File', 'smb.server.require');
    assert.strictEqual(node.rule.status, 'weak');
    assert.ok(item.description.startsWith('weak'), `the status is in the text: ${item.description}`);
    assert.strictEqual(item.iconPath.id, 'error');
    assert.strictEqual(item.iconPath.color.id, 'errorForeground');
    assert.ok(item.command, 'a rule with a winner opens it');
    await vscode.commands.executeCommand(item.command.command, ...item.command.arguments);
    const editor = await waitForEditor(gpoFile(GPO.file), 6, 'the deciding line of smb.server.require in Servers/File');
    assert.ok(editor.document.lineAt(6).text.startsWith('MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0'), editor.document.lineAt(6).text);
    const r = node.rule.winner.range;
    assert.strictEqual(h.fmtRange(editor.selection), h.fmtRange(new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character)));
  });

  test('a rule decided by an enforced GPO above a blocked OU opens that GPO', async () => {
    const { item } = await ruleNode('corp.example/Servers/File', 'smb.client.require');
    assert.ok(item.description.startsWith('hardened'), item.description);
    assert.strictEqual(item.iconPath.id, 'pass');
    await vscode.commands.executeCommand(item.command.command, ...item.command.arguments);
    await waitForEditor(gpoFile(GPO.baseline), 6, 'the enforced baseline line');
  });

  test('a missing rule has no line to open; its tooltip says why', async () => {
    const { node, item } = await ruleNode('corp.example/Workstations', 'smb.server.require');
    assert.strictEqual(node.rule.status, 'missing');
    assert.strictEqual(item.command, undefined);
    assert.ok(item.description.startsWith('missing'));
    assert.ok(node.rule.why, 'the server says why');
    const tip = item.tooltip.value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1');
    assert.ok(tip.startsWith('$(circle-slash) **missing**: '), tip);
    assert.ok(tip.includes(node.rule.why.replace(/\s+/g, ' ').trim().slice(0, 40)), `the tooltip carries why:\n${tip}`);
  });

  test('readiness from the event log shows on the rule', async () => {
    const { node, item } = await ruleNode('corp.example/Domain Controllers', 'ldap.server.signing');
    assert.ok(node.rule.readiness, `no readiness on ldap.server.signing: ${JSON.stringify(node.rule)}`);
    assert.strictEqual(node.rule.readiness.status, 'blocked');
    assert.strictEqual(node.rule.readiness.clients, 2);
    assert.strictEqual(item.description, 'weak · blocked (2 clients would fail)');
    const tip = item.tooltip.value.replace(/&nbsp;/g, ' ').replace(/\\(.)/g, '$1'); // appendText escapes
    assert.ok(tip.includes('Readiness: blocked, 2 clients in the event logs would fail if it were enforced now'), tip);
  });

  test('the refresh command asks the server again', async () => {
    const { exposure } = await relaylint();
    await roots();
    const loaded = new Promise((r) => {
      const sub = exposure.onDidLoad((res) => (sub.dispose(), r(res)));
    });
    await vscode.commands.executeCommand('relaylint.refreshExposure');
    await exposure.getChildren(); // what the tree does when told its data changed
    const res = await loaded;
    assert.ok(res && res.available && res.scopes.length === SCOPES.length);
  });
});

suite('domain: findings and hovers', () => {
  test('a value shadowed in every scope is info and links the winning line', async () => {
    const doc = await h.open(gpoFile(GPO.ddp));
    const line = 13; // LanmanWorkstation RequireSecuritySignature=4,0, beaten by the enforced baseline
    const diags = await h.waitForDiagnostics(doc.uri, (d) => d.some((x) => h.codeOf(x) === 'smb.client.require' && x.range.start.line === line && (x.relatedInformation || []).length), 'smb.client.require with related information');
    const d = diags.find((x) => h.codeOf(x) === 'smb.client.require' && x.range.start.line === line);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Information, 'shadowed everywhere: info');
    const winner = d.relatedInformation.find((r) => sameFile(r.location.uri, gpoFile(GPO.baseline)));
    assert.ok(winner, `no related location at the baseline: ${JSON.stringify(d.relatedInformation.map((r) => `${r.location.uri.fsPath}:${r.location.range.start.line}`))}`);
    assert.strictEqual(winner.location.range.start.line, 6);
  });

  test('hover: "Effective in" names the scope where this line wins', async () => {
    const doc = await h.open(gpoFile(GPO.file));
    const r = h.rangeOf(doc, 'LanManServer\\Parameters\\RequireSecuritySignature=', '4,0');
    const text = await h.hoverText(doc.uri, r.start.translate(0, 1));
    assert.match(text, /Effective in:/, text);
    assert.ok(text.includes('Servers/File'), text);
  });

  test('hover: the readiness line names the clients that would break', async () => {
    const doc = await h.open(gpoFile(GPO.ddp));
    const r = h.rangeOf(doc, 'Lsa\\LmCompatibilityLevel=', '4,3');
    const text = await h.hoverText(doc.uri, r.start.translate(0, 1));
    assert.ok(text.includes('SCANNER01'), `the hover names the NTLMv1 client:\n${text}`);
    assert.match(text, /break 1 client/, text);
  });
});

suite('domain: posture webview', () => {
  test('Show Posture opens the page with its own CSP plus a nonce, and follows a cell to its line', async () => {
    const { posture } = await relaylint();
    const rendered = new Promise((r) => {
      const sub = posture.onDidRender((html) => (sub.dispose(), r(html)));
    });
    await vscode.commands.executeCommand('relaylint.showPosture');
    const html = await rendered;
    await h.waitForTabs((tabs) => tabs.find((t) => t.input && String(t.input.viewType || '').endsWith('relaylint.posture')), 'the posture tab');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(html);
    assert.ok(csp, 'the page keeps its CSP meta');
    assert.match(csp[1], /default-src 'none'/);
    assert.match(csp[1], /script-src 'sha256-[A-Za-z0-9+/=]+' 'nonce-[A-Za-z0-9+/=]+'/, csp[1]);
    const nonce = /'nonce-([^']+)'/.exec(csp[1])[1];
    assert.ok(html.includes(`<script nonce="${nonce}">`), 'the cell script carries the nonce');
    const cell = /data-relaylint-cell="([^"]+)"/.exec(html);
    assert.ok(cell, 'the page has cells that reference deciding lines');
    assert.ok(await posture.onMessage({ cell: cell[1] }), `cell ${cell[1]} did not open`);
    const e = vscode.window.activeTextEditor;
    assert.ok(e && e.document.uri.scheme === 'file' && /GptTmpl\.inf$|Registry\.(pol|xml)$/i.test(e.document.uri.path), `an editor on the deciding file: ${e && e.document.uri.toString()}`);
    assert.strictEqual(await posture.onMessage({ cell: 'no-such-cell' }), false, 'an id the server did not list opens nothing');
    assert.strictEqual(await posture.onMessage({ href: 'file:///etc/passwd' }), false);
  });

  test('the exposure view follows an edit: the File servers value fixed → hardened (relaylint/domainChanged)', async () => {
    const { exposure } = await relaylint();
    const doc = await h.open(gpoFile(GPO.file));
    const r = h.rangeOf(doc, 'LanManServer\\Parameters\\RequireSecuritySignature=', '4,0');
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, r, '4,1');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const hardened = new Promise((resolve, reject) => {
      const timer = setTimeout(() => (sub.dispose(), reject(new Error('the view did not reload with smb.server.require hardened in Servers/File'))), 20000);
      const sub = exposure.onDidLoad(async (res) => {
        // The view lists the scopes; a scope's rules come when it is expanded (relaylint/exposureScope).
        const s = res && (await exposure.getChildren()).find((n) => n.type === 'scope' && n.scope.som === 'corp.example/Servers/File');
        const node = s && (await exposure.getChildren(s)).find((n) => n.type === 'rule' && n.rule.ruleId === 'smb.server.require');
        const rule = node && node.rule;
        if (rule && rule.status === 'hardened') {
          clearTimeout(timer);
          sub.dispose();
          resolve(rule);
        } else void exposure.getChildren();
      });
    });
    await h.save(doc);
    // the tree view asks again when the server says the domain changed; the test plays the tree
    const poll = setInterval(() => void exposure.getChildren(), 500);
    try {
      await hardened;
    } finally {
      clearInterval(poll);
    }
  });
});
