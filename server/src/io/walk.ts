/**
 * Walks the paths given on the command line in a stable order, yielding one file at a time so a
 * whole SYSVOL is never held in memory. Folders contribute only files that can be Group Policy
 * exports by name (`*.inf`, `*.reg`, `*.xml`, `*.pol`); files named explicitly are always scanned.
 *
 * A folder is listed in one call (`readdir` with file types: no `stat` per entry, the reader checks
 * each file on its open descriptor) unless it is large: a folder whose size says it may hold
 * thousands of entries is read with `opendir` (streamed, no Dirent array for the whole listing).
 * Either way only the names that matter (candidate files, subfolders, links) are kept and sorted.
 *
 * Symbolic links are never skipped silently:
 * - a link to a file or folder inside the scanned roots is followed; a folder link that leads back
 *   into a folder already on the current path (a loop, e.g. a SYSVOL junction) is reported;
 * - a link that leads outside the scanned roots, or nowhere, is reported as a problem on that path
 *   (error level for a candidate file: it may be a weak export that was not read).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { candidateExtensions, CONFIG_FILE_NAME } from '../core';
import { LEFTOVER_TEMP } from './safe-fs';

export interface WalkEntry {
  path: string;
  /** Named on the command line (report it even if it turns out not to be a GPO export). */
  explicit: boolean;
  /** The entry could not be followed: report this instead of reading it. */
  problem?: { severity: 'error' | 'warning'; message: string };
  /** The folder the walk found it in (undefined for a file named on the command line). */
  folder?: WalkFolder;
  /** Its name in that folder. */
  name?: string;
}

/**
 * A folder as the walk listed it: its path, the folder it was reached from, and the GPO metadata
 * files in it (so the GPO of its files is found without listing it again). `cache` is free for
 * one user (the GPO resolver) to remember what it worked out about the folder.
 */
export interface WalkFolder {
  path: string;
  /** The folder name (for a root: the last component of its resolved path). */
  name: string;
  /** undefined for a scanned root. */
  parent: WalkFolder | undefined;
  /** Entries named GPT.INI, bkupInfo.xml or Backup.xml (any case, any type), in name order. */
  meta: { name: string; regular: boolean }[];
  /** An entry named like a config file (relaylint.json, package.json; any case) is in it. */
  configNamed: boolean;
  /** What the GPO resolver and the config lookup worked out about this folder (theirs to fill). */
  gpo?: unknown;
  config?: unknown;
  display?: unknown;
}

export interface WalkError {
  path: string;
  message: string;
}

export interface WalkOptions {
  /**
   * Folder names never entered, besides `.git`, `node_modules`, `.svn` and `.hg` (a plain folder or
   * a folder link of that name): the language server's editor-tooling folders. The CLI passes none.
   */
  skipDirs?: ReadonlySet<string>;
}

/**
 * `walkSteps`: also a pause point (`null`) after every this many entries of a folder listing, so
 * that the language server lets its event loop turn while a folder of a million entries is listed.
 */
export const WALK_PAUSE_EVERY = 1024;

/**
 * File names the format providers read (`*.inf`, `*.reg`, `*.xml`, `*.pol` today), plus `.evtx` and
 * `.csv`: event-log exports for rollout readiness (read by io/evidence-files.ts, by content).
 */
const CANDIDATE = new RegExp(`\\.(${[...candidateExtensions, 'evtx', 'csv'].join('|')})$`, 'i');
const SKIP_DIRS = new Set(['.git', 'node_modules', '.svn', '.hg']);
/** GPO metadata read by the GPO resolver (io/gpo-context.ts), lower case. */
const META_NAMES = new Set(['gpt.ini', 'bkupinfo.xml', 'backup.xml']);
/** Config file names (cli/config.ts looks for them), lower case. */
const CONFIG_NAMES = new Set([CONFIG_FILE_NAME.toLowerCase(), 'package.json']);
/**
 * A folder whose size (as `stat` reports it) is above this is streamed with `opendir`; smaller ones
 * are listed at once. File systems report a folder's size in blocks or bytes of entries (ext4: 4 KiB
 * blocks, tmpfs and btrfs: about 20–40 bytes per entry), so this is a few thousand entries at most.
 * A size of 0 (some network and virtual file systems) says nothing: streamed too.
 */
const LIST_AT_ONCE_MAX_DIR_BYTES = 256 * 1024;

function realOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/** Why a symbolic link gives no file: a loop of links (ELOOP) is not the same as a link to nothing. */
function brokenLinkMessage(p: string): string {
  let code: string | undefined;
  try {
    fs.realpathSync.native(p);
  } catch (e) {
    code = (e as NodeJS.ErrnoException).code;
  }
  return code === 'ELOOP'
    ? 'This file is a symbolic link in a loop of links (each leads to another and none to a file); it could not be read.'
    : 'This file is a symbolic link that leads nowhere (broken link); it could not be read.';
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

/** The subfolders of one listed folder still to visit, in name order (their folder objects are made when visited). */
interface Pending {
  parent: WalkFolder;
  prefix: string;
  /** Real paths of the root and of every folder link followed to reach `parent`. */
  chain: readonly string[];
  /** A plain subfolder by name; a followed folder link with its longer chain. */
  items: (string | { n: string; chain: readonly string[] })[];
  next: number;
}

interface Listing {
  files: string[];
  dirs: string[];
  links: string[];
  /** Fixed copies an interrupted `--fix` left (`LEFTOVER_TEMP`). */
  leftovers?: string[];
}

/** Sort one entry of a folder into the listing (and the folder's GPO metadata). */
function classify(dir: string, ent: fs.Dirent, out: Listing, folder: WalkFolder, skip: (name: string) => boolean): void {
  const name = ent.name;
  if (name.length <= 14) {
    const lower = name.toLowerCase();
    if (META_NAMES.has(lower)) folder.meta.push({ name, regular: ent.isFile() });
    if (CONFIG_NAMES.has(lower)) folder.configNamed = true;
  }
  if (ent.isDirectory()) {
    if (!skip(name)) out.dirs.push(name);
  } else if (ent.isSymbolicLink()) {
    out.links.push(name);
  } else if (ent.isFile()) {
    if (CANDIDATE.test(name)) out.files.push(name);
    else if (name.endsWith('.tmp') && LEFTOVER_TEMP.test(name)) (out.leftovers ??= []).push(name);
  } else if (!ent.isFIFO() && !ent.isSocket() && !ent.isCharacterDevice() && !ent.isBlockDevice()) {
    // Type unknown (some file systems): ask.
    try {
      const st = fs.lstatSync(path.join(dir, name));
      if (st.isDirectory()) {
        if (!skip(name)) out.dirs.push(name);
      } else if (st.isSymbolicLink()) out.links.push(name);
      else if (st.isFile() && CANDIDATE.test(name)) out.files.push(name);
    } catch {
      // vanished
    }
  } else if (CANDIDATE.test(name)) {
    // A FIFO or device with an export's name: scanOne refuses it with a clear problem.
    out.files.push(name);
  }
}

/** Names in UTF-16 code-unit order (the order every walk of relaylint lists a folder in). */
export const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The entries of an open folder, read a buffer at a time. */
function* streamed(d: fs.Dir): Generator<fs.Dirent> {
  for (let ent = d.readSync(); ent !== null; ent = d.readSync()) yield ent;
}

/**
 * The names in a folder that the walk needs: listed at once when the folder is small, else read as
 * a stream. With `pauseEvery`, yields a pause point (null) after every so many entries.
 */
function* listDir(dir: string, folder: WalkFolder, skip: (name: string) => boolean, pauseEvery: number): Generator<null, Listing> {
  const out: Listing = { files: [], dirs: [], links: [] };
  let listed: fs.Dirent[] | undefined;
  try {
    const size = fs.statSync(dir).size;
    if (size > 0 && size <= LIST_AT_ONCE_MAX_DIR_BYTES) listed = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    // Reported as before by opendir below (same message).
  }
  const d = listed ? undefined : fs.opendirSync(dir, { bufferSize: 256 });
  try {
    let n = 0;
    for (const ent of listed ?? streamed(d as fs.Dir)) {
      classify(dir, ent, out, folder, skip);
      if (++n === pauseEvery) {
        n = 0;
        yield null;
      }
    }
  } finally {
    // Also when the walk is left at a pause point.
    d?.closeSync();
  }
  out.files.sort(byName);
  out.dirs.sort(byName);
  out.links.sort(byName);
  out.leftovers?.sort(byName);
  if (folder.meta.length > 1) folder.meta.sort((a, b) => byName(a.name, b.name));
  return out;
}

/** The walk (see `walkSteps`) without pause points: the CLI's. */
export function* walk(roots: readonly string[], errors: WalkError[], options: WalkOptions = {}): Generator<WalkEntry> {
  for (const e of walkSteps(roots, errors, options)) if (e) yield e;
}

/**
 * Every entry of the walk, in order; with `pauseEvery`, also a pause point (null) after every so
 * many entries of one folder's listing (the language server turns its event loop there). Leaving
 * the walk at a pause point closes the folder being listed.
 */
export function* walkSteps(roots: readonly string[], errors: WalkError[], options: WalkOptions & { pauseEvery?: number } = {}): Generator<WalkEntry | null> {
  const pauseEvery = options.pauseEvery && options.pauseEvery > 0 ? options.pauseEvery : -1;
  const extra = options.skipDirs;
  const skip = extra?.size ? (name: string) => SKIP_DIRS.has(name) || extra.has(name) : (name: string) => SKIP_DIRS.has(name);
  const rootReals = roots.map(realOrUndefined).filter((r): r is string => !!r);
  const inRoots = (real: string) => rootReals.some((r) => inside(real, r));
  for (const root of roots) {
    let st: fs.Stats;
    try {
      st = fs.statSync(root);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      errors.push({ path: root, message: code === 'ENOENT' ? 'no such file or folder' : code === 'ELOOP' ? 'a symbolic link in a loop of links (each leads to another and none to a file or folder)' : (e as Error).message });
      continue;
    }
    if (st.isFile()) {
      yield { path: root, explicit: true };
      continue;
    }
    if (!st.isDirectory()) {
      errors.push({ path: root, message: 'not a regular file or folder' });
      continue;
    }
    const rootFolder: WalkFolder = { path: root, name: path.basename(path.resolve(root)), parent: undefined, meta: [], configNamed: false };
    const stack: Pending[] = [];
    // Lists one folder, yields its files and links in name order, and leaves its subfolders on the stack.
    const visit = function* (folder: WalkFolder, chain: readonly string[]): Generator<WalkEntry | null> {
      const dir = folder.path;
      let listing: Listing;
      try {
        listing = yield* listDir(dir, folder, skip, pauseEvery);
      } catch (e) {
        errors.push({ path: dir, message: (e as Error).message });
        return;
      }
      const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
      // Files and links in name order, then folders (depth first, in name order).
      const subdirs: Pending['items'] = listing.dirs;
      let linked = false;
      const { files, links } = listing;
      let fi = 0;
      let li = 0;
      while (fi < files.length || li < links.length) {
        // Merge the two sorted lists: a file and a link never share a name.
        if (li >= links.length || (fi < files.length && files[fi] < links[li])) {
          const n = files[fi++];
          yield { path: prefix + n, explicit: false, folder, name: n };
          continue;
        }
        const n = links[li++];
        const p = prefix + n;
        const real = realOrUndefined(p);
        let target: fs.Stats | undefined;
        try {
          target = real ? fs.statSync(real) : undefined;
        } catch {
          target = undefined;
        }
        if (target?.isDirectory()) {
          if (skip(n)) continue;
          if (!inRoots(real as string)) {
            yield { path: p, explicit: false, folder, name: n, problem: { severity: 'warning', message: 'This folder is a symbolic link to a place outside the scanned folders; it was not followed (name it on the command line to scan it).' } };
          } else if (chain.some((c) => inside(c, real as string)) || inside(realOrUndefined(dir) ?? dir, real as string)) {
            yield { path: p, explicit: false, folder, name: n, problem: { severity: 'warning', message: 'This folder is a symbolic link back into a folder being scanned (a loop); it was not followed again.' } };
          } else {
            subdirs.push({ n, chain: [...chain, real as string] });
            linked = true;
          }
          continue;
        }
        if (!CANDIDATE.test(n)) continue;
        if (!real || !target) {
          yield { path: p, explicit: false, folder, name: n, problem: { severity: 'error', message: brokenLinkMessage(p) } };
        } else if (!inRoots(real)) {
          yield {
            path: p,
            explicit: false,
            folder,
            name: n,
            problem: { severity: 'error', message: 'This file is a symbolic link to a file outside the scanned folders; it was not read (name the target on the command line to scan it).' },
          };
        } else {
          yield { path: p, explicit: false, folder, name: n };
        }
      }
      for (const n of listing.leftovers ?? []) {
        const of = (LEFTOVER_TEMP.exec(n) as RegExpExecArray)[1];
        yield { path: prefix + n, explicit: false, folder, name: n, problem: { severity: 'warning', message: `A fixed copy of ${of} that an interrupted \`relaylint scan --fix\` wrote and never renamed over it (${of} itself was left as it was); delete this file.` } };
      }
      const nameOf = (x: Pending['items'][number]) => (typeof x === 'string' ? x : x.n);
      if (linked) subdirs.sort((a, b) => byName(nameOf(a), nameOf(b)));
      if (subdirs.length) stack.push({ parent: folder, prefix, chain, items: subdirs, next: 0 });
    };
    yield* visit(rootFolder, [realOrUndefined(root) ?? path.resolve(root)]);
    while (stack.length) {
      const top = stack[stack.length - 1];
      if (top.next >= top.items.length) {
        stack.pop();
        continue;
      }
      const item = top.items[top.next];
      // Let go of the name: a folder of many subfolders does not keep them all to the end.
      (top.items as unknown[])[top.next++] = undefined;
      const n = typeof item === 'string' ? item : item.n;
      yield* visit({ path: top.prefix + n, name: n, parent: top.parent, meta: [], configNamed: false }, typeof item === 'string' ? top.chain : item.chain);
    }
  }
}
