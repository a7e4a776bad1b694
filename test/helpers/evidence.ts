/** Helpers for the evidence tests: file-backed ByteSource, the python-evtx oracle. */
import { spawnSync } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { ByteSource } from '../../server/src/core/evidence/types';
import { REPO } from './cli';

/** The repository root: the one finder in `cli.ts`. */
export const ROOT = REPO;

export const EVTX_FIXTURES = join(ROOT, 'test', 'fixtures', 'evtx');

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(EVTX_FIXTURES, name)));
}

/** A ByteSource over a file descriptor (what the CLI does); close it with `close()`. */
export function fileSource(path: string): ByteSource & { close(): void } {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  return {
    size,
    read(offset: number, length: number): Uint8Array {
      const n = Math.max(0, Math.min(length, size - offset));
      const buf = Buffer.allocUnsafe(n);
      let got = 0;
      while (got < n) {
        const r = readSync(fd, buf, got, n - got, offset + got);
        if (r === 0) break;
        got += r;
      }
      return new Uint8Array(buf.buffer, buf.byteOffset, got);
    },
    close: () => closeSync(fd),
  };
}

export interface OracleRecord {
  record: number;
  eventId: string | null;
  time: string | null;
  computer: string | null;
  recordId: string | null;
  data: [string, string][];
  error?: string;
}

/** The Python that has python3-evtx (Debian's, also when a pyenv python3 comes first on PATH). */
export function oraclePython(): string {
  for (const p of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(p, ['-c', 'import Evtx'], { encoding: 'utf8' });
    if (r.status === 0) return p;
  }
  throw new Error('The EVTX oracle needs Debian python3-evtx: apt-get install -y python3-evtx');
}

export function runOracle(path: string): OracleRecord[] {
  const r = spawnSync(oraclePython(), [join(ROOT, 'test', 'helpers', 'evtx_oracle.py'), path], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`oracle failed on ${path}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as OracleRecord);
}
