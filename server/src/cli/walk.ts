/**
 * Walks the paths given on the command line in a stable order, yielding one file at a time so a
 * whole SYSVOL is never held in memory. Folders contribute only files that can be Group Policy
 * exports by name (`*.inf`, `*.reg`, `*.xml`, `*.pol`); files named explicitly are always scanned.
 *
 * A folder is read with `opendir` (streamed, no Dirent array for the whole listing) and only the
 * names that matter (candidate files, subfolders, links) are kept and sorted.
 *
 * Symbolic links are never skipped silently:
 * - a link to a file or folder inside the scanned roots is followed; a folder link that leads back
 *   into a folder already on the current path (a loop, e.g. a SYSVOL junction) is reported;
 * - a link that leads outside the scanned roots, or nowhere, is reported as a problem on that path
 *   (error level for a candidate file: it may be a weak export that was not read).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { candidateExtensions } from '../core';

export interface WalkEntry {
  path: string;
  /** Named on the command line (report it even if it turns out not to be a GPO export). */
  explicit: boolean;
  /** The entry could not be followed: report this instead of reading it. */
  problem?: { severity: 'error' | 'warning'; message: string };
}

export interface WalkError {
  path: string;
  message: string;
}

/**
 * File names the format providers read (`*.inf`, `*.reg`, `*.xml`, `*.pol` today), plus `.evtx` and
 * `.csv`: event-log exports for rollout readiness (read by cli/evidence.ts, by content).
 */
const CANDIDATE = new RegExp(`\\.(${[...candidateExtensions, 'evtx', 'csv'].join('|')})$`, 'i');
const SKIP_DIRS = new Set(['.git', 'node_modules', '.svn', '.hg']);

function realOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

interface Frame {
  dir: string;
  /** Real paths of the root and of every folder link followed to reach `dir`. */
  chain: readonly string[];
}

/** The names in a folder that the walk needs, read as a stream. */
function listDir(dir: string): { files: string[]; dirs: string[]; links: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  const links: string[] = [];
  const d = fs.opendirSync(dir, { bufferSize: 256 });
  try {
    for (let ent = d.readSync(); ent !== null; ent = d.readSync()) {
      const name = ent.name;
      if (ent.isDirectory()) {
        if (!SKIP_DIRS.has(name)) dirs.push(name);
      } else if (ent.isSymbolicLink()) {
        links.push(name);
      } else if (ent.isFile()) {
        if (CANDIDATE.test(name)) files.push(name);
      } else if (!ent.isFIFO() && !ent.isSocket() && !ent.isCharacterDevice() && !ent.isBlockDevice()) {
        // Type unknown (some file systems): ask.
        try {
          const st = fs.lstatSync(path.join(dir, name));
          if (st.isDirectory()) {
            if (!SKIP_DIRS.has(name)) dirs.push(name);
          } else if (st.isSymbolicLink()) links.push(name);
          else if (st.isFile() && CANDIDATE.test(name)) files.push(name);
        } catch {
          // vanished
        }
      } else if (CANDIDATE.test(name)) {
        // A FIFO or device with an export's name: scanOne refuses it with a clear problem.
        files.push(name);
      }
    }
  } finally {
    d.closeSync();
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  files.sort(byName);
  dirs.sort(byName);
  links.sort(byName);
  return { files, dirs, links };
}

export function* walk(roots: readonly string[], errors: WalkError[]): Generator<WalkEntry> {
  const rootReals = roots.map(realOrUndefined).filter((r): r is string => !!r);
  const inRoots = (real: string) => rootReals.some((r) => inside(real, r));
  for (const root of roots) {
    let st: fs.Stats;
    try {
      st = fs.statSync(root);
    } catch (e) {
      errors.push({ path: root, message: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or folder' : (e as Error).message });
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
    const stack: Frame[] = [{ dir: root, chain: [realOrUndefined(root) ?? path.resolve(root)] }];
    while (stack.length) {
      const { dir, chain } = stack.pop() as Frame;
      let listing: ReturnType<typeof listDir>;
      try {
        listing = listDir(dir);
      } catch (e) {
        errors.push({ path: dir, message: (e as Error).message });
        continue;
      }
      const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
      // Files and links in name order, then folders (depth first, in name order).
      const subdirs: Frame[] = listing.dirs.map((n) => ({ dir: prefix + n, chain }));
      const items = [...listing.files.map((n) => ({ n, link: false })), ...listing.links.map((n) => ({ n, link: true }))].sort((a, b) =>
        a.n < b.n ? -1 : a.n > b.n ? 1 : 0,
      );
      for (const { n, link } of items) {
        const p = prefix + n;
        if (!link) {
          yield { path: p, explicit: false };
          continue;
        }
        const real = realOrUndefined(p);
        let target: fs.Stats | undefined;
        try {
          target = real ? fs.statSync(real) : undefined;
        } catch {
          target = undefined;
        }
        if (target?.isDirectory()) {
          if (SKIP_DIRS.has(n)) continue;
          if (!inRoots(real as string)) {
            yield { path: p, explicit: false, problem: { severity: 'warning', message: 'This folder is a symbolic link to a place outside the scanned folders; it was not followed (name it on the command line to scan it).' } };
          } else if (chain.some((c) => inside(c, real as string)) || inside(realOrUndefined(dir) ?? dir, real as string)) {
            yield { path: p, explicit: false, problem: { severity: 'warning', message: 'This folder is a symbolic link back into a folder being scanned (a loop); it was not followed again.' } };
          } else {
            subdirs.push({ dir: p, chain: [...chain, real as string] });
          }
          continue;
        }
        if (!CANDIDATE.test(n)) continue;
        if (!real || !target) {
          yield { path: p, explicit: false, problem: { severity: 'error', message: 'This file is a symbolic link that leads nowhere (broken link); it could not be read.' } };
        } else if (!inRoots(real)) {
          yield {
            path: p,
            explicit: false,
            problem: { severity: 'error', message: 'This file is a symbolic link to a file outside the scanned folders; it was not read (name the target on the command line to scan it).' },
          };
        } else {
          yield { path: p, explicit: false };
        }
      }
      subdirs.sort((a, b) => (a.dir < b.dir ? -1 : a.dir > b.dir ? 1 : 0));
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
    }
  }
}
