/**
 * The `relaylint` command (bundled as `server/out/cli.js`): a small launcher. It loads none of the
 * program itself, so this thread's heap stays near an empty node's (bench/README.md).
 *
 * `scan` and `report` run on two worker threads of this process: the scan thread (the whole
 * program, `cli-main.js`, with a small young generation and an old space that still fits the
 * largest file relaylint reads; V8 otherwise grows its heap lazily to ~160 MB on a large tree) and
 * the reading thread (`cli-feed.js`: it runs the walk and the reads only, with its own small heap). The two
 * talk over their own channel (cli/feed.ts). A crash of either is reported and exits 2. Every other
 * command runs the program on this thread.
 */
import * as path from 'node:path';
import { MessageChannel, Worker } from 'node:worker_threads';

/** The whole program (cli.ts), loaded only when this thread runs it. */
const PROGRAM = path.join(__dirname, 'cli-main.js');
/** The reading thread (cli/feed-thread.ts). */
const FEED = path.join(__dirname, 'cli-feed.js');

function runHere(argv: string[]): void {
  // A path computed at run time: the program is its own bundle, not part of this one.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const program = require(PROGRAM) as { main(argv: string[]): Promise<number> };
  program.main(argv).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(`relaylint: internal error: ${(e as Error).stack ?? e}\n`);
      process.exitCode = 2;
    },
  );
}

/**
 * `RELAYLINT_SCAN_MODE=process` (for comparison, bench/README.md): the scan runs in a child node with
 * a small young generation instead of on a worker thread.
 */
const LEAN_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=768'];

function needsLeanHeap(argv: string[]): boolean {
  return (argv[0] === 'scan' || argv[0] === 'report') && !process.env.RELAYLINT_LEAN_CHILD && !process.execArgv.some((a) => a.startsWith('--max-semi-space-size'));
}

function runWithLeanHeap(argv: string[]): void {
  // Loaded here only: the default (worker-thread) scan does not need it at start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const r = spawnSync(process.execPath, [...process.execArgv, ...LEAN_FLAGS, __filename, ...argv], {
    stdio: 'inherit',
    env: { ...process.env, RELAYLINT_LEAN_CHILD: '1' },
  });
  if (r.error) {
    // Could not start a second node: scan in this process instead.
    process.env.RELAYLINT_LEAN_CHILD = '1';
    runHere(argv);
    return;
  }
  if (r.signal === 'SIGINT' || r.signal === 'SIGTERM' || r.signal === 'SIGHUP' || r.signal === 'SIGPIPE') process.kill(process.pid, r.signal);
  if (r.signal || (r.status !== null && r.status > 2)) {
    // Out of memory (SIGABRT, 134), killed (SIGKILL): whatever was printed is incomplete.
    process.stderr.write(`relaylint: the scan process crashed (${r.signal ?? `exit code ${r.status}`}${r.signal === 'SIGABRT' || r.status === 134 ? ', probably out of memory' : ''}); its report is incomplete\n`);
    process.exitCode = 2;
    return;
  }
  process.exitCode = r.status ?? 2;
}

function runScanThread(argv: string[]): void {
  const channel = new MessageChannel();
  const w = new Worker(PROGRAM, {
    argv: [],
    workerData: { relaylintScan: { argv, tty: { stdout: !!process.stdout.isTTY, stderr: !!process.stderr.isTTY }, feed: channel.port1 } },
    transferList: [channel.port1],
    resourceLimits: { maxYoungGenerationSizeMb: 12, maxOldGenerationSizeMb: 768 },
    stdout: false,
    stderr: false,
  });
  // The reading thread's live data is a few MB, but it makes garbage fast; on this (main) thread,
  // whose heap limits are fixed when node starts, V8 let that garbage grow the process by ~50 MB at
  // 55,000 GPOs (bench/README.md).
  const reader = new Worker(FEED, {
    argv: [],
    workerData: { relaylintFeedThread: { port: channel.port2 } },
    transferList: [channel.port2],
    resourceLimits: { maxYoungGenerationSizeMb: 2, maxOldGenerationSizeMb: feedHeapMb() },
    stdout: false,
    stderr: false,
  });
  let code: number | undefined;
  const crashed = (what: string) => (e: Error) => {
    process.stderr.write(`relaylint: ${what} crashed (${(e as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out of memory' : e.message}); its report is incomplete\n`);
    code = 2;
    void w.terminate();
  };
  w.on('message', (m: { exitCode?: number }) => {
    if (typeof m?.exitCode === 'number') code = m.exitCode;
  });
  w.on('error', crashed('the scan'));
  reader.on('error', crashed('reading the folders for the scan'));
  w.on('exit', () => {
    void reader.terminate();
    process.exitCode = code ?? 2;
  });
}

/** Old-space limit of the reading thread (RELAYLINT_FEED_HEAP_MB overrides it for tests). */
function feedHeapMb(): number {
  const n = Number(process.env.RELAYLINT_FEED_HEAP_MB);
  return Number.isInteger(n) && n >= 8 ? n : 32;
}

const argv = process.argv.slice(2);
if (!needsLeanHeap(argv)) runHere(argv);
else if (process.env.RELAYLINT_SCAN_MODE === 'process') runWithLeanHeap(argv);
else runScanThread(argv);
