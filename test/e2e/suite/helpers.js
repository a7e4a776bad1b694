// Helpers for the harness tests (run inside the real extension host, with the real `vscode` API).
'use strict';
const assert = require('assert');
const fs = require('fs');
const path = require('path');
const vscode = require('vscode');
const catalog = require('../lib/catalog.cjs');

const EXTENSION_ID = 'relaylint.relaylint';
const SOURCE = 'relaylint';
const GPO = '{5D3F9A2B-7C41-4E8A-B6D2-0F1E2A3B4C5D}';
const PATHS = {
  inf: 'GptTmpl.inf',
  reg: 'weak.reg',
  gpp: `GPO/${GPO}/DomainSysvol/GPO/Machine/Preferences/Registry/Registry.xml`,
  report: `GPO/${GPO}/gpreport.xml`,
  pol: `GPO/${GPO}/DomainSysvol/GPO/Machine/registry.pol`,
  real: 'real/goad-north-A98BEB12/GptTmpl.inf',
};
// Safety nets only (the waits resolve on events, typically within 100–600 ms). The first wait also
// covers the language server's start; once the server has published anything, a wait that has not
// resolved within WAIT_MS means the behaviour is missing, and a broken build fails fast.
const FIRST_WAIT_MS = 30000;
const WAIT_MS = Number(process.env.E2E_WAIT_MS || 6000);
let warm = false;
vscode.languages.onDidChangeDiagnostics((e) => {
  if (!warm && e.uris.some((u) => vscode.languages.getDiagnostics(u).some((d) => d.source === SOURCE))) warm = true;
});

function wsRoot() {
  const f = vscode.workspace.workspaceFolders;
  assert.ok(f && f.length, 'the harness must run with the fixture workspace open');
  return f[0].uri.fsPath;
}

function uriOf(rel) {
  return vscode.Uri.file(path.join(wsRoot(), rel));
}

/**
 * A private copy of a fixture for a test that edits and saves (byte-identical, same file name, own
 * folder, inside the workspace so workspace settings apply).
 */
let copies = 0;
function copyFixture(rel, tag) {
  const dest = path.join(wsRoot(), 'scratch', `${++copies}-${tag}`, path.basename(rel));
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  fs.copyFileSync(path.join(wsRoot(), rel), dest);
  return vscode.Uri.file(dest);
}

async function open(uriOrRel) {
  const uri = typeof uriOrRel === 'string' ? uriOf(uriOrRel) : uriOrRel;
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

function ours(uri) {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE);
}

function codeOf(d) {
  return d.code && typeof d.code === 'object' ? String(d.code.value) : String(d.code);
}

function describe(diags) {
  return diags.map((d) => `${codeOf(d)}@${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}`).join(', ') || '(none)';
}

/**
 * Resolve with relaylint's diagnostics for `uri` once `predicate(diags)` holds. Checks the current
 * state, then re-checks on every `onDidChangeDiagnostics` for that uri: no sleeps. The timer only
 * turns a hang into a readable failure.
 */
function waitForDiagnostics(uri, predicate, what, ms = warm ? WAIT_MS : FIRST_WAIT_MS) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const d = ours(uri);
      if (predicate(d)) {
        warm = true;
        sub.dispose();
        clearTimeout(timer);
        resolve(d);
        return true;
      }
      return false;
    };
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) check();
    });
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${ms} ms waiting for ${what} on ${path.basename(uri.fsPath)}; relaylint diagnostics: ${describe(ours(uri))}`));
    }, ms);
    check();
  });
}

const hasCode = (code, line) => (diags) => diags.some((d) => codeOf(d) === code && (line === undefined || d.range.start.line === line));
const lacksCode = (code, line) => (diags) => !hasCode(code, line)(diags);

/** The range of `needle` on the first line of `doc` that contains `lineNeedle` (and `needle` after it). */
function rangeOf(doc, lineNeedle, needle, occurrence = 'last') {
  for (let i = 0; i < doc.lineCount; i++) {
    const text = doc.lineAt(i).text;
    if (!text.includes(lineNeedle)) continue;
    const at = occurrence === 'last' ? text.lastIndexOf(needle) : text.indexOf(needle);
    assert.ok(at >= 0, `"${needle}" not on line ${i}: ${text}`);
    return new vscode.Range(i, at, i, at + needle.length);
  }
  throw new Error(`no line contains ${lineNeedle}`);
}

function fmtRange(r) {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

function assertRange(actual, expected, what) {
  assert.strictEqual(fmtRange(actual), fmtRange(expected), `${what}: range`);
}

async function hoverText(uri, position) {
  const hovers = (await vscode.commands.executeCommand('vscode.executeHoverProvider', uri, position)) || [];
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : c.value))
    .join('\n\n');
}

/**
 * The code actions, resolved as the editor resolves the one the user picks (fix-all's edit is
 * computed lazily). A request the editor cancels (the server's diagnostics or settings changed while
 * it ran: seen once in CI right after relaylint.fix.unsafe was set) is asked again, as the editor
 * asks again; any other error fails the test.
 */
async function codeActions(uri, range, kind) {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind, 1000)) || [];
    } catch (e) {
      if (attempt >= 5 || !/^Canceled$/.test(String((e && e.message) || e))) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Apply a code action the way the editor does: its edit, then its command. */
async function apply(action) {
  if (action.edit) assert.ok(await vscode.workspace.applyEdit(action.edit), `workspace.applyEdit refused "${action.title}"`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments || []));
}

async function save(doc) {
  assert.ok(doc.isDirty, 'the fix did not change the buffer');
  assert.ok(await doc.save(), 'document.save() failed');
  assert.ok(!doc.isDirty, 'still dirty after save');
}

// ---- bytes on disk -------------------------------------------------------------------------------
const BOM16 = Buffer.from([0xff, 0xfe]);

/** Decode a UTF-16LE + BOM file; asserts the BOM. */
function decodeUtf16(bytes) {
  assert.ok(bytes.subarray(0, 2).equals(BOM16), 'UTF-16LE BOM (FF FE) missing');
  assert.strictEqual(bytes.length % 2, 0, 'odd byte count for UTF-16LE');
  return bytes.subarray(2).toString('utf16le');
}

function encodeUtf16(text) {
  return Buffer.concat([BOM16, Buffer.from(text, 'utf16le')]);
}

/** Byte-for-byte comparison with a readable first difference. */
function assertBytes(actual, expected, what) {
  if (actual.equals(expected)) return;
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  const hex = (b) => b.subarray(Math.max(0, i - 8), i + 24).toString('hex').replace(/(..)/g, '$1 ');
  assert.fail(
    `${what}: bytes differ at offset ${i} (actual ${actual.length} bytes, expected ${expected.length})\n` +
      `  actual:   ${hex(actual)}\n  expected: ${hex(expected)}`,
  );
}

/** Every line ends in CRLF, no bare LF or CR. */
function assertCrlf(text, what) {
  const bare = text.replace(/\r\n/g, '').search(/[\r\n]/);
  assert.strictEqual(bare, -1, `${what}: a bare line break at char ${bare}`);
}

function lines(text) {
  return text.split('\r\n');
}

// ---- the relaylint output channel (its log file, as VS Code writes it) -------------------------------
function findFiles(dir, name, out = []) {
  let entries = [];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) findFiles(p, name, out);
    else if (e.name === name) out.push(p);
  }
  return out;
}

/** The text of the relaylint output channel of this window (the newest `relaylint.log` in the profile's logs). */
function outputLog() {
  const logs = process.env.RELAYLINT_E2E_LOGS;
  assert.ok(logs, 'RELAYLINT_E2E_LOGS is not set (the code-server driver sets it to the profile logs folder)');
  const files = findFiles(logs, 'relaylint.log').filter((f) => f.includes(`${path.sep}${EXTENSION_ID}${path.sep}`) || f.includes('relaylint'));
  if (!files.length) return '';
  files.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
  return fs.readFileSync(files[0], 'utf8');
}

/**
 * Resolve with the output log once `predicate(text)` holds (a RegExp or a function). The channel is
 * written to disk asynchronously, so this polls the file (every 50 ms, bounded), never the UI.
 */
async function waitForLog(predicate, what, ms = 10000) {
  const ok = typeof predicate === 'function' ? predicate : (t) => predicate.test(t);
  const deadline = Date.now() + ms;
  let text = outputLog();
  while (!ok(text)) {
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what} in the relaylint output channel; it has:\n${text || '(no log file)'}`);
    await new Promise((r) => setTimeout(r, 50));
    text = outputLog();
  }
  return text;
}

function countMatches(text, re) {
  return (text.match(new RegExp(re.source, 'g')) || []).length;
}

/** Resolve once `predicate()` holds, re-checking on every tab change (no sleeps). */
function waitForTabs(predicate, what, ms = 10000) {
  return new Promise((resolve, reject) => {
    const check = () => {
      const r = predicate(vscode.window.tabGroups.all.flatMap((g) => g.tabs));
      if (r) {
        sub.dispose();
        clearTimeout(timer);
        resolve(r);
      }
    };
    const sub = vscode.window.tabGroups.onDidChangeTabs(check);
    const timer = setTimeout(() => {
      sub.dispose();
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).map((t) => `${t.label} [${t.input && t.input.constructor ? t.input.constructor.name : '?'}${t.input && t.input.viewType ? ' ' + t.input.viewType : ''}${t.input && t.input.uri ? ' ' + t.input.uri.toString() : ''}]`);
      reject(new Error(`timed out after ${ms} ms waiting for ${what}; tabs: ${tabs.join(', ') || '(none)'}`));
    }, ms);
    check();
  });
}

module.exports = {
  outputLog,
  waitForLog,
  countMatches,
  waitForTabs,
  vscode,
  catalog,
  EXTENSION_ID,
  SOURCE,
  PATHS,
  wsRoot,
  uriOf,
  copyFixture,
  open,
  ours,
  codeOf,
  describe,
  waitForDiagnostics,
  hasCode,
  lacksCode,
  rangeOf,
  fmtRange,
  assertRange,
  hoverText,
  codeActions,
  apply,
  save,
  decodeUtf16,
  encodeUtf16,
  assertBytes,
  assertCrlf,
  lines,
};
