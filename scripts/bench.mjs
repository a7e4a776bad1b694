#!/usr/bin/env node
// relaylint benchmark ("Fast at domain scale"). Run with `npm run bench` (builds first) or
// `node scripts/bench.mjs [--large] [--seed N] [--runs N] [--sizes 550,5500] [--no-cli] [--timeout S] [--ok-exit 0,1]`.
//
// 1. Generates (or reuses, when the marker matches) bench/sysvol-550 and bench/sysvol-5500
//    (+ bench/sysvol-55000 with --large) with scripts/gen-sysvol.mjs.
// 2. I/O floor: a separate node process reads every byte of the tree (sorted walk, readFileSync).
// 3. Scan: `node server/out/cli.js scan <tree> --format json > /dev/null`, wall time + peak RSS.
//    Floor and scan each run --runs times (default 2); the last run is reported (warm page cache).
// 4. Growth: scan time per GPO between sizes (fixed CLI start-up subtracted).
// 5. Language-server figures through the hooks in scripts/bench-lib.mjs.
// Prints a table, writes bench/out/results.json, prints PASS/MISS per target.
// Exit code: 0 when everything that should run ran (MISS does not fail the run; "CLI not built yet"
// does not either); 1 when something could not run (generation, I/O floor, a CLI crash, a hook error).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  LANGUAGE_SERVER_HOOKS, detectTimeTool, machineInfo, runMeasured, writeLanguageServerFixtures,
} from './bench-lib.mjs';
import { benchTree, GENERATOR_VERSION, generateArgs, markerMatches, readMarker, writeTopology } from './gen-sysvol.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BENCH = path.join(ROOT, 'bench');
const OUT = path.join(BENCH, 'out');
let CLI = path.join(ROOT, 'server', 'out', 'cli.js'); // --cli overrides
const NODE = process.execPath;
const rel = (p) => path.relative(ROOT, p) || '.';

/** Paired runs (scan without, scan with the topology) for the topology ratio on trees up to 10,000 GPOs; the first pair warms the cache. */
const TOPOLOGY_PAIRS = 6;
const TARGETS = {
  scanVsFloor: 3, // scan <= 3x I/O floor
  peakRssMB: 150, // < 150 MB
  growth: 1.5, // per-GPO cost at the larger size within 1.5x of the smallest
  topologyVsPlain: 1.2, // scan with topology within 1.2x of the same scan without (issue 11)
  diagGpreportMs: 50,
  hoverP95Ms: 10,
  activationMs: 300,
  vsixBytes: 1_000_000,
};

// ---------------------------------------------------------------------------------------------

function parseArgs(argv) {
  const a = { large: false, seed: 1, runs: 2, sizes: null, cli: true, editor: true, topology: true, chain: false, timeoutS: 1800, okExit: [0, 1], rss: 'auto', help: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const val = () => { if (i + 1 >= argv.length) throw new Error(`${k} needs a value`); return argv[++i]; };
    if (k === '--large') a.large = true;
    else if (k === '--seed') a.seed = Number(val());
    else if (k === '--runs') a.runs = Number(val());
    else if (k === '--sizes') a.sizes = val().split(',').map(Number);
    else if (k === '--no-cli') a.cli = false;
    else if (k === '--timeout') a.timeoutS = Number(val());
    else if (k === '--ok-exit') a.okExit = val().split(',').map(Number);
    else if (k === '--rss') a.rss = val();
    else if (k === '--no-editor') a.editor = false;
    else if (k === '--no-topology') a.topology = false;
    else if (k === '--all') a.chain = true;
    else if (k === '--cli') a.cliPath = path.resolve(val());
    else if (k === '-h' || k === '--help') a.help = true;
    else throw new Error(`unknown argument ${k}`);
  }
  a.sizes ??= a.large ? [550, 5500, 55000] : [550, 5500];
  if (a.sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--sizes wants positive integers');
  if (!Number.isInteger(a.runs) || a.runs < 1) throw new Error('--runs wants a positive integer');
  if (!Number.isInteger(a.seed) || a.seed < 0) throw new Error('--seed wants a non-negative integer');
  if (!['auto', 'time', 'poll'].includes(a.rss)) throw new Error('--rss wants auto, time or poll');
  a.sizes = [...new Set(a.sizes)].sort((x, y) => x - y);
  return a;
}

const log = (s = '') => process.stdout.write(s + '\n');
const fmt = (n, d = 2) => (n === null || n === undefined || Number.isNaN(n) ? '—' : n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d }));
const int = (n) => (n === null || n === undefined ? '—' : Math.round(n).toLocaleString('en-US'));

function table(headers, rows) {
  const w = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  return [line(headers), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * The median (lower middle) of the runs after the first, by `key`: the first only warms the page
 * cache. With one or two runs, the last (the only warm one, or the only one).
 */
function warmMedian(xs, key = (x) => x) {
  const later = (xs.length > 1 ? xs.slice(1) : xs).slice().sort((a, b) => key(a) - key(b));
  return later[Math.floor((later.length - 1) / 2)];
}

/**
 * Runs `runs` times; returns { last, all, warm }. Stops early if a run does not complete.
 * `warm` is the run to report: the first run only warms the page cache, and the reported run is the
 * median (by seconds) of the later ones, i.e. the second run at the default --runs 2.
 */
async function repeat(runs, fn) {
  const all = [];
  for (let i = 0; i < runs; i++) {
    const r = await fn(i);
    all.push(r);
    if (!r.ok) break;
  }
  const last = all[all.length - 1];
  const warm = last.ok && all.length > 2 ? warmMedian(all, (r) => r.seconds) : last;
  return { last, all, warm };
}

// ---------------------------------------------------------------------------------------------

async function ensureTree(gpos, seed, errors) {
  const dir = benchTree(ROOT, gpos);
  if (markerMatches(dir, { seed, gpos })) {
    const m = readMarker(dir);
    log(`bench: reusing ${rel(dir)} (seed ${seed}, generator v${GENERATOR_VERSION}, ${int(m.files)} files, ${fmt(m.bytes / 1e6, 1)} MB)`);
    return { dir, gpos, files: m.files, bytes: m.bytes, reused: true };
  }
  log(`bench: generating ${rel(dir)} (${int(gpos)} GPOs, seed ${seed}) ...`);
  const r = await runMeasured(NODE, generateArgs({ gpos, seed, out: dir }),
    { stdout: 'capture', measureRss: false, timeoutMs: 60 * 60_000 });
  for (const l of r.stdout.trim().split('\n')) if (l) log(`  ${l}`);
  if (r.code !== 0 || !markerMatches(dir, { seed, gpos })) {
    const msg = `could not generate ${rel(dir)}: ${r.stderrTail.trim() || `exit ${r.code}`}`;
    log(`bench: ${msg}`);
    errors.push(msg);
    return null;
  }
  const m = readMarker(dir);
  return { dir, gpos, files: m.files, bytes: m.bytes, reused: false, genSeconds: r.wallMs / 1000 };
}

async function ioFloor(tree, runs, timeTool, errors) {
  const { last, all, warm } = await repeat(runs, async () => {
    const r = await runMeasured(NODE, [path.join(ROOT, 'scripts', 'bench-lib.mjs'), 'io-floor', tree.dir], { stdout: 'capture', timeTool, tmpDir: OUT });
    let parsed = null;
    try { parsed = JSON.parse(r.stdout); } catch { /* below */ }
    return { ok: r.code === 0 && !!parsed, seconds: r.wallMs / 1000, peakRssMB: r.peakRssMB, files: parsed?.files, bytes: parsed?.bytes, stderr: r.stderrTail };
  });
  if (!last.ok) {
    const msg = `I/O floor failed on ${rel(tree.dir)}: ${last.stderr.trim()}`;
    log(`bench: ${msg}`);
    errors.push(msg);
    return null;
  }
  if (last.files !== tree.files || last.bytes !== tree.bytes) {
    log(`bench: note: I/O floor read ${last.files} files / ${last.bytes} bytes, generator marker says ${tree.files} / ${tree.bytes}`);
  }
  return { seconds: warm.seconds, runs: all.map((r) => r.seconds), files: last.files, bytes: last.bytes };
}

/**
 * One CLI invocation. First run writes stdout to bench/out/scan-<n>.json (kept for inspection and
 * checked to be JSON); later runs go to /dev/null. Returns a classified result.
 */
async function cliRun(target, outFile, args, timeTool, extra = []) {
  const r = await runMeasured(NODE, [CLI, 'scan', target, '--format', 'json', ...extra], {
    stdout: outFile ?? 'null', timeTool, timeoutMs: args.timeoutS * 1000, tmpDir: OUT, cwd: ROOT,
  });
  const completed = !r.timedOut && !r.signal && args.okExit.includes(r.code);
  let state = 'ok';
  if (!completed) state = /not built yet/i.test(r.stderrTail) ? 'stub' : 'failed';
  return { ...r, ok: completed, state, seconds: r.wallMs / 1000 };
}

/** The most telling stderr line: the first error line, else the last non-empty lines. */
function stderrGist(text) {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^\w*Error\b/.test(l)) ?? lines.find((l) => /\b\w*Error\b|ERR_/.test(l)) ?? lines.slice(-3).join(' | ');
}

function describeFailure(r) {
  if (r.timedOut) return `timed out after ${fmt(r.seconds, 0)} s`;
  if (r.signal) return `killed by ${r.signal}`;
  return `exit code ${r.code}`;
}

function checkJson(file) {
  try {
    const size = fs.statSync(file).size;
    if (size === 0) return { bytes: 0, valid: false, note: 'empty output' };
    if (size > 256 * 1024 * 1024) {
      // Too large to parse in this process: check that it opens and closes like a JSON object/array,
      // then delete it (a 55,000-GPO report is over a gigabyte).
      const fd = fs.openSync(file, 'r');
      const head = Buffer.alloc(64), tail = Buffer.alloc(64);
      fs.readSync(fd, head, 0, 64, 0);
      fs.readSync(fd, tail, 0, 64, size - 64);
      fs.closeSync(fd);
      const h = head.toString('utf8').trimStart()[0], t = tail.toString('utf8').trimEnd().slice(-1);
      const valid = (h === '{' && t === '}') || (h === '[' && t === ']');
      if (valid) fs.rmSync(file, { force: true });
      return { bytes: size, valid, note: valid ? 'too large to parse here: first/last characters checked, file deleted' : `does not end like JSON (starts '${h}', ends '${t}')` };
    }
    const v = JSON.parse(fs.readFileSync(file, 'utf8'));
    const shape = Array.isArray(v) ? `array of ${v.length}` : v && typeof v === 'object' ? `object with keys ${Object.keys(v).slice(0, 8).join(', ')}` : typeof v;
    const filesReported = Array.isArray(v?.files) ? v.files.length : null;
    return { bytes: size, valid: true, note: shape, filesReported };
  } catch (e) {
    return { bytes: fs.existsSync(file) ? fs.statSync(file).size : 0, valid: false, note: `not JSON: ${e.message.slice(0, 120)}` };
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  let args;
  try { args = parseArgs(process.argv.slice(2)); } catch (e) { console.error(`bench: ${e.message}`); return 2; }
  if (args.help) {
    log('usage: node scripts/bench.mjs [--large] [--seed N] [--runs N] [--sizes 550,5500] [--no-cli] [--timeout SECONDS] [--ok-exit 0,1] [--rss auto|time|poll] [--cli PATH] [--no-editor] [--no-topology] [--all]');
    return 0;
  }
  if (args.cliPath) CLI = args.cliPath;
  const errors = [];
  fs.mkdirSync(OUT, { recursive: true });
  const machine = machineInfo();
  const timeTool = args.rss === 'poll' ? null : detectTimeTool();
  if (args.rss === 'time' && !timeTool) { console.error('bench: --rss time: no /usr/bin/time that reports peak RSS'); return 1; }
  const rssMethod = timeTool ? `${timeTool.path} ${timeTool.flavor === 'gnu' ? '-v' : '-l'}` : fs.existsSync('/proc/self/status') ? '/proc/<pid>/status VmHWM polling every 5 ms (lower bound)' : 'unavailable';
  log(`relaylint bench — ${machine.cpuModel} ×${machine.cpuCount}, ${int(machine.totalMemoryMB)} MB RAM, node ${machine.node}, ${machine.platform}, ${machine.date}`);
  log(`peak RSS via ${rssMethod}; each measurement runs ${args.runs}× back to back and the first run only warms up${args.runs > 2 ? ' (reported: median of the later runs)' : args.runs === 2 ? ' (reported: the second run)' : ' (--runs 1: COLD CACHE, not comparable)'}, so the I/O floor and the scan both see a warm page cache.`);
  if (args.sizes.includes(55000) || args.sizes.some((n) => n >= 20000)) log('bench: the large tree needs about 1.4 GB of disk per 55,000 GPOs.');

  // 1. Trees
  const trees = [];
  for (const n of args.sizes) {
    const t = await ensureTree(n, args.seed, errors);
    if (t) trees.push(t);
  }

  // 2. CLI state and fixed start-up cost
  let cli = { state: 'skipped', note: '--no-cli' };
  if (args.cli) {
    if (!fs.existsSync(CLI)) {
      cli = { state: 'missing', note: `CLI not built yet (${rel(CLI)} missing)` };
    } else {
      cli = { state: 'present' };
    }
  }
  let nodeStartup = null;
  {
    const { all } = await repeat(3, async () => { const r = await runMeasured(NODE, ['-e', ''], { measureRss: false }); return { ok: r.code === 0, seconds: r.wallMs / 1000 }; });
    nodeStartup = all.map((r) => r.seconds).sort((a, b) => a - b)[1] ?? all[0].seconds;
  }
  let fixed = { seconds: nodeStartup, source: 'bare `node -e ""` start-up' };
  if (cli.state === 'present') {
    const empty = path.join(OUT, 'empty-tree');
    fs.mkdirSync(empty, { recursive: true });
    const { last } = await repeat(2, () => cliRun(empty, null, args, null));
    if (last.ok) fixed = { seconds: last.seconds, source: `\`cli.js scan <empty dir>\`` };
    else if (last.state === 'stub') cli = { state: 'stub', note: `CLI not built yet (${rel(CLI)} is still the placeholder: "${last.stderrTail.trim()}")` };
    else log(`bench: note: scanning an empty folder gave ${describeFailure(last)}; using bare node start-up as the fixed cost`);
  }
  if (cli.state === 'missing' || cli.state === 'stub') log(`bench: ${cli.note}. Reporting the I/O floor only.`);

  // 3. Per tree: I/O floor, then scan
  const results = [];
  for (const t of trees) {
    log(`bench: ${rel(t.dir)}: I/O floor ...`);
    const floor = await ioFloor(t, args.runs, timeTool, errors);
    let scan = null;
    if (cli.state === 'present') {
      log(`bench: ${rel(t.dir)}: scan ...`);
      const outFile = path.join(OUT, `scan-${t.gpos}.json`);
      const { last, all, warm } = await repeat(args.runs, (i) => cliRun(t.dir, i === 0 ? outFile : null, args, timeTool));
      if (last.ok) {
        const json = checkJson(outFile);
        if (json.valid === false) {
          // A scan that exits "successfully" with broken JSON has not really been measured.
          const first = all[0];
          const err = first.stderrTail.trim() ? `; exit ${first.code}, stderr: ${stderrGist(first.stderrTail)}` : `; exit ${first.code}`;
          const msg = `CLI output for ${rel(t.dir)} is not valid JSON (${json.note}; ${int(json.bytes)} bytes in ${rel(outFile)}${err}): scan figures are suspect`;
          log(`bench: ${msg}`);
          errors.push(msg);
        }
        scan = { seconds: warm.seconds, runs: all.map((r) => r.seconds), peakRssMB: Math.max(...all.map((r) => r.peakRssMB ?? 0)) || null, allPeakMB: Math.max(...all.map((r) => r.allPeakMB ?? 0)) || null, allHwmSumMB: Math.max(...all.map((r) => r.allHwmSumMB ?? 0)) || null, processes: Math.max(...all.map((r) => r.processes ?? 0)), exitCode: last.code, valid: json.valid !== false, output: { file: rel(outFile), ...json } };
      } else if (last.state === 'stub') {
        cli = { state: 'stub', note: `CLI not built yet (${rel(CLI)} is still the placeholder)` };
        log(`bench: ${cli.note}`);
      } else {
        const msg = `CLI scan of ${rel(t.dir)} failed (${describeFailure(last)}): ${stderrGist(last.stderrTail)}`;
        log(`bench: ${msg}`);
        errors.push(msg);
        cli = { state: 'failed', note: msg };
      }
    }
    // Issue 11: the same scan with the tree's topology (one OU per five GPOs), and the
    // effective-policy computation alone (the CLI prints its time with RELAYLINT_TIMING=1). The
    // ratio is taken pair by pair: a scan without, then the same scan with the topology, in turn,
    // so a machine whose speed drifts during the bench moves both sides of each ratio alike. The
    // figure is the median of the pair ratios (the first pair only warms the cache when there are
    // more); the scan times alone would compare runs made a minute apart.
    let topo = null;
    if (scan && args.topology) {
      const ldf = writeTopology(t.dir, { seed: args.seed, gpos: t.gpos });
      const pairs = t.gpos <= 10_000 ? Math.max(args.runs, TOPOLOGY_PAIRS) : args.runs;
      log(`bench: ${rel(t.dir)}: scan --topology ${rel(ldf)}, ${pairs} pairs with the scan without ...`);
      const ratios = [];
      const withRuns = [];
      const withoutRuns = [];
      let last = null;
      let failed = null;
      for (let i = 0; i < pairs && !failed; i++) {
        const plain = await cliRun(t.dir, null, args, timeTool);
        if (!plain.ok) {
          failed = plain;
          break;
        }
        process.env.RELAYLINT_TIMING = '1';
        last = await cliRun(t.dir, null, args, timeTool, ['--topology', ldf]);
        delete process.env.RELAYLINT_TIMING;
        if (!last.ok) {
          failed = last;
          break;
        }
        withoutRuns.push(plain.seconds);
        withRuns.push(last.seconds);
        ratios.push(last.seconds / plain.seconds);
      }
      const m = last && /timing: effective policy ([\d.]+) ms, (\d+) scopes, (\d+) scope-rule results/.exec(last.stderrTail);
      if (!failed && m) {
        const counted = ratios.length > 1 ? ratios.slice(1) : ratios;
        const ratio = warmMedian(ratios);
        topo = {
          seconds: warmMedian(withRuns),
          withoutSeconds: warmMedian(withoutRuns),
          runs: withRuns,
          withoutRuns,
          pairRatios: ratios,
          ratio,
          effectiveMs: Number(m[1]),
          scopes: Number(m[2]),
          scopeRules: Number(m[3]),
        };
        log(`  with topology: ${fmt(topo.seconds, 3)} s vs ${fmt(topo.withoutSeconds, 3)} s without: ${fmt(ratio, 2)}× (median of ${counted.length} paired ratios, ${fmt(Math.min(...counted), 2)}–${fmt(Math.max(...counted), 2)}), effective policy ${fmt(topo.effectiveMs, 1)} ms for ${int(topo.scopes)} scopes × rules = ${int(topo.scopeRules)} results`);
      } else {
        const bad = failed ?? last;
        const msg = `CLI scan of ${rel(t.dir)} with topology failed (${bad ? describeFailure(bad) : 'no run'}): ${bad ? stderrGist(bad.stderrTail) : ''}`;
        log(`bench: ${msg}`);
        errors.push(msg);
      }
    }
    if (scan?.output) {
      const o = scan.output;
      log(`  scan output: ${o.file}, ${fmt(o.bytes / 1e6, 1)} MB, ${o.valid ? 'valid JSON' : o.valid === null ? 'unchecked' : 'NOT valid JSON'}${o.filesReported != null ? `, ${int(o.filesReported)} file entries` : ''}${o.valid && o.filesReported == null ? ` (${o.note})` : ''}`);
    }
    const mb = t.bytes / 1e6;
    results.push({
      tree: rel(t.dir), gpos: t.gpos, files: t.files, bytes: t.bytes, reused: t.reused,
      ioFloorSeconds: floor?.seconds ?? null, ioFloorRuns: floor?.runs ?? [],
      scanSeconds: scan?.seconds ?? null, scanRuns: scan?.runs ?? [],
      scanOverFloor: scan && floor ? scan.seconds / floor.seconds : null,
      filesPerSecond: scan ? t.files / scan.seconds : null,
      mbPerSecond: scan ? mb / scan.seconds : null,
      peakRssMB: scan?.peakRssMB ?? null,
      allPeakMB: scan?.allPeakMB ?? null,
      allHwmSumMB: scan?.allHwmSumMB ?? null,
      processes: scan?.processes ?? null,
      scanExitCode: scan?.exitCode ?? null,
      scanOutputValid: scan ? scan.valid : null,
      scanOutput: scan?.output ?? null,
      ioFloorMbPerSecond: floor ? mb / floor.seconds : null,
      topology: topo,
    });
  }

  // 4. Growth
  const base = results.find((r) => r.scanSeconds !== null) ?? null;
  const perGpo = (r, key) => (r[key] === null ? null : (Math.max(0, r[key] - (key === 'scanSeconds' ? fixed.seconds : nodeStartup)) * 1000) / r.gpos);
  const growth = results.map((r) => ({
    tree: r.tree, gpos: r.gpos,
    scanMsPerGpo: perGpo(r, 'scanSeconds'),
    ioFloorMsPerGpo: perGpo(r, 'ioFloorSeconds'),
    scanMsPerMB: r.scanSeconds === null ? null : (Math.max(0, r.scanSeconds - fixed.seconds) * 1000) / (r.bytes / 1e6),
    vsSmallest: base && r.scanSeconds !== null && perGpo(base, 'scanSeconds') > 0 ? perGpo(r, 'scanSeconds') / perGpo(base, 'scanSeconds') : null,
  }));

  // 5. Language-server hooks
  const fixtures = await writeLanguageServerFixtures(path.join(OUT, 'fixtures'), args.seed);
  const ctx = {
    root: ROOT, serverModule: path.join(ROOT, 'server', 'out', 'server.js'), clientModule: path.join(ROOT, 'client', 'out', 'extension.js'),
    fixtures, outDir: OUT, timeTool, runMeasured, log,
    trees: trees.map((t) => ({ gpos: t.gpos, dir: t.dir })), seed: args.seed,
  };
  const lsp = [];
  for (const hook of args.editor ? LANGUAGE_SERVER_HOOKS : []) {
    try {
      lsp.push(...(await hook(ctx)));
    } catch (e) {
      const msg = `language-server hook ${hook.name} failed: ${e?.stack ?? e}`;
      errors.push(msg);
      lsp.push({ id: hook.name, label: hook.name, value: null, unit: '', status: 'failed', note: String(e?.message ?? e) });
    }
  }
  const metric = (id) => lsp.find((m) => m.id === id);

  // 6. Targets
  const targets = [];
  const addTarget = (name, checks) => {
    // checks: [{ what, value, pass }] where value === null means "not measured"
    const measured = checks.filter((c) => c.value !== null && c.value !== undefined);
    const status = measured.length === 0 ? 'n/a' : measured.every((c) => c.pass) ? 'PASS' : 'MISS';
    if (!checks.length) checks = [{ what: 'needs at least two tree sizes', value: null, why: 'not applicable' }];
    targets.push({ target: name, status, details: checks.map((c) => `${c.what}: ${c.value === null || c.value === undefined ? (c.why ?? 'not measured yet') : c.text}`) });
  };
  const cliWhy = cli.state === 'present' ? undefined : cli.state === 'skipped' ? 'CLI skipped' : cli.state === 'failed' ? 'CLI failed' : 'CLI not built yet';
  // Figures from a scan whose JSON output is broken are shown in the table but not judged.
  const validRow = (r) => r.scanOutputValid !== false;
  const why = (r) => (validRow(r) ? cliWhy : 'CLI output not valid JSON');
  const baseValid = !base || validRow(base);
  addTarget(`scan ≤ ${TARGETS.scanVsFloor}× I/O floor`, results.map((r) => ({ what: r.tree, value: validRow(r) ? r.scanOverFloor : null, pass: r.scanOverFloor <= TARGETS.scanVsFloor, text: `${fmt(r.scanOverFloor)}×`, why: why(r) })));
  // The target is on ALL relaylint processes together (the launcher included): the sampled sum of
  // their RSS, or where /proc is missing, the single-process figure.
  const allOf = (r) => r.allPeakMB ?? r.peakRssMB;
  addTarget(`peak RSS of all processes < ${TARGETS.peakRssMB} MiB`, results.map((r) => ({ what: r.tree, value: validRow(r) ? allOf(r) : null, pass: allOf(r) < TARGETS.peakRssMB, text: `${fmt(allOf(r), 1)} MiB (${r.processes ?? '?'} processes; sum of their own peaks ${fmt(r.allHwmSumMB, 1)} MiB)`, why: r.scanSeconds !== null && validRow(r) ? 'RSS not measurable here' : why(r) })));
  addTarget(`linear growth (per-GPO scan cost within ${TARGETS.growth}× of ${base ? int(base.gpos) : 'the smallest tree'})`,
    growth.filter((g, i) => (base ? g.gpos !== base.gpos : i > 0)).map((g) => {
      const r = results.find((x) => x.tree === g.tree);
      const ok = validRow(r) && baseValid;
      return { what: g.tree, value: ok ? g.vsSmallest : null, pass: g.vsSmallest <= TARGETS.growth, text: `${fmt(g.vsSmallest)}×`, why: ok ? cliWhy : 'CLI output not valid JSON' };
    }));
  addTarget(`scan with topology ≤ ${TARGETS.topologyVsPlain}× the scan without`, results.map((r) => ({
    what: r.tree, value: r.topology ? r.topology.ratio : null,
    pass: r.topology && r.topology.ratio <= TARGETS.topologyVsPlain,
    text: r.topology ? `${fmt(r.topology.ratio)}× (median of ${r.topology.pairRatios.length > 1 ? r.topology.pairRatios.length - 1 : 1} paired runs; ${fmt(r.topology.seconds, 3)} s vs ${fmt(r.topology.withoutSeconds, 3)} s)` : '',
    why: args.topology ? cliWhy ?? 'topology scan failed' : '--no-topology',
  })));
  // Linear in OUs × rules: the effective-policy time per scope-rule result of each larger tree
  // against the smallest (the same 1.5× bound as the scan's growth).
  const topoRows = results.filter((r) => r.topology);
  const perResult = (r) => r.topology.effectiveMs / r.topology.scopeRules;
  addTarget(`effective policy linear in OUs × rules (per-result cost within ${TARGETS.growth}× of the smallest tree)`,
    topoRows.slice(1).map((r) => ({ what: r.tree, value: perResult(r) / perResult(topoRows[0]), pass: perResult(r) / perResult(topoRows[0]) <= TARGETS.growth,
      text: `${fmt(perResult(r) * 1000, 1)} µs vs ${fmt(perResult(topoRows[0]) * 1000, 1)} µs per result (${int(r.topology.scopeRules)} vs ${int(topoRows[0].topology.scopeRules)} results): ${fmt(perResult(r) / perResult(topoRows[0]))}×` })));
  const m1 = metric('lsp.diagnostics.gpreport1mb.ms');
  addTarget(`diagnostics < ${TARGETS.diagGpreportMs} ms for the 1 MB gpreport.xml`, [{ what: 'latency', value: m1?.value ?? null, pass: m1?.value < TARGETS.diagGpreportMs, text: `${fmt(m1?.value, 1)} ms` }]);
  const m2 = metric('lsp.hover.p95.ms');
  addTarget(`hover p95 < ${TARGETS.hoverP95Ms} ms`, [{ what: 'p95', value: m2?.value ?? null, pass: m2?.value < TARGETS.hoverP95Ms, text: `${fmt(m2?.value, 1)} ms` }]);
  const m3 = metric('ext.activation.ms');
  addTarget(`activation < ${TARGETS.activationMs} ms`, [{ what: 'activation', value: m3?.value ?? null, pass: m3?.value < TARGETS.activationMs, text: `${fmt(m3?.value, 0)} ms` }]);
  const m4 = metric('ext.vsix.bytes');
  addTarget(`.vsix < ${int(TARGETS.vsixBytes)} bytes`, [{ what: 'relaylint.vsix', value: m4?.value ?? null, pass: m4?.value < TARGETS.vsixBytes, text: `${int(m4?.value)} bytes`, why: m4?.note }]);

  // 7. Output
  log('');
  log(`Scan: node ${rel(CLI)} scan <tree> --format json > /dev/null   (${cli.state === 'present' ? 'CLI present' : cli.note})`);
  log(table(
    ['tree', 'GPOs', 'files', 'MB', 'I/O floor s', 'scan s', 'scan/floor', 'files/s', 'MB/s', 'largest process MiB', 'all processes MiB'],
    results.map((r) => [r.tree, int(r.gpos), int(r.files), fmt(r.bytes / 1e6, 1), fmt(r.ioFloorSeconds, 3), `${fmt(r.scanSeconds, 3)}${r.scanOutputValid === false ? '*' : ''}`,
      r.scanOverFloor === null ? '—' : `${fmt(r.scanOverFloor)}×`, int(r.filesPerSecond), fmt(r.mbPerSecond, 1), fmt(r.peakRssMB, 1), fmt(r.allPeakMB, 1)]),
  ));
  log(`(seconds: wall time of a separate node process, start-up included, warm page cache; peak RSS: highest of the ${args.runs} runs; "all processes" = launcher + scanning child together, sampled every 5 ms)`);
  if (results.some((r) => r.scanOutputValid === false)) log('(* the CLI output of this scan was not valid JSON: the figure is shown but not judged)');
  log('');
  log(`Growth (fixed cost subtracted: ${fmt(fixed.seconds, 3)} s from ${fixed.source}; node start-up ${fmt(nodeStartup, 3)} s):`);
  log(table(['tree', 'GPOs', 'scan ms/GPO', `vs ${base ? int(base.gpos) : 'smallest'}`, 'scan ms/MB', 'I/O floor ms/GPO'],
    growth.map((g) => [g.tree, int(g.gpos), fmt(g.scanMsPerGpo, 3), g.vsSmallest === null ? '—' : `${fmt(g.vsSmallest)}×`, fmt(g.scanMsPerMB, 2), fmt(g.ioFloorMsPerGpo, 4)])));
  log('');
  log('Language server / extension (hooks in scripts/bench-lib.mjs):');
  log(table(['figure', 'value', 'status'], lsp.map((m) => [m.label, m.value === null ? '—' : `${m.unit === 'bytes' ? int(m.value) : fmt(m.value, m.unit === 'ms' ? 1 : 1)} ${m.unit}`, m.status + (m.note ? ` (${m.note})` : '')])));
  log('');
  log('Targets:');
  for (const t of targets) log(`  ${t.status.padEnd(4)}  ${t.target}   [${t.details.join('; ')}]`);
  log('');

  const resultsJson = {
    generatedBy: 'scripts/bench.mjs',
    machine,
    method: {
      runs: args.runs,
      reported: 'first run warms the page cache; reported seconds = median of the later runs (the second run when runs = 2); peak RSS = highest of all runs',
      ioFloor: 'node scripts/bench-lib.mjs io-floor <tree>: sorted walk, fs.readFileSync per file',
      scan: `node ${rel(CLI)} scan <tree> --format json > ${'/dev/null'} (first run to bench/out/scan-<n>.json)`,
      peakRss: rssMethod,
      fixedCost: { seconds: fixed.seconds, source: fixed.source },
      nodeStartupSeconds: nodeStartup,
      seed: args.seed,
      generatorVersion: GENERATOR_VERSION,
      acceptedExitCodes: args.okExit,
    },
    cli,
    trees: results,
    growth,
    languageServer: lsp,
    fixtures: Object.fromEntries(Object.entries(fixtures).map(([k, v]) => [k, typeof v === 'string' ? rel(v) : v])),
    targets,
    errors,
  };
  fs.writeFileSync(path.join(OUT, 'results.json'), JSON.stringify(resultsJson, null, 2) + '\n');
  log(`wrote ${rel(path.join(OUT, 'results.json'))}`);
  // --all: the EVTX reader and posture page benches too, each printing its own figures.
  if (args.chain) {
    const { spawnSync } = await import('node:child_process');
    for (const script of ['bench-evtx.mjs', 'bench-posture.mjs']) {
      log(`\nbench: node scripts/${script}`);
      const r = spawnSync(NODE, [path.join(ROOT, 'scripts', script)], { stdio: 'inherit', cwd: ROOT });
      if (r.status !== 0) errors.push(`scripts/${script} exited ${r.status ?? r.signal}`);
    }
  }
  if (errors.length) {
    log(`bench: ${errors.length} step(s) could not run:`);
    for (const e of errors) log(`  - ${e.split('\n')[0]}`);
    return 1;
  }
  return 0;
}

process.exitCode = await main();
