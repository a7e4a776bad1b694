/**
 * Topology inputs from disk, shared by the CLI and the language server: every `--topology` file (or
 * the editor's `relaylint.topology` setting), and the topology exports found by content next to the
 * scanned folders. Parsing is the core's (`readTopologyInput`). One code path for both: the same
 * files in the same order, the same problems and errors; the CLI reads on its thread
 * (`loadTopology`), the language server asynchronously (`loadTopologyAsync`). One difference: the
 * CLI reads a SharpHound computers file over the file limit (a large domain's, loose or in its zip)
 * as a stream; the editor, which holds a budget per pass, says how to give it to the CLI.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ComputersStream, computersAdvice, emptyPart, givesTopology, LIMITS, LoadComputers, readTopologyInput, sharpHoundTypeByName, sharpHoundTypeOfTail, withNothingRead, type TopologyPart, type ZipEntry } from '../core/index';
import { readRegular, readRegularAsync, streamRegular, type ReadResult } from './safe-fs';
import { byName } from './walk';

export interface LoadedTopology {
  parts: TopologyPart[];
  /** Files that could not be read at all (exit 2, like a missing scan path). */
  errors: { path: string; message: string }[];
}

const TOPOLOGY_NAME = /\.(ldf|ldif|json|zip)$/i;
const GUID_DIR = /^\{[0-9a-f-]{36}\}$/i;
const SKIP = new Set(['.git', 'node_modules', '.svn', '.hg']);

// node:zlib is loaded only for a zipped SharpHound export: every other scan would pay its start-up.
// Its errors are said in relaylint's words: zlib's own ("Cannot create a Buffer larger than 100
// bytes", "invalid block type") say nothing about the archive.
const inflateRaw = (data: Uint8Array, size: number): Uint8Array => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zlib = require('node:zlib') as typeof import('node:zlib');
  const max = Math.max(1, Math.min(size, LIMITS.maxFileBytes));
  try {
    return zlib.inflateRawSync(data, { maxOutputLength: max });
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw new Error(`the entry inflates to more than the ${size} bytes the zip directory declares (damaged or hostile archive)`);
    throw new Error("the entry's compressed data is damaged (not a valid deflate stream)");
  }
};

/** Reads one file's bytes: `readRegular`, or `readRegularAsync` (the language server). */
export type TopologyReader = (file: string, maxBytes: number) => ReadResult | Promise<ReadResult>;

export interface TopologyLoadOptions {
  /**
   * Asked before each file is read (after the files named explicitly are deduplicated): false and
   * the file is not read (the language server's pass budget). It may throw to stop the load.
   */
  admit?: (file: string, explicit: boolean) => boolean;
  /** Folder names the folder search never enters besides SKIP (the language server's editor-tooling folders; io/walk.ts `skipDirs`). */
  /** The scan's cap on the computers of all its topology files (default: LIMITS.maxComputersPerLoad and maxComputerTextPerLoad). */
  computers?: LoadComputers;
  skipDirs?: ReadonlySet<string>;
}

/**
 * The core's parse of one topology file's bytes (a zip's entries inflated here, up to the per-file
 * cap). `streamEntry`: where a zip entry over the file limit goes to be read as a stream
 * (`relaylint scan`; it returns the part that stands for the entry, filled in once it is read);
 * without it such an entry is an error.
 */
export function parseTopology(display: string, bytes: Uint8Array, explicit: boolean, streamEntry?: (entry: ZipEntry, source: string) => TopologyPart): TopologyPart[] | undefined {
  return readTopologyInput(display, bytes, streamEntry ? { inflateRaw, explicit, streamEntry } : { inflateRaw, explicit });
}

/** The part of a symbolic link the folder search found with a topology file's name: said, not followed. */
function linkPart(source: string): TopologyPart {
  const message = 'This is a symbolic link; the topology search does not follow links found in folders (it could lead out of them, or loop). Name the file with --topology (or the relaylint.topology setting) to read it.';
  const part = emptyPart('ldif', source);
  part.problems.push({ source, severity: 'info', message });
  return part;
}

/** A topology part that holds only an error-level problem (a file or zip entry that could not be read). */
function failedPart(source: string, why: string): TopologyPart {
  const part = emptyPart('sharphound', source);
  part.problems.push({ source, severity: 'error', message: why });
  return part;
}

/** Pieces of compressed data given to the inflater, and of stored data given to the reader. */
const PIECE_BYTES = 1024 * 1024;

/**
 * A zip entry over the file limit (a large domain's computers file in SharpHound's zip), inflated a
 * piece at a time (node:zlib's stream, so memory holds one piece, never the entry) into a
 * ComputersStream: its computers, or an error-level problem. Inflating stops at the first byte the
 * stream refuses, and past the size the zip directory declares.
 */
export async function streamZipEntry(e: ZipEntry, source: string): Promise<TopologyPart> {
  const stream = new ComputersStream(source);
  const failed = (why: string) => failedPart(source, why);
  if (e.method === 0) {
    for (let o = 0; o < e.data.length && !stream.refused; o += PIECE_BYTES) stream.push(e.data.subarray(o, o + PIECE_BYTES));
  } else {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const zlib = require('node:zlib') as typeof import('node:zlib');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Readable } = require('node:stream') as typeof import('node:stream');
    const data = e.data;
    const pieces = function* () {
      for (let o = 0; o < data.length; o += PIECE_BYTES) yield data.subarray(o, o + PIECE_BYTES);
    };
    const inflater = Readable.from(pieces(), { objectMode: false }).pipe(zlib.createInflateRaw({ chunkSize: 64 * 1024 }));
    let out = 0;
    try {
      for await (const chunk of inflater as AsyncIterable<Buffer>) {
        out += chunk.length;
        if (out > e.size) return failed(`The entry inflates to more than the ${e.size} bytes the zip directory declares (damaged or hostile archive); not read.`);
        stream.push(chunk);
        // Leaving the loop ends the inflater: nothing after a refused byte is inflated.
        if (stream.refused) break;
      }
    } catch {
      return failed("The entry's compressed data is damaged (not a valid deflate stream); not read.");
    }
  }
  return (
    stream.end() ??
    failed(`${e.size} bytes uncompressed, over the ${LIMITS.maxFileBytes}-byte limit, and read as a stream it is not a SharpHound computers file ({"data":[…],"meta":{"type":"computers"}}), the only kind read past the limit; not read.`)
  );
}

/** Parses the bytes of one file (default: `parseTopology` on the calling thread). */
export type TopologyParser = (display: string, bytes: Uint8Array, explicit: boolean) => TopologyPart[] | undefined | Promise<TopologyPart[] | undefined>;

/**
 * What the read of one topology file gives: its bytes to parse, or a problem, or an error
 * (`errors`). The same safe read as every other input: regular files only, opened without blocking,
 * the size checked before a byte is read (a FIFO or /dev/zero named with --topology is a problem,
 * not a hang).
 */
function takeRead(r: ReadResult, file: string, display: string, explicit: boolean, out: LoadedTopology, where: 'scan' | 'editor'): Uint8Array | undefined {
  if (r.kind === 'too-large') {
    // Named by the user, or named as SharpHound names its computers file: fail closed. Found in a
    // folder under another name: it may be any large JSON or zip, so only say it.
    const severity = explicit || sharpHoundTypeByName(display, true) === 'computers' ? 'error' : 'info';
    const advice = sharpHoundTypeByName(display) === 'computers' ? ` ${computersAdvice(where)}` : '';
    const part = emptyPart('ldif', display);
    part.problems.push({ source: display, severity, message: `The file is ${r.size} bytes; relaylint reads topology files up to ${LIMITS.maxFileBytes} bytes. It was not read.${advice}` });
    out.parts.push(part);
    return undefined;
  }
  if (r.kind !== 'ok') {
    if (explicit) out.errors.push({ path: file, message: r.kind === 'not-regular' ? `${r.what}, not a regular file` : r.code === 'ENOENT' ? 'no such file' : r.message });
    return undefined;
  }
  return r.bytes;
}

/**
 * A topology file over the file limit whose end names SharpHound's computers type, or whose name is
 * SharpHound's whole form for one (`20261206101500_computers.json`: found in a folder, such a file
 * must not pass unread), read as a stream (`relaylint scan` only): its parts, judged as the file
 * read whole would be (`withNothingRead`), or an error-level problem when it cannot be read as one
 * (fail closed: it says it is an export). The read stops at the first byte the stream refuses.
 * Undefined when neither its name nor its end says it is a computers file, or it is over
 * LIMITS.maxStreamedFileBytes (the caller says it was not read).
 */
export function streamComputers(file: string, display: string): TopologyPart[] | undefined {
  const stream = new ComputersStream(display);
  const byName = sharpHoundTypeByName(display, true) === 'computers';
  const r = streamRegular(
    file,
    LIMITS.maxStreamedFileBytes,
    (tail) => byName || sharpHoundTypeOfTail(tail) === 'computers',
    (bytes) => {
      stream.push(bytes);
      return !stream.refused;
    },
  );
  if (r.kind === 'declined' || r.kind === 'too-large') return undefined;
  const failed = (why: string) => [failedPart(display, why)];
  if (r.kind !== 'ok') return failed(`The file could not be read: ${r.kind === 'not-regular' ? `${r.what}, not a regular file` : r.message}.`);
  const part = stream.end();
  if (part) return withNothingRead(display, false, [part]);
  const says = byName ? "Its name is SharpHound's form for a computers file" : "Its end names SharpHound's computers type";
  return failed(`${says}, but read as a stream (larger than ${LIMITS.maxFileBytes} bytes) it is not a SharpHound computers file ({"data":[…],"meta":{"type":"computers"}}); no computer was read from it.`);
}

/** The parts of one file into the load, each held to the scan's cap on computers as it comes (both loaders). */
function admitParts(out: LoadedTopology, computers: LoadComputers, parts: TopologyPart[] | undefined): void {
  for (const p of parts ?? []) {
    computers.admit(p);
    out.parts.push(p);
  }
}

/** A file the topology load reads: named explicitly, or found in a scanned folder. */
export interface TopologyCandidate {
  file: string;
  explicit: boolean;
  /** Found in a folder as a symbolic link with a topology file's name: not followed (the search never follows links), only said. */
  link?: true;
}

/** What the folder search needs of a folder entry (a `fs.Dirent`: symbolic links are neither folder nor file). */
export interface TopologyDirEntry {
  name: string;
  isDirectory(): boolean;
  isFile(): boolean;
  isSymbolicLink(): boolean;
}

/**
 * The one judgement of the folder search on an entry of a folder `depth` levels below a scanned
 * folder: a folder to enter (at most two levels down, never `{GUID}` GPO folders, SKIP or
 * `skipDirs`), a file to read (a regular file named `*.ldf|*.ldif|*.json|*.zip`), a symbolic link
 * named as only a topology export is (EXPORT_NAME; not followed, only said: a link could lead out of
 * the folder, or loop), or nothing (other links, pipes, devices, other names).
 */
export function topologyEntry(e: TopologyDirEntry, depth: number, skipDirs?: ReadonlySet<string>): 'folder' | 'file' | 'link' | undefined {
  if (e.isDirectory()) return depth < 2 && !SKIP.has(e.name) && !skipDirs?.has(e.name) && !GUID_DIR.test(e.name) ? 'folder' : undefined;
  if (!TOPOLOGY_NAME.test(e.name)) return undefined;
  return e.isFile() ? 'file' : e.isSymbolicLink() && EXPORT_NAME(e.name) ? 'link' : undefined;
}

/**
 * A name only a topology export has (an LDIF, SharpHound's own file and zip names): a link so named
 * is said. Any JSON or zip may be a link in a project folder; those stay unsaid, as they are when
 * their content is not topology.
 */
export const EXPORT_NAME = (name: string): boolean => /\.(ldf|ldif)$/i.test(name) || sharpHoundTypeByName(name, true) !== undefined || /_BloodHound\.zip$/i.test(name);

/** One folder being listed: only the names that matter are kept (a folder of a million unrelated files costs no memory). */
interface Listing {
  dir: string;
  depth: number;
  folders: string[];
  files: string[];
  links: string[];
}

/**
 * The order and the bookkeeping of the search, without I/O (the two loops below list the folders):
 * every file named explicitly (once each), then per scanned folder its files by name, then its
 * folders depth first by name. A file is given once, whether named or found.
 */
class TopologySearch {
  private readonly seen = new Set<string>();
  private readonly stack: [string, number][] = [];
  constructor(private readonly skipDirs?: ReadonlySet<string>) {}

  explicit(files: readonly string[]): TopologyCandidate[] {
    return files.filter((f) => this.first(f)).map((file) => ({ file, explicit: true }));
  }
  /** A scanned folder (after its stat said it is one). */
  root(dir: string): void {
    this.stack.push([dir, 0]);
  }
  /** The next folder to list, or undefined when this scanned folder is done. */
  next(): Listing | undefined {
    const top = this.stack.pop();
    return top && { dir: top[0], depth: top[1], folders: [], files: [], links: [] };
  }
  add(l: Listing, e: TopologyDirEntry): void {
    const kind = topologyEntry(e, l.depth, this.skipDirs);
    if (kind === 'folder') l.folders.push(e.name);
    else if (kind === 'file') l.files.push(e.name);
    else if (kind === 'link') l.links.push(e.name);
  }
  /** The folder is listed (and closed): its files to read; its folders are queued. */
  listed(l: Listing): TopologyCandidate[] {
    const out: TopologyCandidate[] = l.files
      .sort(byName)
      .map((name) => path.join(l.dir, name))
      .filter((p) => this.first(p))
      .map((file) => ({ file, explicit: false }));
    for (const name of l.links.sort(byName)) {
      const file = path.join(l.dir, name);
      if (this.first(file)) out.push({ file, explicit: false, link: true });
    }
    for (const name of l.folders.sort(byName)) this.stack.push([path.join(l.dir, name), l.depth + 1]);
    return out;
  }
  private first(f: string): boolean {
    const abs = path.resolve(f);
    if (this.seen.has(abs)) return false;
    this.seen.add(abs);
    return true;
  }
}

/**
 * The files to read, in order (TopologySearch), on the calling thread (the CLI). The folder search
 * stays shallow (two levels below each folder given) and never enters GPO folders (`{GUID}`), so a
 * SYSVOL walk costs nothing extra. A folder that cannot be listed is passed over; what was listed
 * of one that fails midway is used.
 */
export function* topologyCandidates(explicit: readonly string[], roots: readonly string[], skipDirs?: ReadonlySet<string>): Generator<TopologyCandidate> {
  const search = new TopologySearch(skipDirs);
  yield* search.explicit(explicit);
  for (const root of roots) {
    try {
      if (!fs.statSync(root).isDirectory()) continue;
    } catch {
      continue;
    }
    search.root(root);
    for (let l = search.next(); l; l = search.next()) {
      let d: fs.Dir;
      try {
        d = fs.opendirSync(l.dir, { bufferSize: 256 });
      } catch {
        continue;
      }
      try {
        for (let e = d.readSync(); e !== null; e = d.readSync()) search.add(l, e);
      } catch {
        // a folder that vanished or cannot be read while listed: what was read is used
      } finally {
        d.closeSync();
      }
      yield* search.listed(l);
    }
  }
}

/**
 * `topologyCandidates` for the language server: the same files in the same order, the folders
 * listed with fs.promises and the event loop let turn before each folder, so that a deep or slow
 * workspace never holds up the server's requests.
 */
export async function* topologyCandidatesAsync(explicit: readonly string[], roots: readonly string[], skipDirs?: ReadonlySet<string>): AsyncGenerator<TopologyCandidate> {
  const search = new TopologySearch(skipDirs);
  yield* search.explicit(explicit);
  for (const root of roots) {
    try {
      if (!(await fs.promises.stat(root)).isDirectory()) continue;
    } catch {
      continue;
    }
    search.root(root);
    for (let l = search.next(); l; l = search.next()) {
      await turn();
      let d: fs.Dir;
      try {
        d = await fs.promises.opendir(l.dir, { bufferSize: 256 });
      } catch {
        continue;
      }
      try {
        for (let e = await d.read(); e !== null; e = await d.read()) search.add(l, e);
      } catch {
        // as in topologyCandidates
      } finally {
        await d.close().catch(() => undefined);
      }
      yield* search.listed(l);
    }
  }
}

/** One turn of the event loop. */
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Topology inputs: every `--topology` file, and files in the scanned folders that are topology
 * exports by content (topologyCandidates). Read on the calling thread (the CLI). A SharpHound
 * computers file over the file limit, loose or in its zip, is read as a stream.
 */
export async function loadTopology(explicit: readonly string[], roots: readonly string[], display: (p: string) => string, options: TopologyLoadOptions = {}): Promise<LoadedTopology> {
  const out: LoadedTopology = { parts: [], errors: [] };
  const computers = options.computers ?? new LoadComputers();
  const add = (parts: TopologyPart[] | undefined) => admitParts(out, computers, parts);
  for (const c of topologyCandidates(explicit, roots, options.skipDirs)) {
    if (c.link) {
      out.parts.push(linkPart(display(c.file)));
      continue;
    }
    if (options.admit && !options.admit(c.file, c.explicit)) continue;
    const r = readRegular(c.file, LIMITS.maxFileBytes);
    // A large domain's SharpHound computers file: read as a stream (its name or its end says what it is).
    const streamed = r.kind === 'too-large' ? streamComputers(c.file, display(c.file)) : undefined;
    if (streamed) {
      add(streamed);
      continue;
    }
    const bytes = takeRead(r, c.file, display(c.file), c.explicit, out, 'scan');
    // Zip entries over the file limit: read as streams after the archive, each into the part that
    // holds its place among the archive's parts, and each held to the scan's cap on computers as
    // soon as it is read (an archive of many large entries must not hold them all first).
    const large = new Map<TopologyPart, ZipEntry>();
    const parts =
      bytes &&
      parseTopology(display(c.file), bytes, c.explicit, (e, source) => {
        const slot = emptyPart('sharphound', source);
        large.set(slot, e);
        return slot;
      });
    if (!parts || !large.size) {
      add(parts);
      continue;
    }
    let gave = false;
    for (const p of parts) {
      const e = large.get(p);
      if (e) Object.assign(p, await streamZipEntry(e, p.source));
      gave ||= givesTopology(p);
      computers.admit(p);
    }
    out.parts.push(...(withNothingRead(display(c.file), true, parts, gave) ?? []));
  }
  return out;
}

/**
 * `loadTopology` with the folders searched asynchronously (`topologyCandidatesAsync`), the bytes
 * read asynchronously (`readRegularAsync`, or `read`) and parsed by `parse` (the language server
 * parses a large file on a worker thread): the language server, whose requests must stay answered
 * while a large export is read. The same files, problems and errors.
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
  const computers = options.computers ?? new LoadComputers();
  for await (const c of topologyCandidatesAsync(explicit, roots, options.skipDirs)) {
    if (c.link) {
      out.parts.push(linkPart(display(c.file)));
      continue;
    }
    if (options.admit && !options.admit(c.file, c.explicit)) continue;
    const bytes = takeRead(await read(c.file, LIMITS.maxFileBytes), c.file, display(c.file), c.explicit, out, 'editor');
    admitParts(out, computers, bytes && (await parse(display(c.file), bytes, c.explicit)));
  }
  return out;
}
