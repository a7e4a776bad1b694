/**
 * Topology inputs from disk, shared by the CLI and the language server: every `--topology` file (or
 * the editor's `relaylint.topology` setting), and the topology exports found by content next to the
 * scanned folders. Parsing is the core's (`readTopologyInput`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { LIMITS, readTopologyInput, type TopologyPart } from '../core/index';
import { readRegular } from './safe-fs';

export interface LoadedTopology {
  parts: TopologyPart[];
  /** Files that could not be read at all (exit 2, like a missing scan path). */
  errors: { path: string; message: string }[];
}

const TOPOLOGY_NAME = /\.(ldf|ldif|json|zip)$/i;
const GUID_DIR = /^\{[0-9a-f-]{36}\}$/i;
const SKIP = new Set(['.git', 'node_modules', '.svn', '.hg']);

const inflateRaw = (data: Uint8Array, size: number) => inflateRawSync(data, { maxOutputLength: Math.max(1, Math.min(size, LIMITS.maxFileBytes)) });

function readOne(file: string, display: string, explicit: boolean, out: LoadedTopology): void {
  // The same safe read as every other input: regular files only, opened without blocking, the size
  // checked before a byte is read (a FIFO or /dev/zero named with --topology is a problem, not a hang).
  const r = readRegular(file, LIMITS.maxFileBytes);
  if (r.kind === 'too-large') {
    // Named by the user: fail closed. Found in a folder: it may be any large JSON or zip, so only say it.
    const severity = explicit ? 'error' : 'info';
    out.parts.push({ kind: 'ldif', source: display, soms: [], gpcs: [], lacks: [], problems: [{ source: display, severity, message: `The file is ${r.size} bytes; relaylint reads topology files up to ${LIMITS.maxFileBytes} bytes. It was not read.` }] });
    return;
  }
  if (r.kind !== 'ok') {
    if (explicit) out.errors.push({ path: file, message: r.kind === 'not-regular' ? `${r.what}, not a regular file` : r.code === 'ENOENT' ? 'no such file' : r.message });
    return;
  }
  const parts = readTopologyInput(display, r.bytes, { inflateRaw, explicit });
  if (parts) out.parts.push(...parts);
}

/**
 * Topology inputs: every `--topology` file, and files named `*.ldf|*.ldif|*.json|*.zip` in the
 * scanned folders that are topology exports by content. The folder search stays shallow (two levels
 * below each folder given) and never enters GPO folders (`{GUID}`), so a SYSVOL walk costs nothing extra.
 */
export function loadTopology(explicit: readonly string[], roots: readonly string[], display: (p: string) => string): LoadedTopology {
  const out: LoadedTopology = { parts: [], errors: [] };
  const seen = new Set<string>();
  for (const f of explicit) {
    seen.add(path.resolve(f));
    readOne(f, display(f), true, out);
  }
  for (const root of roots) {
    let st: fs.Stats;
    try {
      st = fs.statSync(root);
    } catch {
      continue;
    }
    if (!st.isDirectory()) continue;
    const stack: [string, number][] = [[root, 0]];
    while (stack.length) {
      const [dir, depth] = stack.pop() as [string, number];
      // The folder is read as a stream and only the names that matter are kept: a folder of a
      // million unrelated files costs no memory here.
      const dirs: string[] = [];
      const files: string[] = [];
      let d: fs.Dir;
      try {
        d = fs.opendirSync(dir, { bufferSize: 256 });
      } catch {
        continue;
      }
      try {
        for (let e = d.readSync(); e !== null; e = d.readSync()) {
          if (e.isDirectory()) {
            if (depth < 2 && !SKIP.has(e.name) && !GUID_DIR.test(e.name)) dirs.push(e.name);
          } else if (e.isFile() && TOPOLOGY_NAME.test(e.name)) files.push(e.name);
        }
      } catch {
        // a folder that vanished or cannot be read while listed: what was read is used
      } finally {
        d.closeSync();
      }
      const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      for (const name of files.sort(byName)) {
        const p = path.join(dir, name);
        if (seen.has(path.resolve(p))) continue;
        seen.add(path.resolve(p));
        readOne(p, display(p), false, out);
      }
      for (const name of dirs.sort(byName)) stack.push([path.join(dir, name), depth + 1]);
    }
  }
  return out;
}
