import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '../../..');
export const CLI = path.join(REPO, 'server/out/cli.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run the bundled CLI (built by `npm run build`, which `npm test` runs first). */
export function runCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? REPO,
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function tempDir(prefix = 'relaylint-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** UTF-16LE with BOM, the way GPMC writes security templates. */
export function utf16bom(text: string): Buffer {
  return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
}

export function writeFile(dir: string, rel: string, data: string | Buffer): string {
  const p = path.join(dir, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, data);
  return p;
}

/** Indexes of the bytes that differ between two buffers of possibly different length, as [start, endA, endB] runs. */
export function diffRuns(a: Buffer, b: Buffer): [number, number, number][] {
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  if (start === a.length && start === b.length) return [];
  let ea = a.length;
  let eb = b.length;
  while (ea > start && eb > start && a[ea - 1] === b[eb - 1]) {
    ea--;
    eb--;
  }
  return [[start, ea, eb]];
}
