/**
 * What the scan loop consumes: the walk's files, each with its display path, the GPO its folder
 * belongs to, where its config file lookup starts, and its bytes already read (regular files only,
 * non-blocking, size checked first: `readRegular`).
 *
 * `feed` produces these entries on the thread that calls it. `FeedReader` runs it on the reading
 * thread while the scan thread works: the walk, the GPO metadata and the reads (system calls,
 * mostly) then overlap with parsing and judging. Entries go over in batches whose bytes sit in
 * one transferred buffer (no copy), and at most `MAX_IN_FLIGHT` batches (and, past the first, at
 * most `MAX_IN_FLIGHT_BYTES`) are ahead of the scan, so memory stays bounded whatever the tree.
 */
import * as path from 'node:path';
import type { MessagePort } from 'node:worker_threads';
import { LIMITS } from '../core';
import { GpoResolver, type GpoFolderIdentity } from '../io/gpo-context';
import { readRegular, type ReadResult } from '../io/safe-fs';
import { walk, type WalkEntry, type WalkError, type WalkFolder } from '../io/walk';

export interface FeedEntry {
  path: string;
  /** The path as reports show it (relative to the working folder when inside it, `/` separators). */
  display: string;
  explicit: boolean;
  /** The walk could not follow this entry (a link outside the roots, a loop): report this instead. */
  problem?: WalkEntry['problem'];
  /** The folder the config file lookup starts from (the nearest folder the walk saw a config-named entry in, or the root); undefined: the file's own folder. */
  configFrom?: string;
  /** The GPO the file's folder belongs to. */
  gpo?: GpoFolderIdentity;
  /** The file as read (undefined for a walk problem, and for a large file: the scan reads it itself). */
  read?: ReadResult;
}

/** A path as reports show it: relative to the working folder when inside it, with `/` separators. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p).split(path.sep).join('/');
}

/**
 * The display path of a folder's files without their name (`dir/`) when the folder lies strictly
 * inside the working folder: a subfolder's is then its parent's and its own name, so
 * `path.relative` runs once per root instead of once per folder (a walk of the 5,500-GPO tree
 * spent 1.3% of the scan's instructions on it). Undefined where `displayPath` decides per file:
 * outside the working folder, and in the working folder itself, whose entries named `..…` are
 * shown as absolute paths.
 */
function prefixOf(folder: WalkFolder): string | undefined {
  // Up to the nearest folder whose prefix is known (or a root), then down (no recursion: folders nest deep).
  const todo: WalkFolder[] = [];
  let f: WalkFolder | undefined = folder;
  while (f && f.display === undefined) {
    todo.push(f);
    f = f.parent;
  }
  let up = f ? (f.display as string | null) : null;
  for (let i = todo.length - 1; i >= 0; i--) {
    const t = todo[i];
    if (up !== null) up = up + t.name + '/';
    else {
      const rel = path.relative(process.cwd(), t.path);
      up = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') + '/' : null;
    }
    t.display = up;
  }
  return up ?? undefined;
}

/** Where the config lookup of a folder's files starts: a folder without a config-named entry has its parent's answer. */
function configFrom(folder: WalkFolder): string {
  const known = folder.config as string | undefined;
  if (known !== undefined) return known;
  const from = folder.configNamed || !folder.parent ? folder.path : configFrom(folder.parent);
  folder.config = from;
  return from;
}

/** Files larger than this are not read ahead (the scan reads them itself, one at a time). */
const PREREAD_MAX_BYTES = 8 * 1024 * 1024;

/** Memory for the bytes of many small files (one transferable buffer per batch). */
export interface Arena {
  alloc(size: number): Uint8Array;
}

/**
 * The walk's entries, read. `arena` (optional) supplies the memory for each file's bytes.
 * Files the config may ignore are read too (their bytes are dropped unread by the scan).
 */
export function* feed(roots: readonly string[], errors: WalkError[], arena?: () => Arena | undefined): Generator<FeedEntry> {
  const resolver = new GpoResolver();
  // Display paths per folder: `displayPath(prefix + name)` is the folder's display prefix + name, so
  // path.relative runs once per folder, not once per file; inside the working folder not even that
  // (`prefixOf`).
  let lastFolder: WalkFolder | undefined;
  let folderDisplay: string | undefined;
  const displayOf = (entry: WalkEntry): string => {
    const { folder, name } = entry;
    if (!folder || name === undefined) return displayPath(entry.path);
    if (folder !== lastFolder) {
      lastFolder = folder;
      folderDisplay = prefixOf(folder);
      if (folderDisplay === undefined) {
        const d = displayPath(entry.path);
        folderDisplay = d.endsWith(name) ? d.slice(0, d.length - name.length) : undefined;
        return d;
      }
    }
    return folderDisplay === undefined ? displayPath(entry.path) : folderDisplay + name;
  };
  for (const entry of walk(roots, errors)) {
    const out: FeedEntry = { path: entry.path, display: displayOf(entry), explicit: entry.explicit };
    if (entry.folder) out.configFrom = configFrom(entry.folder);
    if (entry.problem) out.problem = entry.problem;
    else {
      out.gpo = entry.folder ? resolver.resolveFolder(entry.folder) : resolver.resolve(entry.path);
      // A large file is left to the scan thread to read when it gets to it, as before: read here, it
      // would wait in memory while the scan is still busy with an earlier one.
      const read = readRegular(entry.path, Math.min(PREREAD_MAX_BYTES, LIMITS.maxFileBytes), arena?.());
      if (read.kind !== 'too-large') out.read = read;
    }
    yield out;
  }
}

// ---------------------------------------------------------------------------------------------
// Across threads

/** Batches ahead of the scan; each holds at most BATCH_FILES files and BATCH_BYTES bytes (plus one larger file). */
const MAX_IN_FLIGHT = 3;
/** Bytes ahead of the scan: a batch that would pass this waits until the scan has taken the others (large files go one at a time). */
const MAX_IN_FLIGHT_BYTES = 4 * 1024 * 1024;
const BATCH_FILES = 64;
const BATCH_BYTES = 256 * 1024;

export type FeedMessage =
  | { feed: 'batch'; entries: FeedEntry[]; arena: ArrayBuffer }
  | { feed: 'end'; errors: WalkError[] }
  | { feed: 'fail'; message: string };

class BatchArena implements Arena {
  used = 0;
  constructor(readonly buffer: ArrayBuffer) {}
  /** Files too large for the arena: their own buffers, transferred with the batch. */
  readonly own: ArrayBuffer[] = [];
  alloc(size: number): Uint8Array {
    // Each file starts 8-byte aligned: the parsers view UTF-16 data as 16-bit units, which a
    // typed array can only do from an even address.
    const at = (this.used + 7) & ~7;
    if (size <= BATCH_BYTES - at) {
      const view = new Uint8Array(this.buffer, at, size);
      this.used = at + size;
      return view;
    }
    const b = new ArrayBuffer(size);
    this.own.push(b);
    return new Uint8Array(b);
  }
  get full(): boolean {
    return this.used >= BATCH_BYTES / 2 || this.own.length > 0;
  }
  get bytes(): number {
    return this.used + this.own.reduce((n, b) => n + b.byteLength, 0);
  }
}

/**
 * The reading thread's side: walks and reads `roots` and posts the entries to `port`, keeping at
 * most MAX_IN_FLIGHT batches ahead. The scan acknowledges each batch when it is done with it and
 * sends its buffer back, so the same few buffers carry every batch (a new buffer per batch would
 * pile up on the scan thread until its next garbage collection).
 */
export class FeedProducer {
  private inFlight = 0;
  /** Bytes of each batch ahead, oldest first (the scan acknowledges them in order). */
  private readonly aheadBytes: number[] = [];
  private inFlightBytes = 0;
  private wake: (() => void) | undefined;
  private stopped = false;
  private readonly free: ArrayBuffer[] = [];

  constructor(private readonly port: { postMessage(m: unknown, transfer?: ArrayBuffer[]): void }) {}

  /** The scan is done with a batch; `arena` is its buffer, back. */
  ack(arena?: ArrayBuffer): void {
    this.inFlight--;
    this.inFlightBytes -= this.aheadBytes.shift() ?? 0;
    if (arena?.byteLength === BATCH_BYTES) this.free.push(arena);
    this.wake?.();
  }

  private arena(): BatchArena {
    return new BatchArena(this.free.pop() ?? new ArrayBuffer(BATCH_BYTES));
  }

  /** The scan is gone: stop walking. */
  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  async run(roots: readonly string[]): Promise<void> {
    const errors: WalkError[] = [];
    let arena = this.arena();
    try {
      const it = feed(roots, errors, () => arena);
      let batch: FeedEntry[] = [];
      const send = async () => {
        const bytes = arena.bytes;
        const wait = () => this.inFlight >= MAX_IN_FLIGHT || (this.inFlight > 0 && this.inFlightBytes + bytes > MAX_IN_FLIGHT_BYTES);
        while (wait() && !this.stopped) await new Promise<void>((r) => (this.wake = r));
        this.wake = undefined;
        if (this.stopped) return;
        this.inFlight++;
        this.inFlightBytes += bytes;
        this.aheadBytes.push(bytes);
        this.port.postMessage({ relaylintFeed: { feed: 'batch', entries: batch, arena: arena.buffer } satisfies FeedMessage }, [arena.buffer, ...arena.own]);
        batch = [];
        arena = this.arena();
      };
      for (const entry of it) {
        batch.push(entry);
        if (batch.length >= BATCH_FILES || arena.full) await send();
        if (this.stopped) return;
      }
      if (batch.length) await send();
      if (!this.stopped) this.port.postMessage({ relaylintFeed: { feed: 'end', errors } satisfies FeedMessage });
    } catch (e) {
      if (!this.stopped) this.port.postMessage({ relaylintFeed: { feed: 'fail', message: (e as Error).stack ?? String(e) } satisfies FeedMessage });
    }
  }
}

/** The scan thread's side: the entries the reading thread posts, in order. */
export class FeedConsumer {
  private readonly ready: FeedMessage[] = [];
  private waiting: (() => void) | undefined;
  private readonly onMessage = (m: unknown) => {
    const msg = (m as { relaylintFeed?: FeedMessage }).relaylintFeed;
    if (!msg) return;
    this.ready.push(msg);
    this.waiting?.();
  };

  /** `roots`: what the reading thread walks. */
  constructor(
    private readonly port: MessagePort,
    private readonly roots: readonly string[],
  ) {
    port.on('message', this.onMessage);
  }

  private started = false;

  /** Lets the reading thread start on the walk (and fill its buffers) before the entries are asked for. */
  start(): this {
    if (!this.started) this.port.postMessage({ relaylintFeed: { roots: this.roots } });
    this.started = true;
    return this;
  }

  async *entries(errors: WalkError[]): AsyncGenerator<FeedEntry> {
    this.start();
    try {
      for (;;) {
        while (!this.ready.length) await new Promise<void>((r) => (this.waiting = r));
        this.waiting = undefined;
        const msg = this.ready.shift() as FeedMessage;
        if (msg.feed === 'fail') throw new Error(`the folder walk failed: ${msg.message}`);
        if (msg.feed === 'end') {
          errors.push(...msg.errors);
          return;
        }
        for (const e of msg.entries) {
          // Structured clone gives plain Uint8Arrays: views of the transferred buffer, as Buffers again.
          if (e.read?.kind === 'ok') e.read.bytes = Buffer.from(e.read.bytes.buffer, e.read.bytes.byteOffset, e.read.bytes.length);
          yield e;
        }
        // The consumer asked for the next entry: it is done with this batch's bytes (a consumer
        // that keeps bytes for later copies them first). The buffer goes back for the next batch.
        this.port.postMessage({ relaylintFeed: { ack: true, arena: msg.arena } }, [msg.arena]);
      }
    } finally {
      this.port.off('message', this.onMessage);
    }
  }
}
