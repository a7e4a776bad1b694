// Every quick-fix kind, applied with workspace.applyEdit (or the editor's own save participants),
// saved, and checked on disk byte for byte. The GptTmpl.inf fixture is UTF-16LE + BOM + CRLF: VS
// Code detects the BOM (whatever files.encoding says; the workspace sets utf8 and no auto-guess),
// keeps UTF-16LE + BOM and CRLF on save, and only the fixed span may change.
'use strict';
const assert = require('assert');
const fs = require('fs');
const h = require('./helpers');
const { vscode, catalog, PATHS } = h;

const SERVER_REQUIRE = 'smb.server.require';
const CLIENT_REQUIRE = 'smb.client.require';
const QUICKFIX = vscode.CodeActionKind.QuickFix;
const SERVER_LINE = 'LanManServer\\Parameters\\RequireSecuritySignature=';

/** Open a private copy, wait for `code`, return { uri, doc, original bytes, diagnostic }. */
async function prepare(rel, tag, code, lineNeedle) {
  const uri = h.copyFixture(rel, tag);
  const original = fs.readFileSync(uri.fsPath);
  const doc = await h.open(uri);
  const line = lineNeedle ? h.rangeOf(doc, lineNeedle, lineNeedle).start.line : undefined;
  const diags = await h.waitForDiagnostics(uri, h.hasCode(code, line), code);
  const diag = diags.find((d) => h.codeOf(d) === code && (line === undefined || d.range.start.line === line));
  return { uri, doc, original, diag };
}

async function quickFixes(uri, diag) {
  const actions = await h.codeActions(uri, diag.range, QUICKFIX.value);
  return actions.filter((a) => a.kind && QUICKFIX.contains(a.kind));
}

/**
 * Quick fixes once `predicate` holds for them. A settings change makes the server refresh its
 * diagnostics (and recompute the workspace's domain model); while VS Code re-pulls them the range
 * can briefly have no diagnostic, so the light bulb is empty. Wait for the refresh to settle.
 */
async function quickFixesWhen(uri, diag, predicate, ms = 15000) {
  const end = Date.now() + ms;
  let actions = [];
  for (;;) {
    actions = await quickFixes(uri, diag);
    if (predicate(actions) || Date.now() > end) return actions;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function titles(actions) {
  return actions.map((a) => `"${a.title}"${a.isPreferred ? ' (preferred)' : ''}`).join(', ');
}

/** Apply offset edits ({start, end, newText}, offsets into the original text) to a UTF-16LE + BOM file and re-encode it. */
function expectedUtf16(original, edits) {
  let text = h.decodeUtf16(original);
  for (const e of [...edits].sort((a, b) => b.start - a.start)) text = text.slice(0, e.start) + e.newText + text.slice(e.end);
  return h.encodeUtf16(text);
}

/** The TextEdits a WorkspaceEdit makes to `uri`. */
function editsFor(wsEdit, uri) {
  return wsEdit.entries().filter(([u]) => u.toString() === uri.toString()).flatMap(([, e]) => e);
}

function setLine(text, lineIndex, newLine) {
  const ls = h.lines(text);
  ls[lineIndex] = newLine;
  return ls.join('\r\n');
}

async function checkUtf16OnDisk(uri, expected, what) {
  const bytes = fs.readFileSync(uri.fsPath);
  h.assertBytes(bytes, expected, what);
  h.assertCrlf(h.decodeUtf16(bytes), what);
}

suite('quick fixes', () => {
  test('preferred value fix on the UTF-16LE + BOM + CRLF GptTmpl.inf: only "4,0" → "4,1" changes on disk', async () => {
    const { uri, doc, original, diag } = await prepare(PATHS.inf, 'preferred-inf', SERVER_REQUIRE, SERVER_LINE);
    const fixTitle = catalog.rule(SERVER_REQUIRE).fixes.find((f) => f.preferred).title;
    const actions = await quickFixes(uri, diag);
    const fix = actions.find((a) => a.isPreferred);
    assert.ok(fix, `no preferred quick fix; offered: ${titles(actions)}`);
    assert.ok(fix.title.includes(fixTitle), `fix title "${fix.title}" should contain the catalog's "${fixTitle}"`);
    await h.apply(fix);
    assert.strictEqual(doc.lineAt(diag.range.start.line).text.endsWith('=4,1'), true, 'buffer shows 4,1');
    await h.save(doc);
    const text = h.decodeUtf16(original);
    const line = diag.range.start.line;
    const expected = h.encodeUtf16(setLine(text, line, h.lines(text)[line].replace(/=4,0$/, '=4,1')));
    await checkUtf16OnDisk(uri, expected, 'GptTmpl.inf after the preferred fix');
    assert.strictEqual(doc.eol, vscode.EndOfLine.CRLF);
    if ('encoding' in doc) assert.strictEqual(doc.encoding, 'utf16le', 'VS Code keeps the document in utf16le');
    await h.waitForDiagnostics(uri, h.lacksCode(SERVER_REQUIRE, line), `${SERVER_REQUIRE} to clear after the fix`);
  });

  test('preferred value fix in .reg writes dword:00000001 (UTF-8, CRLF kept)', async () => {
    const { uri, doc, original, diag } = await prepare(PATHS.reg, 'preferred-reg', SERVER_REQUIRE, '"RequireSecuritySignature"=');
    const fix = (await quickFixes(uri, diag)).find((a) => a.isPreferred);
    assert.ok(fix, 'no preferred quick fix');
    await h.apply(fix);
    await h.save(doc);
    const expected = Buffer.from(
      original.toString('utf8').replace('"RequireSecuritySignature"=dword:00000000', '"RequireSecuritySignature"=dword:00000001'),
      'utf8',
    );
    h.assertBytes(fs.readFileSync(uri.fsPath), expected, 'weak.reg after the preferred fix');
    await h.waitForDiagnostics(uri, h.lacksCode(SERVER_REQUIRE), `${SERVER_REQUIRE} to clear`);
  });

  test('preferred value fix in GPP Registry.xml writes value="00000001"', async () => {
    const { uri, doc, original, diag } = await prepare(PATHS.gpp, 'preferred-gpp', SERVER_REQUIRE);
    const fix = (await quickFixes(uri, diag)).find((a) => a.isPreferred);
    assert.ok(fix, 'no preferred quick fix');
    await h.apply(fix);
    await h.save(doc);
    const expected = Buffer.from(original.toString('utf8').replace('type="REG_DWORD" value="00000000"', 'type="REG_DWORD" value="00000001"'), 'utf8');
    h.assertBytes(fs.readFileSync(uri.fsPath), expected, 'Registry.xml after the preferred fix');
    await h.waitForDiagnostics(uri, h.lacksCode(SERVER_REQUIRE), `${SERVER_REQUIRE} to clear`);
  });

  test('staged rollout choice for SMB client signing ("if server agrees" first) writes the paired value', async () => {
    const rule = catalog.rule(CLIENT_REQUIRE);
    const staged = rule.fixes.find((f) => !f.preferred);
    assert.ok(staged, `${CLIENT_REQUIRE} has no staged (non-preferred) fix choice in the catalog`);
    const { uri, doc, original, diag } = await prepare(PATHS.inf, 'staged', CLIENT_REQUIRE, 'LanmanWorkstation\\Parameters\\RequireSecuritySignature=');
    const actions = await quickFixes(uri, diag);
    assert.ok(actions.some((a) => a.isPreferred), `no preferred choice; offered: ${titles(actions)}`);
    const fix = actions.find((a) => a.title.includes(staged.title));
    assert.ok(fix, `no quick fix titled like "${staged.title}"; offered: ${titles(actions)}`);
    assert.ok(!fix.isPreferred, 'the staged choice must not be the preferred fix');
    await h.apply(fix);
    await h.save(doc);
    // The staged choice writes the target rule's value (EnableSecuritySignature of the client) on its own line.
    const target = staged.target ? catalog.rule(staged.target).locations[0] : rule.locations[0];
    const text = h.decodeUtf16(original);
    const idx = h.lines(text).findIndex((l) => l.toLowerCase().includes(`${target.key}\\${target.name}=`.toLowerCase()));
    assert.ok(idx >= 0, `fixture has no ${target.key}\\${target.name} line`);
    const expected = h.encodeUtf16(setLine(text, idx, h.lines(text)[idx].replace(/=4,\d+$/, `=4,${staged.value}`)));
    await checkUtf16OnDisk(uri, expected, 'GptTmpl.inf after the staged fix');
  });

  test('disable-with-reason fix: inserts the marker, the user types the reason, the finding is suppressed', async () => {
    const REASON = 'legacy NAS, ticket 1234';
    const { uri, doc, original, diag } = await prepare(PATHS.inf, 'suppress', SERVER_REQUIRE, SERVER_LINE);
    const actions = await quickFixes(uri, diag);
    const fix = actions.find((a) => /disable|suppress/i.test(a.title) && a.title.includes(SERVER_REQUIRE));
    assert.ok(fix, `no "disable ${SERVER_REQUIRE}" quick fix; offered: ${titles(actions)}`);
    assert.ok(!fix.isPreferred, 'a suppression must never be the preferred fix');
    await h.apply(fix);
    const line = diag.range.start.line;
    const marker = doc.lineAt(line).text;
    assert.match(marker, /^;\s*relaylint-disable-next-line smb\.server\.require --/, `inserted line: ${marker}`);
    // Without a reason it suppresses nothing and is itself flagged.
    await h.waitForDiagnostics(uri, h.hasCode('suppression.reason', line), 'suppression.reason on the marker without a reason');
    // The user types the reason after the marker, then saves.
    const typed = new vscode.WorkspaceEdit();
    typed.insert(uri, doc.lineAt(line).range.end, (marker.endsWith(' ') ? '' : ' ') + REASON);
    assert.ok(await vscode.workspace.applyEdit(typed));
    await h.save(doc);
    const before = h.lines(h.decodeUtf16(original));
    const expectedLines = [...before.slice(0, line), `; relaylint-disable-next-line ${SERVER_REQUIRE} -- ${REASON}`, ...before.slice(line)];
    await checkUtf16OnDisk(uri, h.encodeUtf16(expectedLines.join('\r\n')), 'GptTmpl.inf after the suppression');
    await h.waitForDiagnostics(
      uri,
      (ds) => h.lacksCode(SERVER_REQUIRE)(ds) && h.lacksCode('suppression.reason')(ds),
      `${SERVER_REQUIRE} suppressed and no suppression.reason left`,
    );
  });

  /** A fix is safe when the value it writes only audits or negotiates (the catalog's `stage`). */
  function isSafe(ruleId, title) {
    let r;
    try {
      r = catalog.rule(ruleId);
    } catch {
      return false;
    }
    const choice = (r.fixes || []).find((f) => f.title === title);
    const stage = (choice && choice.stage) || r.stage || 'enforce';
    return stage === 'audit' || stage === 'negotiate';
  }

  /**
   * What "fix all" must write: the union of every finding's own preferred fix (only the safe ones
   * unless relaylint.fix.unsafe is on), as offsets into the unedited buffer (taken before anything
   * is applied).
   */
  async function preferredUnion(uri, doc, { safeOnly = false } = {}) {
    const edits = [];
    for (const d of h.ours(uri)) {
      const fix = (await quickFixes(uri, d)).find((a) => a.isPreferred);
      if (fix && safeOnly && !isSafe(h.codeOf(d), fix.title)) continue;
      if (fix && fix.edit) {
        for (const e of editsFor(fix.edit, uri)) edits.push({ start: doc.offsetAt(e.range.start), end: doc.offsetAt(e.range.end), newText: e.newText });
      }
    }
    const seen = new Set();
    return edits.filter((e) => {
      const k = `${e.start}:${e.end}:${e.newText}`;
      return !seen.has(k) && seen.add(k);
    });
  }

  async function checkFixedAll(uri, doc, original, union, what, { enforced = true } = {}) {
    const expected = expectedUtf16(original, union);
    const actual = fs.readFileSync(uri.fsPath);
    if (!actual.equals(expected)) {
      console.log(`--- ${what}: expected ---\n${h.decodeUtf16(expected)}--- actual ---\n${h.decodeUtf16(actual)}---`);
    }
    await checkUtf16OnDisk(uri, expected, what);
    const text = h.decodeUtf16(fs.readFileSync(uri.fsPath));
    if (enforced) {
      assert.ok(text.includes(`${SERVER_LINE}4,1`), `${what}: server signing not required`);
      await h.waitForDiagnostics(uri, h.lacksCode(SERVER_REQUIRE), `${SERVER_REQUIRE} to clear`);
    } else {
      // the enforcing fix is not applied in bulk: the finding stays, for a one-by-one decision
      assert.ok(text.includes(`${SERVER_LINE}4,0`), `${what}: an unsafe fix was applied`);
      await h.waitForDiagnostics(uri, h.hasCode(SERVER_REQUIRE), `${SERVER_REQUIRE} to stay`);
    }
  }

  /** Run `fn` with relaylint.fix.unsafe on (the opt-in for enforcing fixes in bulk). */
  async function withUnsafe(fn) {
    const cfg = () => vscode.workspace.getConfiguration('relaylint');
    await cfg().update('fix.unsafe', true, vscode.ConfigurationTarget.Workspace);
    try {
      await h.waitForLog(/setting changed: relaylint\.fix\.unsafe = true/, 'relaylint.fix.unsafe on');
      await fn();
    } finally {
      await cfg().update('fix.unsafe', undefined, vscode.ConfigurationTarget.Workspace);
    }
  }

  test('"fix all" applies only the safe fixes by default (the enforcing ones stay one-by-one choices)', async () => {
    const { uri, doc, original, diag } = await prepare(PATHS.inf, 'fix-all-safe', SERVER_REQUIRE, SERVER_LINE);
    const union = await preferredUnion(uri, doc, { safeOnly: true });
    assert.ok(union.length >= 1, 'the fixture has a safe fix (the "if server agrees" step)');
    const actions = await quickFixes(uri, diag);
    const fix = actions.find((a) => /fix all/i.test(a.title));
    assert.ok(fix, `no "fix all" quick fix; offered: ${titles(actions)}`);
    await h.apply(fix);
    await h.save(doc);
    await checkFixedAll(uri, doc, original, union, 'GptTmpl.inf after a safe fix all', { enforced: false });
  });

  test('"fix all relaylint issues in this file" with relaylint.fix.unsafe applies every preferred fix', async () => {
    const { uri, doc, original, diag } = await prepare(PATHS.inf, 'fix-all', SERVER_REQUIRE, SERVER_LINE);
    const union = await preferredUnion(uri, doc);
    assert.ok(union.length >= 1);
    await withUnsafe(async () => {
      const actions = await quickFixesWhen(uri, diag, (list) => list.some((a) => /fix all/i.test(a.title)));
      const fix = actions.find((a) => /fix all/i.test(a.title));
      assert.ok(fix, `no "fix all" quick fix; offered: ${titles(actions)}`);
      await h.apply(fix);
      await h.save(doc);
    });
    await checkFixedAll(uri, doc, original, union, 'GptTmpl.inf after fix all');
  });

  test('source.fixAll.relaylint (code action kind) with relaylint.fix.unsafe applies every preferred fix', async () => {
    const { uri, doc, original } = await prepare(PATHS.inf, 'source-fix-all', SERVER_REQUIRE, SERVER_LINE);
    const union = await preferredUnion(uri, doc);
    const whole = new vscode.Range(0, 0, doc.lineCount, 0);
    await withUnsafe(async () => {
      const actions = await h.codeActions(uri, whole, 'source.fixAll.relaylint');
      const fix = actions.find((a) => a.kind && a.kind.value === 'source.fixAll.relaylint');
      assert.ok(fix, `no source.fixAll.relaylint action; got: ${actions.map((a) => a.kind && a.kind.value).join(', ')}`);
      await h.apply(fix);
      await h.save(doc);
    });
    await checkFixedAll(uri, doc, original, union, 'GptTmpl.inf after source.fixAll.relaylint');
  });

  test('fix on save: editor.codeActionsOnSave {"source.fixAll.relaylint": "explicit"} applies the safe fixes', async () => {
    const { uri, doc, original } = await prepare(PATHS.inf, 'fix-on-save', SERVER_REQUIRE, SERVER_LINE);
    // What the individual safe preferred fixes would write, taken before the configuration changes (a
    // configuration change makes the server refresh its diagnostics).
    const union = await preferredUnion(uri, doc, { safeOnly: true });
    const cfg = vscode.workspace.getConfiguration('editor', { languageId: 'secedit-inf' });
    await cfg.update('codeActionsOnSave', { 'source.fixAll.relaylint': 'explicit' }, vscode.ConfigurationTarget.Workspace, true);
    try {
      await vscode.window.showTextDocument(doc);
      // An explicit save of the clean file runs the save participants (as Ctrl+S does).
      await vscode.commands.executeCommand('workbench.action.files.save');
      await checkFixedAll(uri, doc, original, union, 'GptTmpl.inf after fix on save', { enforced: false });
    } finally {
      await cfg.update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace, true);
    }
  });
});
