/**
 * Walks the paths given on the command line in a stable order, yielding one file at a time so a
 * whole SYSVOL is never held in memory. Folders contribute only files that can be Group Policy
 * exports by name (`*.inf`, `*.reg`, `*.xml`, `*.pol`); files named explicitly are always scanned.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { candidateExtensions } from '../core';

export interface WalkEntry {
  path: string;
  /** Named on the command line (report it even if it turns out not to be a GPO export). */
  explicit: boolean;
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

export function* walk(roots: readonly string[], errors: WalkError[]): Generator<WalkEntry> {
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
    const stack: string[] = [root];
    while (stack.length) {
      const dir = stack.pop() as string;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch (e) {
        errors.push({ path: dir, message: (e as Error).message });
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const subdirs: string[] = [];
      const prefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
      for (const ent of entries) {
        const p = prefix + ent.name;
        if (ent.isDirectory()) {
          if (!SKIP_DIRS.has(ent.name)) subdirs.push(p);
        } else if (ent.isFile() && CANDIDATE.test(ent.name)) {
          yield { path: p, explicit: false };
        }
        // Symbolic links are not followed: a SYSVOL junction loop must not hang the scan.
      }
      for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
    }
  }
}
