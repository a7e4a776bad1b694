#!/usr/bin/env node
// Language-server and extension figures for `npm run bench` (called through the hooks in
// scripts/bench-lib.mjs). Also runnable on its own, without the CLI part of the bench:
//
//   node scripts/bench-lsp.mjs [diagnostics|hover|codeAction|memory|activation|all]...
//                              [--activation auto|a|b] [--reps N]
//
// It prints the metrics as JSON. The fixtures must exist (bench/out/fixtures/, written by
// scripts/bench.mjs; this script writes them too when run on its own).
//
// How each figure is taken (details in bench/README.md):
// - The server is the bundle `server/out/server.js --stdio`, spawned from this process and driven
//   over real JSON-RPC (vscode-languageserver-protocol, the library VS Code's client uses). The
//   client declares the same capabilities as VS Code: pull diagnostics, incremental sync,
//   workspace/configuration.
// - Latencies are wall times in this process, from just before the first message is written to
//   the moment the response is parsed (performance.now()). Percentiles are nearest-rank.
// - Memory: the server is started with --expose-gc and a one-line preload that runs gc() twice on
//   SIGUSR2 and reports process.memoryUsage() on stderr; RSS is read from /proc/<pid>/status VmRSS
//   after that (memoryUsage().rss where /proc does not exist).
// - Activation: option A (real VS Code: code-server 4.100.3 from .e2e/, used read-only, with VS
//   Code's extension-test harness) when it is installed, else option B (Node, stub `vscode`).
//
// Plain Node 20 ESM. Uses vscode-languageserver-protocol from node_modules (a devDependency) and,
// for option A only, the code-server / playwright-core / chromium that `npm run test:e2e` installs.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

// Repetitions. Each figure is the distribution of `reps` samples taken after `warmup` unmeasured
// ones (JIT, caches). Chosen so p95 rests on at least 5 samples above it.
export const REPS = {
  diagGpreport: { warmup: 10, reps: 100 },
  diagGptTmpl: { warmup: 20, reps: 300 },
  hover: { warmup: 50, reps: 500 },
  codeAction: { warmup: 30, reps: 300 },
  activationA: { warmup: 1, reps: 7 },
  activationB: { warmup: 2, reps: 15 },
};
export const OPEN_DOCS = 200;

// ---------------------------------------------------------------------------------------------
// Statistics

/** Nearest-rank percentile of an unsorted array (p in 0..100). */
export function percentile(samples, p) {
  if (!samples.length) return null;
  const s = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1];
}

export function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), min: s[0] ?? null, max: s[s.length - 1] ?? null, mean };
}

const r2 = (n) => (n === null || n === undefined ? n : Math.round(n * 100) / 100);
const roundSummary = (s) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, k === 'n' ? v : r2(v)]));

// ---------------------------------------------------------------------------------------------
// A small LSP client over stdio

/** Text as VS Code shows it: BOM removed, UTF-16LE or UTF-8 decoded. */
export function decodeText(bytes) {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  return bytes.toString('utf8');
}

/** The language id VS Code gives a file (package.json contributes `secedit-inf` and `reg`). */
function languageIdOf(file) {
  const base = path.basename(file).toLowerCase();
  if (base.endsWith('.inf')) return 'secedit-inf';
  if (base.endsWith('.reg')) return 'reg';
  return 'xml';
}

// Run gc() twice on SIGUSR2, then report memoryUsage() on stderr (stdout is the LSP transport).
const GC_PRELOAD = 'data:text/javascript,' + encodeURIComponent(
  'process.on("SIGUSR2",()=>{globalThis.gc();setTimeout(()=>{globalThis.gc();process.stderr.write("RELAYLINT-BENCH-MEM "+JSON.stringify(process.memoryUsage())+"\\n")},50)});',
);

export class LspSession {
  static async start(serverModule, { exposeGc = false, folder = path.join(ROOT, 'bench', 'out', 'fixtures'), nodeArgs: extraArgs = [], settings = {} } = {}) {
    if (!fs.existsSync(serverModule)) throw new Error(`${path.relative(ROOT, serverModule)} is missing: run npm run build first`);
    const rpc = require('vscode-languageserver-protocol/node');
    const nodeArgs = [...(exposeGc ? ['--expose-gc', '--import', GC_PRELOAD] : []), ...extraArgs];
    const proc = spawn(process.execPath, [...nodeArgs, serverModule, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
    const s = new LspSession(proc, conn);
    proc.stderr.on('data', (d) => s.onStderr(String(d)));
    proc.on('exit', (code, signal) => { s.exited = { code, signal }; });
    conn.onRequest('workspace/configuration', (p) => p.items.map((i) => (i.section === 'relaylint' ? settings : null)));
    conn.onRequest('client/registerCapability', () => null);
    conn.onRequest('workspace/diagnostic/refresh', () => null);
    conn.onNotification('window/logMessage', (p) => {
      if (p.type === 1) s.errors.push(p.message);
      else s.logs.push(p.message);
    });
    conn.onNotification('relaylint/domainChanged', () => { s.domainChanges++; for (const w of s.domainWaiters.splice(0)) w(); });
    conn.onNotification('textDocument/publishDiagnostics', () => { s.pushed++; });
    conn.listen();
    const folderUri = pathToFileURL(folder).href;
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: folderUri,
      workspaceFolders: [{ uri: folderUri, name: path.basename(folder) }],
      initializationOptions: {},
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true }, diagnostics: { refreshSupport: true } },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: true },
          diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false },
          publishDiagnostics: { relatedInformation: true, versionSupport: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, isPreferredSupport: true },
          completion: { completionItem: { snippetSupport: false, labelDetailsSupport: true } },
        },
      },
    });
    conn.sendNotification('initialized', {});
    return s;
  }

  constructor(proc, conn) {
    this.proc = proc;
    this.conn = conn;
    this.errors = [];
    this.logs = [];
    this.domainChanges = 0;
    this.domainWaiters = [];
    this.pushed = 0;
    this.exited = null;
    this.versions = new Map();
    this.stderr = '';
    this.memWaiters = [];
  }

  onStderr(chunk) {
    this.stderr = (this.stderr + chunk).slice(-65536);
    let m;
    const re = /RELAYLINT-BENCH-MEM (\{.*\})\n/g;
    while ((m = re.exec(this.stderr))) {
      const mem = JSON.parse(m[1]);
      for (const w of this.memWaiters.splice(0)) w(mem);
    }
    this.stderr = this.stderr.replace(/RELAYLINT-BENCH-MEM \{.*\}\n/g, '');
  }

  get pid() { return this.proc.pid; }

  open(uri, languageId, text) {
    this.versions.set(uri, 1);
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  }

  /** An incremental change, as VS Code sends it for a keystroke. Returns the new version. */
  change(uri, range, text) {
    const version = this.versions.get(uri) + 1;
    this.versions.set(uri, version);
    this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
    return version;
  }

  close(uri) {
    this.versions.delete(uri);
    return this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async diagnostics(uri) {
    const r = await this.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
    if (r?.kind !== 'full') throw new Error(`expected a full diagnostic report for ${uri}, got ${JSON.stringify(r)?.slice(0, 200)}`);
    return r.items;
  }

  /** Resolves at the next `relaylint/domainChanged` (the workspace model's pass is done), or at once when one came already and `sinceCount` is below the count. */
  domainChanged(sinceCount = this.domainChanges, timeoutMs = 600_000) {
    if (this.domainChanges > sinceCount) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no relaylint/domainChanged within ${timeoutMs / 1000} s`)), timeoutMs);
      this.domainWaiters.push(() => { clearTimeout(t); resolve(); });
    });
  }

  hover(uri, position) { return this.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position }); }

  codeActions(uri, range, diagnostics) {
    return this.conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, triggerKind: 1 } });
  }

  /** Force two GCs in the server (needs exposeGc), then read its RSS. */
  async settledMemory() {
    const mem = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the server did not report its memory within 10 s')), 10_000);
      this.memWaiters.push((m) => { clearTimeout(t); resolve(m); });
    });
    this.proc.kill('SIGUSR2');
    const usage = await mem;
    await sleep(200);
    let rssBytes = usage.rss, source = 'process.memoryUsage().rss';
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${this.proc.pid}/status`, 'utf8'));
      if (m) { rssBytes = Number(m[1]) * 1024; source = '/proc/<pid>/status VmRSS'; }
    } catch { /* not Linux */ }
    return { rssBytes, source, heapUsed: usage.heapUsed, heapTotal: usage.heapTotal, external: usage.external, arrayBuffers: usage.arrayBuffers };
  }

  assertHealthy(what) {
    if (this.exited) throw new Error(`the language server exited during ${what} (${JSON.stringify(this.exited)}); stderr: ${this.stderr.slice(-2000)}`);
    if (this.errors.length) throw new Error(`the language server logged errors during ${what}: ${this.errors.slice(0, 3).join(' | ').slice(0, 2000)}`);
  }

  async stop() {
    try {
      if (!this.exited) {
        await Promise.race([this.conn.sendRequest('shutdown'), raceTimer(2000)]);
        this.conn.sendNotification('exit');
      }
    } catch { /* already gone */ }
    if (!this.exited) {
      await Promise.race([new Promise((r) => this.proc.once('exit', r)), raceTimer(2000)]);
      if (!this.exited) this.proc.kill('SIGKILL');
    }
    this.conn.dispose();
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
/** For the losing side of a Promise.race: does not keep the process alive once everything else is done. */
const raceTimer = (ms) => new Promise((r) => setTimeout(r, ms).unref());
const tick = () => new Promise((r) => setImmediate(r));
const codeOf = (d) => (typeof d.code === 'object' && d.code !== null ? d.code.value : d.code);

// ---------------------------------------------------------------------------------------------
// Fixtures: where to edit, hover and ask for code actions

/**
 * The value to toggle in each fixture: the LanManServer RequireSecuritySignature value (rule
 * smb.server.require). '1' is hardened, '0' is a finding, so each edit changes the findings.
 */
export function editSite(text, kind) {
  const lines = text.split(/\r?\n/);
  if (kind === 'inf') {
    const line = lines.findIndex((l) => /^MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,[01]\s*$/i.test(l));
    if (line < 0) throw new Error('GptTmpl-500.inf has no LanManServer RequireSecuritySignature=4,0|1 line');
    const character = lines[line].trimEnd().length - 1;
    return { line, character, value: lines[line][character] };
  }
  const key = lines.findIndex((l) => /<q1:KeyName>MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature<\/q1:KeyName>/i.test(l));
  if (key < 0) throw new Error('gpreport-1mb.xml has no LanManServer RequireSecuritySignature KeyName');
  const line = key + 1;
  const m = /<q1:SettingNumber>([01])<\/q1:SettingNumber>/.exec(lines[line]);
  if (!m) throw new Error(`gpreport-1mb.xml: no SettingNumber 0|1 after the KeyName on line ${key + 1}`);
  const character = m.index + '<q1:SettingNumber>'.length;
  return { line, character, value: m[1] };
}

/**
 * The hover / code-action target: the LanmanWorkstation RequireSecuritySignature value (rule
 * smb.client.require), a known setting with a finding in both fixtures (it is 0 in both).
 */
export function hoverSite(text, kind) {
  const lines = text.split(/\r?\n/);
  if (kind === 'inf') {
    const line = lines.findIndex((l) => /^MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature=/i.test(l));
    if (line < 0) throw new Error('GptTmpl-500.inf has no LanmanWorkstation RequireSecuritySignature line');
    return { line, character: lines[line].trimEnd().length - 1 };
  }
  const key = lines.findIndex((l) => /<q1:KeyName>MACHINE\\System\\CurrentControlSet\\Services\\LanmanWorkstation\\Parameters\\RequireSecuritySignature<\/q1:KeyName>/i.test(l));
  if (key < 0) throw new Error('gpreport-1mb.xml has no LanmanWorkstation RequireSecuritySignature KeyName');
  const m = /<q1:SettingNumber>(\d+)<\/q1:SettingNumber>/.exec(lines[key + 1]);
  if (!m) throw new Error('gpreport-1mb.xml: no SettingNumber after the LanmanWorkstation KeyName');
  return { line: key + 1, character: m.index + '<q1:SettingNumber>'.length };
}

function fixtureDocs(ctx) {
  const f = ctx.fixtures;
  const mk = (file, kind, label) => {
    const text = decodeText(fs.readFileSync(file));
    return { file, kind, label, uri: pathToFileURL(file).href, languageId: languageIdOf(file), text };
  };
  return {
    gpreport: mk(f.gpreport1mb, 'xml', `1 MB gpreport.xml (${(fs.statSync(f.gpreport1mb).size / 1e6).toFixed(2)} MB)`),
    gptTmpl: mk(f.gptTmpl500, 'inf', `${f.gptTmpl500Lines ?? 500}-line GptTmpl.inf`),
  };
}

// ---------------------------------------------------------------------------------------------
// 1. Change -> fresh diagnostics

async function diagLatencyFor(session, doc, { warmup, reps }) {
  const site = editSite(doc.text, doc.kind);
  const range = { start: { line: site.line, character: site.character }, end: { line: site.line, character: site.character + 1 } };
  const count = (items) => items.filter((d) => codeOf(d) === 'smb.server.require').length;
  // didOpen -> first diagnostics on a fresh server (cold JIT, disk read of the file): reported apart.
  const tOpen = performance.now();
  session.open(doc.uri, doc.languageId, doc.text);
  const firstItems = await session.diagnostics(doc.uri);
  const firstOpenMs = performance.now() - tOpen;
  // Establish both states.
  let value = site.value;
  const counts = { [value]: count(firstItems) };
  const other = value === '1' ? '0' : '1';
  session.change(doc.uri, range, other);
  counts[other] = count(await session.diagnostics(doc.uri));
  value = other;
  if (counts['0'] !== counts['1'] + 1) {
    throw new Error(`${doc.label}: toggling RequireSecuritySignature did not change the smb.server.require findings (${JSON.stringify(counts)})`);
  }
  const samples = [];
  let totalItems = 0;
  for (let i = 0; i < warmup + reps; i++) {
    const next = value === '1' ? '0' : '1';
    const t0 = performance.now();
    session.change(doc.uri, range, next);
    const items = await session.diagnostics(doc.uri);
    const ms = performance.now() - t0;
    value = next;
    // Fresh, not cached: the findings must match the text just sent.
    if (count(items) !== counts[value]) throw new Error(`${doc.label}: stale diagnostics after edit ${i} (${count(items)} smb.server.require, expected ${counts[value]})`);
    if (i >= warmup) { samples.push(ms); totalItems = items.length; }
    await tick();
  }
  session.assertHealthy(`diagnostics of ${doc.label}`);
  return { ...roundSummary(summarize(samples)), warmup, firstOpenMs: r2(firstOpenMs), diagnostics: totalItems, edit: { line: site.line + 1, character: site.character + 1, toggles: "'0' <-> '1'" }, samples: samples.map(r2) };
}

export async function measureDiagnostics(ctx) {
  const docs = fixtureDocs(ctx);
  const out = {};
  for (const [key, doc] of Object.entries(docs)) {
    const session = await LspSession.start(ctx.serverModule);
    try {
      out[key] = await diagLatencyFor(session, doc, key === 'gpreport' ? REPS.diagGpreport : REPS.diagGptTmpl);
    } finally { await session.stop(); }
  }
  const note = (s) => `n=${s.n}, max ${s.max.toFixed(1)} ms; open -> first diagnostics (cold) ${s.firstOpenMs.toFixed(0)} ms`;
  const m = (id, label, key, p) => ({
    id, label, value: out[key][p], unit: 'ms', status: 'measured',
    ...(p === 'p95' ? { note: note(out[key]) } : {}),
    detail: p === 'p95' ? { ...out[key], method: 'didChange (one character, incremental) + textDocument/diagnostic, timed until the response' } : undefined,
  });
  return [
    m('lsp.diagnostics.gpreport1mb.p50.ms', `change -> diagnostics, ${docs.gpreport.label}, p50`, 'gpreport', 'p50'),
    m('lsp.diagnostics.gpreport1mb.ms', `change -> diagnostics, ${docs.gpreport.label}, p95`, 'gpreport', 'p95'),
    m('lsp.diagnostics.gptTmpl500.p50.ms', `change -> diagnostics, ${docs.gptTmpl.label}, p50`, 'gptTmpl', 'p50'),
    m('lsp.diagnostics.gptTmpl500.ms', `change -> diagnostics, ${docs.gptTmpl.label}, p95`, 'gptTmpl', 'p95'),
  ];
}

// ---------------------------------------------------------------------------------------------
// 2. Hover and code actions

async function withFixturesOpen(ctx, fn) {
  const docs = fixtureDocs(ctx);
  const session = await LspSession.start(ctx.serverModule);
  try {
    for (const doc of Object.values(docs)) {
      await session.open(doc.uri, doc.languageId, doc.text);
      doc.diagnostics = await session.diagnostics(doc.uri); // as VS Code: diagnostics first, then the user hovers
    }
    return await fn(session, docs);
  } finally { await session.stop(); }
}

/** Two rows (p50, p95): the worse of the two fixtures for each percentile; per-file figures in the note and detail. */
function worseOfTwo(idBase, labelBase, per, docs) {
  const files = Object.keys(per);
  const worst = (p) => files.reduce((a, k) => (per[k][p] > per[a][p] ? k : a), files[0]);
  const note = files.map((k) => `${docs[k].kind === 'inf' ? 'inf' : 'xml'} ${per[k].p50.toFixed(1)}/${per[k].p95.toFixed(1)}`).join(', ');
  const detail = Object.fromEntries(files.map((k) => [k, per[k]]));
  return [
    { id: `${idBase}.p50.ms`, label: `${labelBase} p50`, value: per[worst('p50')].p50, unit: 'ms', status: 'measured' },
    { id: `${idBase}.p95.ms`, label: `${labelBase} p95`, value: per[worst('p95')].p95, unit: 'ms', status: 'measured', note: `worse file; p50/p95 ${note}`, detail },
  ];
}

export async function measureHover(ctx) {
  return withFixturesOpen(ctx, async (session, docs) => {
    const per = {};
    for (const [key, doc] of Object.entries(docs)) {
      const position = hoverSite(doc.text, doc.kind);
      const h = await session.hover(doc.uri, position);
      const md = typeof h?.contents === 'object' ? h.contents.value ?? '' : '';
      if (!/smb\.client\.require/.test(md)) throw new Error(`${doc.label}: no smb.client.require hover at ${position.line + 1}:${position.character + 1}`);
      const { warmup, reps } = REPS.hover;
      const samples = [];
      for (let i = 0; i < warmup + reps; i++) {
        const t0 = performance.now();
        const r = await session.hover(doc.uri, position);
        const ms = performance.now() - t0;
        if (!r) throw new Error(`${doc.label}: hover ${i} returned nothing`);
        if (i >= warmup) samples.push(ms);
      }
      per[key] = { ...roundSummary(summarize(samples)), warmup, position: { line: position.line + 1, character: position.character + 1 }, hoverChars: md.length, samples: samples.map(r2) };
    }
    session.assertHealthy('hover');
    return worseOfTwo('lsp.hover', 'hover (smb.client.require value)', per, docs);
  });
}

export async function measureCodeActions(ctx) {
  return withFixturesOpen(ctx, async (session, docs) => {
    const per = {};
    for (const [key, doc] of Object.entries(docs)) {
      const site = hoverSite(doc.text, doc.kind);
      const diag = doc.diagnostics.find((d) => codeOf(d) === 'smb.client.require' && d.range.start.line <= site.line && d.range.end.line >= site.line);
      if (!diag) throw new Error(`${doc.label}: no smb.client.require diagnostic on line ${site.line + 1}`);
      const first = await session.codeActions(doc.uri, diag.range, [diag]);
      if (!Array.isArray(first) || !first.some((a) => a.kind === 'quickfix' && a.edit)) throw new Error(`${doc.label}: no quick fix with an edit for smb.client.require`);
      const { warmup, reps } = REPS.codeAction;
      const samples = [];
      for (let i = 0; i < warmup + reps; i++) {
        const t0 = performance.now();
        const r = await session.codeActions(doc.uri, diag.range, [diag]);
        const ms = performance.now() - t0;
        if (!Array.isArray(r) || r.length !== first.length) throw new Error(`${doc.label}: code action request ${i} answered differently`);
        if (i >= warmup) samples.push(ms);
      }
      per[key] = { ...roundSummary(summarize(samples)), warmup, actions: first.length, titles: first.map((a) => a.title), samples: samples.map(r2) };
    }
    session.assertHealthy('code actions');
    return worseOfTwo('lsp.codeAction', 'code actions (smb.client.require diagnostic)', per, docs);
  });
}

// ---------------------------------------------------------------------------------------------
// 3. Memory with 200 open documents

/**
 * 200 documents: the two bench fixtures plus the served files (GptTmpl.inf, Registry.xml,
 * gpreport.xml) of synthetic GPOs 0, 1, 2… from scripts/gen-sysvol.mjs, in GPO order, until there
 * are 200. Written to bench/out/fixtures/open200/ so the server reads real bytes on open.
 */
export async function writeOpenDocs(ctx, count = OPEN_DOCS) {
  const { generateGpo } = await import('./gen-sysvol.mjs');
  const dir = path.join(path.dirname(ctx.fixtures.gpreport1mb), 'open200');
  fs.rmSync(dir, { recursive: true, force: true });
  const files = [ctx.fixtures.gpreport1mb, ctx.fixtures.gptTmpl500];
  const served = /(?:GptTmpl\.inf|Registry\.xml|gpreport\.xml)$/;
  for (let i = 0; files.length < count; i++) {
    for (const f of generateGpo(1, i).files) {
      if (files.length >= count || !served.test(f.rel)) continue;
      const abs = path.join(dir, f.rel);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, f.data);
      files.push(abs);
    }
  }
  const kinds = {};
  let bytes = 0;
  for (const f of files) {
    const k = path.basename(f).replace(/-1mb|-500/, '');
    kinds[k] = (kinds[k] ?? 0) + 1;
    bytes += fs.statSync(f).size;
  }
  return { dir, files, kinds, bytes };
}

export async function measureMemory(ctx) {
  const set = await writeOpenDocs(ctx);
  const session = await LspSession.start(ctx.serverModule, { exposeGc: true });
  try {
    const base = await session.settledMemory();
    let diagnostics = 0;
    for (const file of set.files) {
      const uri = pathToFileURL(file).href;
      await session.open(uri, languageIdOf(file), decodeText(fs.readFileSync(file)));
      diagnostics += (await session.diagnostics(uri)).length; // every document parsed and linted, its parse cached
    }
    const open = await session.settledMemory();
    for (const file of set.files) await session.close(pathToFileURL(file).href);
    await session.diagnostics(pathToFileURL(set.files[0]).href).catch(() => []); // a round trip: all closes processed
    const closed = await session.settledMemory();
    session.assertHealthy('the 200-document memory run');
    const mb = (b) => r2(b / 1048576);
    const perDocKB = (open.rssBytes - base.rssBytes) / 1024 / set.files.length;
    const kinds = Object.entries(set.kinds).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${n} ${k.replace(/\.\w+$/, '')}`).join(' + ');
    const detail = {
      documents: set.files.length, kinds: set.kinds, bytesOnDisk: set.bytes, diagnostics, rssSource: open.source,
      idle: { rssMB: mb(base.rssBytes), heapUsedMB: mb(base.heapUsed) },
      open200: { rssMB: mb(open.rssBytes), heapUsedMB: mb(open.heapUsed), externalMB: mb(open.external) },
      afterClosingAll: { rssMB: mb(closed.rssBytes), heapUsedMB: mb(closed.heapUsed) },
      method: 'server started with --expose-gc; after opening every document and pulling its diagnostics, gc() twice, then VmRSS',
    };
    return [
      { id: 'lsp.memory.open200.mb', label: `server RSS, ${set.files.length} open docs`, value: mb(open.rssBytes), unit: 'MB', status: 'measured',
        note: `idle ${mb(base.rssBytes).toFixed(1)} MB, heap ${mb(open.heapUsed).toFixed(1)} MB; ${kinds}`, detail },
      { id: 'lsp.memory.perDoc.kb', label: 'server RSS per open doc', value: r2(perDocKB), unit: 'KB', status: 'measured', note: `(open − idle) ÷ ${set.files.length}; heap ${r2((open.heapUsed - base.heapUsed) / 1024 / set.files.length)} KB` },
    ];
  } finally { await session.stop(); }
}

// ---------------------------------------------------------------------------------------------
// 3b. Memory of the workspace model (the domain pass over a whole SYSVOL)

export const DOMAIN_GPOS = 5500;

/** The bench tree of `gpos` GPOs (bench/sysvol-<gpos>, generated when its marker does not match) and its topology LDIF. */
async function domainTree(ctx, gpos) {
  const gen = await import('./gen-sysvol.mjs');
  const seed = ctx.seed ?? 1;
  const dir = ctx.trees?.find((t) => t.gpos === gpos)?.dir ?? gen.benchTree(ROOT, gpos);
  if (!gen.markerMatches(dir, { seed, gpos })) {
    ctx.log(`bench: generating ${path.relative(ROOT, dir)} for the workspace-model figure ...`);
    const r = spawnSync(process.execPath, gen.generateArgs({ gpos, seed, out: dir }), { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`could not generate ${dir}: ${r.stderr}`);
  }
  return { dir, ldf: gen.writeTopology(dir, { seed, gpos }), marker: gen.readMarker(dir) };
}

/**
 * Server RSS after the workspace model's pass over the 5,500-GPO bench tree (the workspace folder)
 * with its topology (given by the relaylint.topology setting, as a user would): the server is
 * started with --expose-gc, the pass is done at `relaylint/domainChanged`, then gc() twice and
 * VmRSS (as lsp.memory.open200.mb). The note gives the V8 heap, the peak (VmHWM), the pass time
 * and an idle server's RSS for comparison.
 *
 * Then `lsp.memory.exposure5500.mb`: the server's peak RSS while it answers what the Relay exposure
 * view asks when it opens and one scope is expanded (`relaylint/exposure`, then
 * `relaylint/exposureScope` of the first scope). The peak (VmHWM) is reset first through
 * /proc/<pid>/clear_refs, so the figure is of the requests, not of the pass. Linux only.
 */
export async function measureDomainMemory(ctx) {
  const tree = await domainTree(ctx, DOMAIN_GPOS);
  const empty = path.join(ctx.outDir ?? path.join(ROOT, 'bench', 'out'), 'empty-workspace');
  fs.mkdirSync(empty, { recursive: true });
  const idleSession = await LspSession.start(ctx.serverModule, { exposeGc: true, folder: empty });
  let idle;
  try {
    await idleSession.domainChanged(0);
    idle = await idleSession.settledMemory();
  } finally { await idleSession.stop(); }
  const t0 = performance.now();
  const session = await LspSession.start(ctx.serverModule, { exposeGc: true, folder: tree.dir, settings: { topology: [tree.ldf] } });
  try {
    await session.domainChanged(0);
    const passS = (performance.now() - t0) / 1000;
    const after = await session.settledMemory();
    let hwmBytes = null;
    try { hwmBytes = Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${session.pid}/status`, 'utf8'))?.[1]) * 1024 || null; } catch { /* not Linux */ }
    const pass = session.logs.find((l) => l.startsWith('relaylint: workspace model: ')) ?? '';
    const limits = session.logs.filter((l) => /stopped at its budget|candidate files in the workspace folders/.test(l));
    session.assertHealthy('the workspace-model pass');
    if (!/ \d+ scope\(s\)/.test(pass)) throw new Error(`the workspace model did not read the topology: ${pass || session.logs.slice(-5).join(' | ')}`);
    const mb = (b) => r2(b / 1048576);
    const exposure = await exposureRequests(session);
    const detail = {
      tree: path.relative(ROOT, tree.dir), files: tree.marker?.files, bytes: tree.marker?.bytes, topology: path.relative(ROOT, tree.ldf), pass, limits,
      passSeconds: r2(passS), rssMB: mb(after.rssBytes), heapUsedMB: mb(after.heapUsed), heapTotalMB: mb(after.heapTotal), externalMB: mb(after.external),
      peakRssMB: hwmBytes === null ? null : mb(hwmBytes), idle: { rssMB: mb(idle.rssBytes), heapUsedMB: mb(idle.heapUsed) }, rssSource: after.source,
      method: 'server started with --expose-gc, workspace folder = the tree, relaylint.topology = its LDIF; at relaylint/domainChanged gc() twice, then VmRSS',
    };
    return [
      { id: 'lsp.memory.domain5500.mb', label: `server RSS after the workspace pass, ${DOMAIN_GPOS.toLocaleString('en-US')} GPOs`, value: mb(after.rssBytes), unit: 'MB', status: 'measured',
        note: `heap ${mb(after.heapUsed).toFixed(1)} MB, peak ${hwmBytes === null ? '?' : mb(hwmBytes).toFixed(1)} MB, pass ${passS.toFixed(1)} s; idle server ${mb(idle.rssBytes).toFixed(1)} MB (heap ${mb(idle.heapUsed).toFixed(1)}); ${pass.replace(/^relaylint: workspace model: /, '').replace(/, \d+ ms$/, '')}${limits.length ? `; LIMIT: ${limits.join(' ')}` : ''}`, detail },
      exposure.peakBytes === null
        ? { id: 'lsp.memory.exposure5500.mb', label: `server peak RSS answering the Relay exposure view, ${DOMAIN_GPOS.toLocaleString('en-US')} GPOs`, value: null, unit: 'MB', status: 'n/a', note: 'needs /proc/<pid>/clear_refs and VmHWM (Linux)' }
        : { id: 'lsp.memory.exposure5500.mb', label: `server peak RSS answering the Relay exposure view, ${DOMAIN_GPOS.toLocaleString('en-US')} GPOs`, value: mb(exposure.peakBytes), unit: 'MB', status: 'measured',
          note: `from ${mb(exposure.beforeBytes).toFixed(1)} MB; the scope list ${exposure.topBytes.toLocaleString('en-US')} bytes (${exposure.scopes} scopes, ${exposure.topMs.toFixed(0)} ms), one scope's rules ${exposure.scopeBytes.toLocaleString('en-US')} bytes (${exposure.scopeMs.toFixed(0)} ms)`,
          detail: { ...exposure, peakMB: mb(exposure.peakBytes), beforeMB: mb(exposure.beforeBytes), method: 'after the pass and two forced collections: VmHWM reset (clear_refs 5), then relaylint/exposure and relaylint/exposureScope of the first scope, then VmHWM' } },
    ];
  } finally { await session.stop(); }
}

/** What the Relay exposure view asks when it opens and one scope is expanded, with the server's peak RSS over it (peakBytes null where it cannot be read). */
async function exposureRequests(session) {
  const status = () => fs.readFileSync(`/proc/${session.pid}/status`, 'utf8');
  const kb = (k) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(status())?.[1]) * 1024;
  let measurable = true;
  try {
    fs.writeFileSync(`/proc/${session.pid}/clear_refs`, '5');
  } catch { measurable = false; }
  const beforeBytes = measurable ? kb('VmRSS') : null;
  let t = performance.now();
  const top = await session.conn.sendRequest('relaylint/exposure', {});
  const topMs = performance.now() - t;
  if (!top?.scopes?.length) throw new Error(`relaylint/exposure listed no scope: ${JSON.stringify(top)?.slice(0, 300)}`);
  t = performance.now();
  const one = await session.conn.sendRequest('relaylint/exposureScope', { version: top.version, scope: 0 });
  const scopeMs = performance.now() - t;
  if (one?.stale || !one?.rules?.length) throw new Error(`relaylint/exposureScope gave no rules: ${JSON.stringify(one)?.slice(0, 300)}`);
  const peakBytes = measurable ? kb('VmHWM') : null;
  session.assertHealthy('the exposure requests');
  return { peakBytes, beforeBytes, topBytes: Buffer.byteLength(JSON.stringify(top)), scopes: top.scopes.length, topMs, scopeBytes: Buffer.byteLength(JSON.stringify(one)), scopeMs };
}

// ---------------------------------------------------------------------------------------------
// 4. Activation

const E2E = path.join(ROOT, '.e2e');
const CODE_SERVER = path.join(E2E, 'code-server', 'node_modules', '.bin', 'code-server');
const CHROMIUM = process.env.E2E_CHROMIUM || '/usr/bin/chromium';
const EXT_ID = 'relaylint.relaylint';

export function optionAAvailable() {
  const missing = [];
  if (!fs.existsSync(CODE_SERVER)) missing.push('.e2e/code-server');
  if (!fs.existsSync(path.join(E2E, 'node_modules', 'playwright-core'))) missing.push('.e2e/node_modules/playwright-core');
  if (!fs.existsSync(CHROMIUM)) missing.push(CHROMIUM);
  return missing;
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => res(port)); });
  });
}

/**
 * The extension to activate: relaylint.vsix unpacked (what users install: minified bundle), or the
 * repository itself (the `npm run build` output) when there is no .vsix or no unzip.
 */
function extensionUnderTest(ctx, workDir) {
  const vsix = path.join(ctx.root, 'relaylint.vsix');
  if (fs.existsSync(vsix)) {
    const dest = path.join(workDir, 'vsix');
    fs.rmSync(dest, { recursive: true, force: true });
    fs.mkdirSync(dest, { recursive: true });
    const r = spawnSync('unzip', ['-q', vsix, 'extension/*', '-d', dest], { encoding: 'utf8' });
    if (r.status === 0 && fs.existsSync(path.join(dest, 'extension', 'package.json'))) {
      return { dir: path.join(dest, 'extension'), what: `relaylint.vsix unpacked (${fs.statSync(vsix).mtime.toISOString().slice(0, 16)}Z)` };
    }
  }
  return { dir: ctx.root, what: 'the repository (npm run build output, not minified)' };
}

/** The extensionTestsPath module: time extension.activate(), open Running Extensions, wait for the driver. */
function testModuleSource(doneFile) {
  return `'use strict';
// Generated by scripts/bench-lsp.mjs: runs in the code-server extension host (extensionTestsPath).
const fs = require('fs');
const vscode = require('vscode');
const { performance } = require('perf_hooks');
exports.run = async function run() {
  const ext = vscode.extensions.getExtension(${JSON.stringify(EXT_ID)});
  if (!ext) throw new Error('${EXT_ID} is not installed in this extension host');
  const wasActive = ext.isActive;
  const t0 = performance.now();
  await ext.activate();
  const activateMs = performance.now() - t0;
  await vscode.commands.executeCommand('workbench.action.showRuntimeExtensions');
  console.log('BENCH-ACTIVATION ' + JSON.stringify({ wasActive, activateMs, extensionPath: ext.extensionPath, vscode: vscode.version }));
  const deadline = Date.now() + 15000;
  while (!fs.existsSync(${JSON.stringify(doneFile)}) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
};
`;
}

async function activationOptionA(ctx, { warmup, reps }) {
  const work = path.join(ctx.outDir, 'activation');
  fs.rmSync(work, { recursive: true, force: true });
  const p = { ud: path.join(work, 'user-data'), ext: path.join(work, 'extensions'), xdg: path.join(work, 'xdg'), ws: path.join(work, 'workspace'), suite: path.join(work, 'suite') };
  for (const d of [path.join(p.ud, 'User'), p.ext, path.join(p.xdg, 'config'), path.join(p.xdg, 'data'), p.ws, p.suite]) fs.mkdirSync(d, { recursive: true });
  fs.writeFileSync(path.join(p.ud, 'User', 'settings.json'), JSON.stringify({
    'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off', 'update.mode': 'none',
    'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false, 'extensions.ignoreRecommendations': true, 'workbench.tips.enabled': false,
    'workbench.enableExperiments': false, 'chat.disableAIFeatures': true, 'git.enabled': false, 'window.restoreWindows': 'none',
  }, null, 2));
  // An empty workspace: nothing triggers activation before the test module asks for it.
  fs.writeFileSync(path.join(p.ws, 'README.txt'), 'relaylint activation bench workspace\n');
  const doneFile = path.join(work, 'scraped');
  fs.writeFileSync(path.join(p.suite, 'index.js'), testModuleSource(doneFile));
  const ext = extensionUnderTest(ctx, work);

  const port = await freePort();
  const logPath = path.join(work, 'code-server.log');
  const logFd = fs.openSync(logPath, 'w');
  const cs = spawn(CODE_SERVER, [
    '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--user-data-dir', p.ud, '--extensions-dir', p.ext, p.ws,
  ], { env: { ...process.env, XDG_CONFIG_HOME: path.join(p.xdg, 'config'), XDG_DATA_HOME: path.join(p.xdg, 'data') }, detached: true, stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  const pgid = cs.pid;
  const killGroup = () => { try { process.kill(-pgid, 'SIGKILL'); } catch { /* gone */ } };
  process.once('exit', killGroup);
  let csExit = null;
  const csExited = new Promise((r) => cs.once('exit', (code, signal) => r((csExit = { code, signal }))));
  let browser = null, page = null;
  try {
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (csExit) throw new Error(`code-server exited early (${JSON.stringify(csExit)}); see ${path.relative(ROOT, logPath)}`);
      try { if ((await fetch(`${url}/healthz`)).ok) break; } catch { /* not yet */ }
      if (Date.now() > deadline) throw new Error(`code-server did not answer /healthz within 30 s; see ${path.relative(ROOT, logPath)}`);
      await sleep(100);
    }
    if (process.env.RELAYLINT_BENCH_DEBUG) console.error('code-server up');
    const { chromium } = createRequire(path.join(E2E, 'package.json'))('playwright-core');
    browser = await chromium.launch({
      executablePath: CHROMIUM, headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    let onLog = () => {}, onExit = () => {};
    await page.exposeFunction('codeAutomationLog', (type, args) => onLog((Array.isArray(args) ? args : [args]).map(String).join(' ')));
    await page.exposeFunction('codeAutomationExit', (code) => onExit(code));
    await page.addInitScript(() => {
      // Built workbenches ignore `payload` unless developmentOptions.enableSmokeTestDriver is set (real-vscode-tests.md §5).
      const orig = Element.prototype.getAttribute;
      Element.prototype.getAttribute = function (name) {
        const v = orig.call(this, name);
        if (this.id === 'vscode-workbench-web-configuration' && name === 'data-settings' && v) {
          const cfg = JSON.parse(v);
          cfg.developmentOptions = { ...(cfg.developmentOptions || {}), enableSmokeTestDriver: true };
          return JSON.stringify(cfg);
        }
        return v;
      };
    });
    if (process.env.RELAYLINT_BENCH_DEBUG) console.error('browser up');
    const host = `127.0.0.1:${port}`;
    const payload = [
      ['extensionDevelopmentPath', `vscode-remote://${host}${ext.dir}`],
      ['extensionTestsPath', `vscode-remote://${host}${path.join(p.suite, 'index.js')}`],
    ];
    const pageUrl = `${url}/?folder=${encodeURIComponent(p.ws)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const runs = [];
    for (let i = 0; i < warmup + reps; i++) {
      fs.rmSync(doneFile, { force: true });
      let result = null;
      const got = new Promise((resolve) => {
        onLog = (line) => {
          const m = /BENCH-ACTIVATION (\{.*\})/.exec(line);
          if (m) resolve((result = JSON.parse(m[1])));
        };
      });
      const exited = new Promise((resolve) => { onExit = resolve; });
      const tLoad = performance.now();
      await page.goto(pageUrl);
      const first = await Promise.race([got, exited.then((c) => ({ exitedFirst: c })), raceTimer(120_000).then(() => ({ timeout: true }))]);
      if (!result) throw new Error(`run ${i}: the test module reported nothing (${JSON.stringify(first)}); see ${path.relative(ROOT, logPath)}`);
      // What VS Code itself recorded: Developer: Show Running Extensions ("Activation: N ms" = code loading + activate call).
      const row = page.locator('.runtime-extensions-editor .extension').filter({ hasText: /relaylint/i }).first();
      let shown = null;
      try {
        const el = row.locator('.activation-time');
        await el.filter({ hasText: /\d+\s*ms/ }).waitFor({ timeout: 10_000 });
        shown = (await el.textContent())?.trim() ?? null;
      } catch { /* reported as missing below */ }
      const tScraped = performance.now();
      fs.writeFileSync(doneFile, 'ok');
      const code = await Promise.race([exited, raceTimer(30_000).then(() => 'timeout')]);
      if (code !== 0) throw new Error(`run ${i}: the extension-test harness exited with ${code}; see ${path.relative(ROOT, logPath)}`);
      const vscodeMs = shown && /(\d+)\s*ms/.exec(shown) ? Number(/(\d+)\s*ms/.exec(shown)[1]) : null;
      runs.push({ ...result, shown, vscodeMs, warmup: i < warmup, pageToScrapedMs: Math.round(tScraped - tLoad), pageToExitMs: Math.round(performance.now() - tLoad) });
      if (process.env.RELAYLINT_BENCH_DEBUG) console.error(JSON.stringify(runs.at(-1)));
      await page.goto('about:blank'); // ends this extension host at once (no 3 h reconnection grace)
      await sleep(500);
    }
    const measured = runs.filter((r) => !r.warmup);
    if (measured.some((r) => r.wasActive)) throw new Error('relaylint was already active before the test module activated it: the timing would be meaningless');
    if (measured.some((r) => r.vscodeMs === null)) throw new Error(`Running Extensions did not show relaylint's activation time (got ${JSON.stringify(measured.map((r) => r.shown))})`);
    const vs = summarize(measured.map((r) => r.vscodeMs));
    const api = summarize(measured.map((r) => r.activateMs));
    return {
      option: 'A', vscodeVersion: measured[0]?.vscode, extension: ext.what, runs: runs.map((r) => ({ warmup: r.warmup, vscodeMs: r.vscodeMs, activateMs: r2(r.activateMs), shown: r.shown })),
      vscode: roundSummary(vs), api: roundSummary(api),
    };
  } finally {
    try { if (page && !page.isClosed()) await page.goto('about:blank', { timeout: 10_000 }); } catch { /* closing anyway */ }
    try { await browser?.close(); } catch { /* gone */ }
    try { process.kill(-pgid, 'SIGTERM'); } catch { /* gone */ }
    await Promise.race([csExited, raceTimer(5000)]);
    killGroup();
    process.removeListener('exit', killGroup);
  }
}

/** Option B child: require client/out/extension.js with a stub `vscode`, call activate(); prints timings as JSON. */
const OPTION_B_CHILD = String.raw`
const Module = require('module');
const { performance } = require('perf_hooks');
const clientModule = process.argv[1];
// A stub 'vscode' that answers every property with something callable and constructible.
const calls = [];
function stub(name) {
  const fn = function () {};
  return new Proxy(fn, {
    get(t, p) {
      if (p === Symbol.toPrimitive) return () => name;
      if (p === 'then') return undefined;
      if (p === 'prototype') return t.prototype;
      if (p === 'textDocuments') return [];
      if (p === 'dispose') return () => {};
      return stub(name + '.' + String(p));
    },
    // Assignments (item.name = ..., item.text = ...) are accepted and dropped: a function's own name is read-only.
    set() { return true; },
    apply(_t, _this, args) { calls.push(name); return stub(name + '()'); },
    construct() { calls.push('new ' + name); return stub('new ' + name); },
  });
}
// The names the real module exports (from @types/vscode), so esbuild's __toESM interop copies them.
const vscode = Object.fromEntries(JSON.parse(process.argv[2]).map((n) => [n, stub('vscode.' + n)]));
const origResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === 'vscode' ? 'vscode' : origResolve.call(this, request, ...rest); };
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };
const extensionPath = require('path').dirname(require('path').dirname(require('path').dirname(clientModule)));
const context = { subscriptions: [], extensionUri: stub('extensionUri'), extensionPath, asAbsolutePath: (p) => p, extension: { packageJSON: require(require('path').join(extensionPath, 'package.json')) } };
const t0 = performance.now();
const ext = require(clientModule);
const t1 = performance.now();
const r = ext.activate(context);
Promise.resolve(r).then(() => {
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ loadMs: t1 - t0, activateMs: t2 - t1, totalMs: t2 - t0, subscriptions: context.subscriptions.length, vscodeCalls: calls.length }) + '\n');
  process.exit(0);
});
`;

async function activationOptionB(ctx, { warmup, reps }) {
  if (!fs.existsSync(ctx.clientModule)) throw new Error(`${path.relative(ROOT, ctx.clientModule)} is missing: run npm run build first`);
  const dts = path.join(ROOT, 'node_modules', '@types', 'vscode', 'index.d.ts');
  const names = fs.existsSync(dts) ? [...fs.readFileSync(dts, 'utf8').matchAll(/^\texport (?:namespace|class|enum|const|let|function) (\w+)/gm)].map((m) => m[1]) : [];
  for (const n of ['window', 'workspace', 'commands', 'languages', 'env', 'extensions', 'Uri', 'EventEmitter', 'Disposable']) if (!names.includes(n)) names.push(n);
  const runs = [];
  for (let i = 0; i < warmup + reps; i++) {
    const r = spawnSync(process.execPath, ['-e', OPTION_B_CHILD, ctx.clientModule, JSON.stringify([...new Set(names)])], { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`option B child failed (${r.status}): ${r.stderr.slice(-1500)}`);
    const j = JSON.parse(r.stdout.trim().split('\n').pop());
    if (i >= warmup) runs.push(j);
  }
  return {
    option: 'B', extension: `${path.relative(ROOT, ctx.clientModule)} (npm run build output)`,
    total: roundSummary(summarize(runs.map((r) => r.totalMs))), load: roundSummary(summarize(runs.map((r) => r.loadMs))),
    activate: roundSummary(summarize(runs.map((r) => r.activateMs))), subscriptions: runs[0]?.subscriptions, vscodeCalls: runs[0]?.vscodeCalls,
  };
}

/**
 * `mode`: 'auto' (A when installed, else B; B when A fails, with the reason in the note), 'a', 'b'.
 */
export async function measureActivation(ctx, mode = process.env.RELAYLINT_BENCH_ACTIVATION || 'auto') {
  let fallbackWhy = null;
  if (mode !== 'b') {
    const missing = optionAAvailable();
    if (missing.length === 0) {
      try {
        const a = await activationOptionA(ctx, REPS.activationA);
        return [
          { id: 'ext.activation.ms', label: 'extension activation (A: real VS Code, median)', value: a.vscode.p50, unit: 'ms', status: 'measured',
            note: `option A: VS Code ${a.vscodeVersion ?? '?'} (code-server), Running Extensions; n=${a.vscode.n}, max ${a.vscode.max} ms`, detail: a },
          { id: 'ext.activation.api.ms', label: 'extension.activate() in the extension host (A, median)', value: a.api.p50, unit: 'ms', status: 'measured',
            note: `option A; n=${a.api.n}, max ${a.api.max.toFixed(1)} ms` },
        ];
      } catch (e) {
        if (mode === 'a') throw e;
        fallbackWhy = `option A failed: ${String(e?.message ?? e).split('\n')[0].slice(0, 200)}`;
      }
    } else {
      if (mode === 'a') throw new Error(`option A needs ${missing.join(', ')} (npm run test:e2e installs them)`);
      fallbackWhy = `option A not available (${missing.join(', ')} missing)`;
    }
  }
  if (fallbackWhy && mode !== 'b') ctx.log?.(`bench: activation: ${fallbackWhy}; measuring option B instead`);
  const b = await activationOptionB(ctx, REPS.activationB);
  if (fallbackWhy) b.fallback = fallbackWhy;
  return [
    { id: 'ext.activation.ms', label: 'extension activation (B: Node + stub vscode, median)', value: b.total.p50, unit: 'ms', status: 'measured',
      note: `option B: module load + activate() WITHOUT the VS Code extension host; n=${b.total.n}${fallbackWhy ? `; ${fallbackWhy}` : ''}`,
      detail: b },
  ];
}

// ---------------------------------------------------------------------------------------------
// Standalone entry point

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const argv = process.argv.slice(2);
  const which = new Set();
  let activation = 'auto';
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--activation') activation = argv[++i];
    else if (argv[i] === '--reps') { const n = Number(argv[++i]); for (const k of Object.keys(REPS)) REPS[k].reps = Math.max(1, Math.min(REPS[k].reps, n)); }
    else which.add(argv[i]);
  }
  if (!which.size || which.has('all')) for (const w of ['diagnostics', 'hover', 'codeAction', 'memory', 'domainMemory', 'activation']) which.add(w);
  const { writeLanguageServerFixtures } = await import('./bench-lib.mjs');
  const outDir = path.join(ROOT, 'bench', 'out');
  const ctx = {
    root: ROOT, serverModule: path.join(ROOT, 'server', 'out', 'server.js'), clientModule: path.join(ROOT, 'client', 'out', 'extension.js'),
    outDir, fixtures: await writeLanguageServerFixtures(path.join(outDir, 'fixtures'), 1), log: console.log,
  };
  const out = [];
  // Samples stay in results.json (bench.mjs); here they would drown the output.
  const strip = (m) => JSON.parse(JSON.stringify(m, (k, v) => (k === 'samples' ? undefined : v)));
  if (which.has('diagnostics')) out.push(...(await measureDiagnostics(ctx)).map(strip));
  if (which.has('hover')) out.push(...(await measureHover(ctx)).map(strip));
  if (which.has('codeAction')) out.push(...(await measureCodeActions(ctx)).map(strip));
  if (which.has('memory')) out.push(...(await measureMemory(ctx)));
  if (which.has('domainMemory')) out.push(...(await measureDomainMemory(ctx)));
  if (which.has('activation')) out.push(...(await measureActivation(ctx, activation)));
  process.stdout.write(JSON.stringify({ loadavg: os.loadavg(), metrics: out }, null, 2) + '\n');
}
