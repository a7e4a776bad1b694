/**
 * Topology inputs from disk, shared by the CLI and the language server: every `--topology` file (or
 * the editor's `relaylint.topology` setting), and the topology exports found by content next to the
 * scanned folders. Parsing is the core's (`readTopologyInput`). One code path for both: the same
 * files in the same order, the same problems and errors; the CLI reads on its thread
 * (`loadTopology`), the language server asynchronously (`loadTopologyAsync`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { LIMITS, readTopologyInput, type TopologyPart } from '../core/index';
import { readRegular, readRegularAsync, type ReadResult } from './safe-fs';

export interface LoadedTopology {
  parts: TopologyPart[];
  /** Files that could not be read at all (exit 2, like a missing scan path). */
  errors: { path: string; message: string }[];
}

const TOPOLOGY_NAME = /\.(ldf|ldif|json|zip)$/i;
const GUID_DIR = /^\{[0-9a-f-]{36}\}$/i;
const SKIP = new Set(['.git', 'node_modules', '.svn', '.hg']);

const inflateRaw = (data: Uint8Array, size: number) => inflateRawSync(data, { maxOutputLength: Math.max(1, Math.min(size, LIMITS.maxFileBytes)) });

/** Reads one file's bytes: `readRegular`, or `readRegularAsync` (the language server). */
export type TopologyReader = (file: string, maxBytes: number) => ReadResult | Promise<ReadResult>;

export interface TopologyLoadOptions {
  /**
   * Asked before each file is read (after the files named explicitly are deduplicated): false and
   * the file is not read (the language server's pass budget). It may throw to stop the load.
   */
  admit?: (file: string, explicit: boolean) => boolean;
  /** Folder names the folder search never enters besides SKIP (the language server's editor-tooling folders; io/walk.ts `skipDirs`). */
  skipDirs?: ReadonlySet<string>;
}

/** The core's parse of one topology file's bytes (a zip's entries inflated here, up to the per-file cap). */
export function parseTopology(display: string, bytes: Uint8Array, explicit: boolean): TopologyPart[] | undefined {
  return readTopologyInput(display, bytes, { inflateRaw, explicit });
}

/** Parses the bytes of one file (default: `parseTopology` on the calling thread). */
export type TopologyParser = (display: string, bytes: Uint8Array, explicit: boolean) => TopologyPart[] | undefined | Promise<TopologyPart[] | undefined>;

/**
 * What the read of one topology file gives: its bytes to parse, or a problem, or an error
 * (`errors`). The same safe read as every other input: regular files only, opened without blocking,
 * the size checked before a byte is read (a FIFO or /dev/zero named with --topology is a problem,
 * not a hang).
 */
function takeRead(r: ReadResult, file: string, display: string, explicit: boolean, out: LoadedTopology): Uint8Array | undefined {
  if (r.kind === 'too-large') {
    // Named by the user: fail closed. Found in a folder: it may be any large JSON or zip, so only say it.
    const severity = explicit ? 'error' : 'info';
    out.parts.push({ kind: 'ldif', source: display, soms: [], gpcs: [], lacks: [], problems: [{ source: display, severity, message: `The file is ${r.size} bytes; relaylint reads topology files up to ${LIMITS.maxFileBytes} bytes. It was not read.` }] });
    return undefined;
  }
  if (r.kind !== 'ok') {
    if (explicit) out.errors.push({ path: file, message: r.kind === 'not-regular' ? `${r.what}, not a regular file` : r.code === 'ENOENT' ? 'no such file' : r.message });
    return undefined;
  }
  return r.bytes;
}

/**
 * The files to read, in order: every file named explicitly (once each), then the files named
 * `*.ldf|*.ldif|*.json|*.zip` in the scanned folders. The folder search stays shallow (two levels
 * below each folder given) and never enters GPO folders (`{GUID}`), so a SYSVOL walk costs nothing
 * extra; a file named explicitly is not read again when found there.
 */
function* topologyCandidates(explicit: readonly string[], roots: readonly string[], skipDirs?: ReadonlySet<string>): Generator<{ file: string; explicit: boolean }> {
  const seen = new Set<string>();
  for (const f of explicit) {
    if (seen.has(path.resolve(f))) continue;
    seen.add(path.resolve(f));
    yield { file: f, explicit: true };
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
      // million unrelated files costs no memory here. It is closed before a file is read.
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
            if (depth < 2 && !SKIP.has(e.name) && !skipDirs?.has(e.name) && !GUID_DIR.test(e.name)) dirs.push(e.name);
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
        yield { file: p, explicit: false };
      }
      for (const name of dirs.sort(byName)) stack.push([path.join(dir, name), depth + 1]);
    }
  }
}

/**
 * Topology inputs: every `--topology` file, and files in the scanned folders that are topology
 * exports by content (topologyCandidates). Read on the calling thread (the CLI).
 */
export function loadTopology(explicit: readonly string[], roots: readonly string[], display: (p: string) => string, options: TopologyLoadOptions = {}): LoadedTopology {
  const out: LoadedTopology = { parts: [], errors: [] };
  for (const c of topologyCandidates(explicit, roots, options.skipDirs)) {
    if (options.admit && !options.admit(c.file, c.explicit)) continue;
    const bytes = takeRead(readRegular(c.file, LIMITS.maxFileBytes), c.file, display(c.file), c.explicit, out);
    const parts = bytes && parseTopology(display(c.file), bytes, c.explicit);
    if (parts) out.parts.push(...parts);
  }
  return out;
}

/**
 * `loadTopology` with the bytes read asynchronously (`readRegularAsync`, or `read`) and parsed by
 * `parse` (the language server parses a large file on a worker thread): the language server, whose
 * requests must stay answered while a large export is read. The same files, problems and errors.
 */
export async function loadTopologyAsync(
  explicit: readonly string[],
  roots: readonly string[],
  display: (p: string) => string,
  options: TopologyLoadOptions & { read?: TopologyReader; parse?: TopologyParser } = {},
): Promise<LoadedTopology> {
  const out: LoadedTopology = { parts: [], errors: [] };
  const read = options.read ?? readRegularAsync;
  const parse = options.parse ?? parseTopology;
  for (const c of topologyCandidates(explicit, roots, options.skipDirs)) {
    if (options.admit && !options.admit(c.file, c.explicit)) continue;
    const bytes = takeRead(await read(c.file, LIMITS.maxFileBytes), c.file, display(c.file), c.explicit, out);
    const parts = bytes && (await parse(display(c.file), bytes, c.explicit));
    if (parts) out.parts.push(...parts);
  }
  return out;
}
