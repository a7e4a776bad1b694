#!/usr/bin/env node
// Instructions of one scan, counted: for A/B comparisons that timing cannot make on a shared machine.
// `npm run bench:instructions` (builds first), or
// `node scripts/bench-instructions.mjs [--gpos 550 | --target <path>] [--topology] [--threads] [--cli <path>] [--node-flag <flag>]... [--json <file>]`
//
// Runs `node --single-threaded <cli> scan <target> --format json > /dev/null` under valgrind's
// callgrind and sorts the self cost of every function into a few kinds of work (`KINDS` below).
// The count is work, every thread's added up (compilation and garbage collection included), not
// wall time. On the 2-vCPU bench VM, whose two cores a scan keeps busy, the two go together; a
// change that only moves work from one thread to another shows here as what the move costs.
//
// By default the whole scan runs on one thread (RELAYLINT_LEAN_CHILD=1: the walk and the reads
// too) and V8 compiles and collects garbage on that thread (`--single-threaded`), so two runs of
// one build count the same instructions to within about 0.02% (bench/README.md, wave 10), where
// wall times on the bench VM vary by 15% and more from run to run. `--threads` counts the usual
// layout (scan thread and reading thread): about 1.1 billion instructions more at 550 GPOs (the
// second thread's start-up and the messages), and runs of one build differ by 0.5-1.5%.
//
// Needs valgrind (Debian package `valgrind`, which brings callgrind_annotate). Exit 0 when the count
// was made, 1 when it could not be (no valgrind, the scan failed), 2 on bad arguments.

import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchTree, generateArgs, markerMatches, writeTopology } from './gen-sysvol.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SEED = 1;

/**
 * Kinds of work by the symbol callgrind names (`file:function [object]`); the first that matches
 * wins. JavaScript compiled by V8 has no symbol: callgrind shows its address (`???:0x…`).
 */
export const KINDS = [
  ['optimizing compiler (TurboFan)', /v8::internal::compiler::|turboshaft|v8::internal::Pipeline|TurbofanCompilationJob|OptimizedCompilationJob|v8::internal::Zone::|v8::internal::maglev::/],
  ['compiled JavaScript', /^\?\?\?:0x[0-9a-f]+ \[\?\?\?\]$/],
  ['V8 builtins', /Builtins_/],
  ['garbage collection', /Scavenger|MarkCompact|Marking|Sweeper|heap::|Evacuat|RememberedSet|SlotSet|MemoryChunk|PagedSpace|NewSpace|LargeObjectSpace|GCTracer|v8::internal::Heap::/],
  ['JSON text', /JsonStringifier|JsonParser/],
  ['messages between threads', /ValueSerializer|ValueDeserializer/],
  ['loading code (parse, bytecode, baseline)', /Scanner|Parser|BytecodeGenerator|interpreter::|baseline::|AstValueFactory|Ast[A-Z]|SnapshotByteSource|Deserializer/],
  ['V8 runtime', /v8::internal::|v8::base::|v8::/],
  ['C and C++ libraries', /libc\.so|ld-linux|libstdc\+\+|libm\.so|libgcc/],
  ['node, libuv, OpenSSL, zlib', /node::|uv_|uv__|ossl_|OPENSSL_|EVP_|sha256_|Cr_z_|crc32/],
];
export const OTHER = 'other';

export function kindOf(symbol) {
  for (const [kind, re] of KINDS) if (re.test(symbol)) return kind;
  return OTHER;
}

/** Total and per-kind self cost from `callgrind_annotate --inclusive=no` output. */
export function summarise(annotated) {
  let total;
  const kinds = new Map([...KINDS.map(([k]) => [k, 0]), [OTHER, 0]]);
  let inFunctions = false;
  for (const line of annotated.split('\n')) {
    const m = /^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$/.exec(line);
    if (!m) {
      if (/^Ir\s+file:function/.test(line.trim())) inFunctions = true;
      continue;
    }
    const n = Number(m[1].replace(/,/g, ''));
    if (m[2].trim() === 'PROGRAM TOTALS') total = n;
    else if (inFunctions) {
      const kind = kindOf(m[2].trim());
      kinds.set(kind, kinds.get(kind) + n);
    }
  }
  if (total === undefined) throw new Error('no PROGRAM TOTALS line in the callgrind_annotate output');
  // What the threshold left out (callgrind_annotate lists functions down to 100% of the total, so this is rounding only).
  const listed = [...kinds.values()].reduce((a, b) => a + b, 0);
  kinds.set(OTHER, kinds.get(OTHER) + (total - listed));
  return { total, kinds: Object.fromEntries(kinds) };
}

function parseArgs(argv) {
  const a = { gpos: 550, target: undefined, topology: false, threads: false, cli: path.join(ROOT, 'server', 'out', 'cli.js'), nodeFlags: [], json: undefined, help: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${k} needs a value`);
      return argv[++i];
    };
    if (k === '--gpos') a.gpos = Number(val());
    else if (k === '--target') a.target = val();
    else if (k === '--topology') a.topology = true;
    else if (k === '--threads') a.threads = true;
    else if (k === '--cli') a.cli = path.resolve(val());
    else if (k === '--node-flag') a.nodeFlags.push(val());
    else if (k === '--json') a.json = path.resolve(val());
    else if (k === '--help' || k === '-h') a.help = true;
    else throw new Error(`unknown argument ${k}`);
  }
  if (!Number.isInteger(a.gpos) || a.gpos < 1) throw new Error('--gpos wants a positive whole number');
  if (a.target && a.topology) throw new Error('--topology goes with a generated tree (--gpos), not --target');
  return a;
}

/** Whether `name` can be started (callgrind_annotate --version prints its version and exits 255). */
function tool(name) {
  const r = spawnSync(name, ['--version'], { encoding: 'utf8' });
  return !r.error && /\d+\.\d+/.test(`${r.stdout}${r.stderr}`);
}

function main() {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`bench-instructions: ${e.message}`);
    return 2;
  }
  if (args.help) {
    const lines = fs.readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(1);
    console.log(lines.slice(0, lines.findIndex((l) => !l.startsWith('//'))).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
    return 0;
  }
  if (!tool('valgrind') || !tool('callgrind_annotate')) {
    console.error('bench-instructions: valgrind and callgrind_annotate are needed (Debian package valgrind)');
    return 1;
  }
  if (!fs.existsSync(args.cli)) {
    console.error(`bench-instructions: ${args.cli} is missing; run npm run build`);
    return 1;
  }
  let target = args.target;
  const extra = [];
  if (!target) {
    target = benchTree(ROOT, args.gpos);
    if (!markerMatches(target, { seed: SEED, gpos: args.gpos })) {
      console.log(`bench-instructions: generating ${path.relative(ROOT, target)} ...`);
      const g = spawnSync(process.execPath, generateArgs({ gpos: args.gpos, seed: SEED, out: target }), { stdio: 'inherit' });
      if (g.status !== 0) return 1;
    }
    if (args.topology) extra.push('--topology', writeTopology(target, { seed: SEED, gpos: args.gpos }));
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'relaylint-callgrind-'));
  try {
    const out = path.join(tmp, 'callgrind.out');
    const command = [process.execPath, '--single-threaded', ...args.nodeFlags, args.cli, 'scan', target, ...extra, '--format', 'json'];
    // The command as the console and the JSON show it: paths relative to the repository.
    const shown = command.slice(1).map((c) => (path.isAbsolute(c) ? path.relative(ROOT, c) : c));
    console.log(`bench-instructions: ${args.threads ? '' : 'RELAYLINT_LEAN_CHILD=1 '}valgrind --tool=callgrind node ${shown.join(' ')} (about a minute per 550 GPOs) ...`);
    const started = Date.now();
    // --smc-check: V8 writes the code it then runs (the default check misses that on the heap).
    const env = { ...process.env };
    if (args.threads) delete env.RELAYLINT_LEAN_CHILD;
    else env.RELAYLINT_LEAN_CHILD = '1';
    const r = spawnSync('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, ...command], {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (r.status !== 0 && r.status !== 1) {
      console.error(`bench-instructions: the scan failed (exit ${r.status ?? r.signal}):\n${(r.stderr ?? '').split('\n').slice(-15).join('\n')}`);
      return 1;
    }
    const a = spawnSync('callgrind_annotate', ['--inclusive=no', '--threshold=100', '--auto=no', out], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (a.status !== 0) {
      console.error(`bench-instructions: callgrind_annotate failed: ${a.stderr}`);
      return 1;
    }
    const { total, kinds } = summarise(a.stdout);
    const rows = Object.entries(kinds).sort((x, y) => y[1] - x[1]);
    const w = Math.max(...rows.map(([k]) => k.length));
    console.log(`\n${'kind of work'.padEnd(w)}  ${'instructions'.padStart(16)}  share`);
    for (const [k, n] of rows) console.log(`${k.padEnd(w)}  ${n.toLocaleString('en-US').padStart(16)}  ${((n / total) * 100).toFixed(1).padStart(5)}%`);
    console.log(`${'total'.padEnd(w)}  ${total.toLocaleString('en-US').padStart(16)}  (scan exit ${r.status}, ${((Date.now() - started) / 1000).toFixed(0)} s under valgrind)`);
    const result = { command: shown, layout: args.threads ? 'threads' : 'one thread', node: process.version, exit: r.status, total, kinds };
    const file = args.json ?? path.join(ROOT, 'bench', 'out', `instructions-${args.target ? 'target' : args.gpos}${args.topology ? '-topology' : ''}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
    console.log(`bench-instructions: wrote ${path.relative(ROOT, file) || file}`);
    return 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = main();
