// Helpers for scripts/bench.mjs: timed child processes with peak RSS, the I/O-floor walker, machine
// info, language-server fixtures, and the HOOKS for language-server figures (measurements in
// scripts/bench-lsp.mjs).
//
// Also runnable on its own as the I/O-floor child:
//   node scripts/bench-lib.mjs io-floor <dir>   -> walks <dir> in sorted order, fs.readFileSync on every
//                                                  file, prints {"files":N,"bytes":B} as JSON.
// Plain Node 20 ESM, builtins only.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
// gen-sysvol.mjs is imported lazily (fixtures only) so the I/O-floor child loads nothing but this file.
const MARKER_NAME = '.gen-sysvol.json'; // keep in sync with gen-sysvol.mjs MARKER_NAME

// ---------------------------------------------------------------------------------------------
// I/O floor: the cheapest possible "scan": read every byte, parse nothing.

/** Sorted depth-first walk; reads every regular file with fs.readFileSync. Skips the generator marker. */
export function ioFloorWalk(root) {
  let files = 0, bytes = 0;
  const walk = (dir) => {
    const ents = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of ents) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.isFile() && e.name !== MARKER_NAME) { bytes += fs.readFileSync(abs).length; files++; }
    }
  };
  walk(root);
  return { files, bytes };
}

// ---------------------------------------------------------------------------------------------
// Timed child processes with peak RSS

/**
 * Finds a `time` binary that reports peak RSS: GNU time (`-v`, Linux) or BSD time (`-l`, macOS).
 * `command -v time` alone finds the shell keyword, so the absolute path is checked.
 */
export function detectTimeTool() {
  const r = spawnSync('sh', ['-c', 'command -v /usr/bin/time'], { encoding: 'utf8' });
  const p = r.status === 0 ? r.stdout.trim() : '';
  if (!p) return null;
  const gnu = spawnSync(p, ['-v', 'true'], { encoding: 'utf8' });
  if (gnu.status === 0 && /Maximum resident set size/.test(gnu.stderr)) return { path: p, flavor: 'gnu' };
  const bsd = spawnSync(p, ['-l', 'true'], { encoding: 'utf8' });
  if (bsd.status === 0 && /maximum resident set size/.test(bsd.stderr)) return { path: p, flavor: 'bsd' };
  return null;
}

/**
 * Runs `cmd args` and measures wall time (from spawn to exit, in this process) and peak RSS.
 * stdout: a file path, 'null' (os.devNull) or 'capture'. Peak RSS comes from /usr/bin/time when
 * available, else from polling /proc/<pid>/status VmHWM (a lower bound: the last sample before exit).
 * Returns { wallMs, code, signal, timedOut, peakRssMB, rssMethod, stdout, stderrTail }.
 */
export function runMeasured(cmd, args, { stdout = 'null', timeTool = null, timeoutMs = 30 * 60_000, cwd, tmpDir = os.tmpdir(), measureRss = true } = {}) {
  return new Promise((resolve, reject) => {
    let argv0 = cmd, argv = args, timeReport = null;
    if (measureRss && timeTool?.flavor === 'gnu') {
      timeReport = path.join(tmpDir, `time-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.txt`);
      argv0 = timeTool.path; argv = ['-v', '-o', timeReport, cmd, ...args];
    } else if (measureRss && timeTool?.flavor === 'bsd') {
      argv0 = timeTool.path; argv = ['-l', cmd, ...args];
    }
    let outFd = null;
    let stdio1 = 'pipe';
    if (stdout !== 'capture') { outFd = fs.openSync(stdout === 'null' ? os.devNull : stdout, 'w'); stdio1 = outFd; }
    const t0 = process.hrtime.bigint();
    let child;
    try {
      child = spawn(argv0, argv, { cwd, stdio: ['ignore', stdio1, 'pipe'] });
    } catch (e) { if (outFd !== null) fs.closeSync(outFd); reject(e); return; }
    let out = '';
    let err = '';
    if (stdout === 'capture') child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; if (err.length > 65536) err = err.slice(-32768); });
    let hwmKB = 0;
    let poll = null;
    // Peak of ALL processes together (the launcher and the scanning child it starts, any worker
    // processes): every 5 ms, the sum of VmRSS over the spawned process's descendants (a `time`
    // wrapper itself is left out). Sampling gives a lower bound of the true peak; `treeHwmKB` sums
    // each process's own peak (VmHWM), an upper bound.
    let treePeakKB = 0;
    const treeHwm = new Map();
    let treePoll = null;
    const canTree = measureRss && fs.existsSync('/proc/self/task');
    const children = (pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
      } catch { return []; }
    };
    const sampleTree = () => {
      const top = timeTool ? children(child.pid) : [child.pid];
      const stack = [...top];
      let sum = 0;
      while (stack.length) {
        const pid = stack.pop();
        try {
          const st = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
          const rss = /VmRSS:\s+(\d+) kB/.exec(st);
          const hwm = /VmHWM:\s+(\d+) kB/.exec(st);
          if (rss) sum += Number(rss[1]);
          if (hwm) treeHwm.set(pid, Math.max(treeHwm.get(pid) ?? 0, Number(hwm[1])));
        } catch { /* exited */ }
        stack.push(...children(pid));
      }
      treePeakKB = Math.max(treePeakKB, sum);
    };
    const rssMethod = !measureRss ? 'none' : timeTool ? `${timeTool.path} ${timeTool.flavor === 'gnu' ? '-v' : '-l'}` : fs.existsSync('/proc/self/status') ? '/proc VmHWM polling' : 'unavailable';
    if (measureRss && !timeTool && rssMethod !== 'unavailable') {
      const sample = () => {
        try {
          const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          if (m) hwmKB = Math.max(hwmKB, Number(m[1]));
        } catch { /* exited */ }
      };
      sample();
      poll = setInterval(sample, 5);
    }
    if (canTree) treePoll = setInterval(sampleTree, 5);
    let timedOut = false;
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    let wallMs = null;
    child.on('exit', () => { wallMs = Number(process.hrtime.bigint() - t0) / 1e6; if (poll) clearInterval(poll); if (treePoll) clearInterval(treePoll); });
    child.on('error', (e) => { clearTimeout(timer); if (poll) clearInterval(poll); if (outFd !== null) fs.closeSync(outFd); reject(e); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (poll) clearInterval(poll);
      if (treePoll) clearInterval(treePoll);
      if (outFd !== null) fs.closeSync(outFd);
      wallMs ??= Number(process.hrtime.bigint() - t0) / 1e6;
      let peakRssMB = null;
      if (timeReport) {
        try {
          const rep = fs.readFileSync(timeReport, 'utf8');
          const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(rep);
          if (m) peakRssMB = Number(m[1]) / 1024;
          // GNU time reports "Command terminated by signal N" and exits 128+N; surface the real status.
          const sig = /Command terminated by signal (\d+)/.exec(rep);
          if (sig && !signal) { signal = `signal ${sig[1]}`; }
        } catch { /* report missing: time itself failed */ }
        fs.rmSync(timeReport, { force: true });
      } else if (timeTool?.flavor === 'bsd') {
        const m = /(\d+)\s+maximum resident set size/.exec(err);
        if (m) peakRssMB = Number(m[1]) / 1024 / 1024;
      } else if (hwmKB) peakRssMB = hwmKB / 1024;
      const allPeakMB = canTree && treePeakKB ? treePeakKB / 1024 : null;
      const allHwmSumMB = canTree && treeHwm.size ? [...treeHwm.values()].reduce((a, b) => a + b, 0) / 1024 : null;
      resolve({ wallMs, code, signal, timedOut, peakRssMB, allPeakMB, allHwmSumMB, processes: treeHwm.size, rssMethod, stdout: out, stderrTail: err.slice(-4000) });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Machine info

export function machineInfo() {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model?.trim() ?? 'unknown',
    cpuCount: cpus.length,
    totalMemoryMB: Math.round(os.totalmem() / 1024 / 1024),
    freeMemoryMB: Math.round(os.freemem() / 1024 / 1024),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
  };
}

// ---------------------------------------------------------------------------------------------
// Language-server fixtures (deterministic): a ~1 MB gpreport.xml and a 500-line GptTmpl.inf.

export async function writeLanguageServerFixtures(dir, seed = 1) {
  const { Rng, makeGpreportXml, makeGptTmplText, utf16WithBom } = await import('./gen-sysvol.mjs');
  fs.mkdirSync(dir, { recursive: true });
  const gpreport = path.join(dir, 'gpreport-1mb.xml');
  fs.writeFileSync(gpreport, makeGpreportXml(new Rng(seed, 0xf1), 1_048_576, { name: 'Bench 1 MB report', weakRate: 0.3 }));
  // 500 lines in total: adjust the [Registry Values] count until the whole file has 500 lines.
  let reg = 420, text = '';
  for (let i = 0; i < 8; i++) {
    text = makeGptTmplText(new Rng(seed, 0xf2), reg, { full: true, weakRate: 0.3 });
    const lines = text.split('\r\n').length - 1;
    if (lines === 500) break;
    reg += 500 - lines;
  }
  const gptTmpl = path.join(dir, 'GptTmpl-500.inf');
  fs.writeFileSync(gptTmpl, utf16WithBom(text));
  return { gpreport1mb: gpreport, gptTmpl500: gptTmpl, gptTmpl500Lines: text.split('\r\n').length - 1 };
}

// =============================================================================================
// HOOKS FOR LANGUAGE-SERVER FIGURES (the measurements are in scripts/bench-lsp.mjs)
//
// Each hook is `async (ctx) => Metric[]`. A Metric is
//   { id, label, value: number | null, unit, status: 'measured' | 'not measured yet' | 'failed', note? }
// bench.mjs prints them, stores them in bench/out/results.json and checks the targets keyed by id:
//   lsp.diagnostics.gpreport1mb.ms  < 50      (p95, didChange -> textDocument/diagnostic response, 1 MB gpreport.xml; .p50.ms too)
//   lsp.diagnostics.gptTmpl500.ms   (no target) (p95, 500-line GptTmpl.inf; .p50.ms too)
//   lsp.hover.p95.ms                < 10      (worse of the two fixtures; also lsp.hover.p50.ms)
//   lsp.codeAction.p50.ms / .p95.ms (no target) (worse of the two fixtures)
//   lsp.memory.open200.mb           (no target) (server RSS with 200 open documents; lsp.memory.perDoc.kb)
//   ext.activation.ms               < 300     (VS Code extension activation; ext.activation.api.ms with option A)
//   ext.vsix.bytes                  < 1,000,000 (relaylint.vsix)
// Metrics may also carry `detail` (distribution, method) and `target` ({ rule, status }); both go
// to results.json.
// ctx = { root, serverModule (server/out/server.js), clientModule (client/out/extension.js),
//         fixtures: { gpreport1mb, gptTmpl500, gptTmpl500Lines }, outDir (bench/out), timeTool,
//         runMeasured, log }
// A hook that throws is reported as 'failed' and makes `npm run bench` exit non-zero.
// =============================================================================================

const notYet = (id, label, unit) => ({ id, label, value: null, unit, status: 'not measured yet' });

// The measurements live in scripts/bench-lsp.mjs (also runnable on its own); it is imported lazily so
// the I/O-floor child loads nothing but this file.
const lsp = () => import('./bench-lsp.mjs');

/**
 * The targets again, only to print PASS/MISS next to each figure in the language-server table
 * (bench.mjs judges the same ids in its Targets section; keep the two in sync). Figures without a
 * target are marked "no target".
 */
const LSP_TARGETS = {
  'lsp.diagnostics.gpreport1mb.ms': { below: 50, unit: 'ms' },
  'lsp.hover.p95.ms': { below: 10, unit: 'ms' },
  'ext.activation.ms': { below: 300, unit: 'ms' },
  'ext.vsix.bytes': { below: 1_000_000, unit: 'bytes' },
};

function judged(metrics) {
  return metrics.map((m) => {
    const t = LSP_TARGETS[m.id];
    if (m.value === null || m.value === undefined) return m;
    if (!t) return { ...m, note: m.note ? `no target; ${m.note}` : 'no target' };
    const status = m.value < t.below ? 'PASS' : 'MISS';
    const rule = `< ${t.below.toLocaleString('en-US')} ${t.unit}`;
    return { ...m, target: { rule, status }, note: `${status} vs ${rule}${m.note ? `; ${m.note}` : ''}` };
  });
}

/**
 * HOOK: time from a change to fresh diagnostics, p50 and p95, for the 1 MB report and the 500-line
 * template: an incremental didChange that toggles RequireSecuritySignature 0/1 (so the findings
 * change), then textDocument/diagnostic, timed until the response.
 */
export async function measureDiagnosticsLatency(ctx) {
  ctx.log('bench: language server: change -> diagnostics latency ...');
  return judged(await (await lsp()).measureDiagnostics(ctx));
}

/** HOOK: hover latency p50/p95 on a known setting (the smb.client.require value) in both fixtures. */
export async function measureHoverLatency(ctx) {
  ctx.log('bench: language server: hover latency ...');
  return judged(await (await lsp()).measureHover(ctx));
}

/** HOOK: code-action latency p50/p95 on that setting's diagnostic range, in both fixtures. */
export async function measureCodeActionLatency(ctx) {
  ctx.log('bench: language server: code-action latency ...');
  return judged(await (await lsp()).measureCodeActions(ctx));
}

/** HOOK: language-server RSS with 200 open documents (and per document). */
export async function measureOpenDocsMemory(ctx) {
  ctx.log('bench: language server: memory with 200 open documents ...');
  return judged(await (await lsp()).measureMemory(ctx));
}

/** HOOK: language-server RSS after the workspace model's pass over the 5,500-GPO tree with its topology. */
export async function measureWorkspaceModelMemory(ctx) {
  ctx.log('bench: language server: memory after the workspace pass over 5,500 GPOs ...');
  return judged(await (await lsp()).measureDomainMemory(ctx));
}

/**
 * HOOK: extension activation time. Option A (real VS Code: code-server from .e2e/ with VS Code's
 * extension-test harness) when installed, else option B (Node with a stub `vscode`). The metric's
 * label and note say which; RELAYLINT_BENCH_ACTIVATION=a|b forces one.
 */
export async function measureActivationTime(ctx) {
  const m = await lsp();
  const missing = m.optionAAvailable();
  ctx.log(`bench: extension activation (${missing.length ? 'option B: Node + stub vscode' : 'option A: code-server extension host, about 30 s'}) ...`);
  return judged(await m.measureActivation(ctx));
}

/** .vsix size: measured when relaylint.vsix exists (built by `npm run package`). */
export async function measureVsixSize(ctx) {
  const p = path.join(ctx.root, 'relaylint.vsix');
  if (!fs.existsSync(p)) return [{ ...notYet('ext.vsix.bytes', '.vsix size', 'bytes'), note: 'relaylint.vsix not found; run `npm run package` first' }];
  return judged([{ id: 'ext.vsix.bytes', label: '.vsix size', value: fs.statSync(p).size, unit: 'bytes', status: 'measured' }]);
}

export const LANGUAGE_SERVER_HOOKS = [
  measureDiagnosticsLatency, measureHoverLatency, measureCodeActionLatency, measureOpenDocsMemory,
  measureWorkspaceModelMemory, measureActivationTime, measureVsixSize,
];

// ---------------------------------------------------------------------------------------------
// Child entry point

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const [mode, dir] = process.argv.slice(2);
  if (mode !== 'io-floor' || !dir) {
    console.error('usage: node scripts/bench-lib.mjs io-floor <dir>');
    process.exitCode = 2;
  } else {
    process.stdout.write(JSON.stringify(ioFloorWalk(dir)) + '\n');
  }
}
