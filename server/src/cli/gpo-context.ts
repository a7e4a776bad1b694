/**
 * Which GPO a file belongs to: SYSVOL folders `Policies/{GUID}/` carry a `GPT.INI` and GPMC backup
 * folders carry `bkupInfo.xml` / `Backup.xml`. The CLI only finds and reads these files; what they
 * say (name, GUID, GPO status bits, WMI filter) is read by the core's pure functions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decode, mergeIdentity, parseBackupXml, parseBkupInfo, parseGptIni, type GpoIdentity } from '../core/index';
import { readRegular } from './safe-fs';
import type { WalkFolder } from './walk';

/** The GPO of a file as the JSON output shows it. */
export interface GpoContext {
  guid?: string;
  name?: string;
}

/** Everything known about the folder's GPO (name, status bits, WMI filter). */
export type GpoFolderIdentity = GpoIdentity;

const GUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i;
const MAX_META_BYTES = 1024 * 1024;

/**
 * Metadata is read only from regular files (non-blocking open, size checked first), and only when
 * it really lives in the GPO folder: a `GPT.INI` that is a link to a file elsewhere (outside the
 * scanned tree) must not pull that file's content into the report.
 */
function readSmallText(file: string): string | undefined {
  try {
    const real = fs.realpathSync.native(file);
    if (path.dirname(real) !== fs.realpathSync.native(path.dirname(file))) return undefined;
  } catch {
    return undefined;
  }
  const read = readRegular(file, MAX_META_BYTES);
  if (read.kind !== 'ok') return undefined;
  const d = decode(read.bytes);
  return d.encoding === 'binary' ? undefined : d.text;
}

/** The text of a metadata file the walk saw as a regular file in the GPO folder (so it lives there: no link to check). */
function readListedText(file: string): string | undefined {
  const read = readRegular(file, MAX_META_BYTES);
  if (read.kind !== 'ok') return undefined;
  const d = decode(read.bytes);
  return d.encoding === 'binary' ? undefined : d.text;
}

function findChild(names: readonly string[], dir: string, lowerName: string): string | undefined {
  const hit = names.find((n) => n.toLowerCase() === lowerName);
  return hit ? path.join(dir, hit) : undefined;
}

function fromBackup(names: readonly string[], dir: string): GpoIdentity | undefined {
  let out: GpoIdentity | undefined;
  for (const [file, parse] of [
    ['bkupinfo.xml', parseBkupInfo],
    ['backup.xml', parseBackupXml],
  ] as const) {
    const p = findChild(names, dir, file);
    const text = p && readSmallText(p);
    if (text) out = mergeIdentity(out, parse(text));
  }
  return out;
}

/** The JSON output's view of an identity: GUID and name only. */
export function gpoContextOf(id: GpoIdentity | undefined): GpoContext | undefined {
  if (!id || (!id.guid && !id.name)) return undefined;
  // Key order as before: GPT.INI gave { guid, name }, the backup files { name, guid }.
  if (id.source === 'GPT.INI') return { guid: id.guid, ...(id.name ? { name: id.name } : {}) };
  return { ...(id.name ? { name: id.name } : {}), ...(id.guid ? { guid: id.guid } : {}) };
}

/**
 * GPO folders in SYSVOL (`Policies/{GUID}`) and GPMC backup folders (`{GUID}`) are named by a GUID,
 * so only GUID-named ancestors are examined: one directory listing each. The cache is bounded (the
 * walk is depth-first, so recent folders are the ones asked about again) to keep memory flat on any
 * tree size.
 */
export class GpoResolver {
  private static readonly MAX_CACHE = 1024;
  private readonly byDir = new Map<string, GpoIdentity | null>();

  /**
   * The GPO of a file the walk found in `folder`: the same answer as `resolve(file)`, from what the
   * walk already listed (no folder is listed again, and a metadata file the walk saw as a regular
   * file is read without resolving links). Remembered on the folder objects, which the walk drops
   * as it moves on. Folders above a scanned root are asked on disk, as `resolve` does.
   */
  resolveFolder(folder: WalkFolder): GpoIdentity | undefined {
    return this.ofFolder(folder, 0);
  }

  private ofFolder(folder: WalkFolder, depth: number): GpoIdentity | undefined {
    const known = folder.gpo as { gpo: GpoIdentity | undefined } | undefined;
    if (known) return known.gpo;
    let ctx: GpoIdentity | undefined;
    if (GUID.test(folder.name)) ctx = this.lookupListed(folder);
    if (!ctx && depth < 12) {
      if (folder.parent) ctx = this.ofFolder(folder.parent, depth + 1);
      else {
        const dir = path.resolve(folder.path);
        const parent = path.dirname(dir);
        if (parent !== dir) ctx = this.ofDir(parent, depth + 1);
      }
    }
    folder.gpo = { gpo: ctx };
    return ctx;
  }

  private lookupListed(folder: WalkFolder): GpoIdentity | undefined {
    const dir = path.resolve(folder.path);
    const text = (lower: string): string | undefined => {
      const hit = folder.meta.find((m) => m.name.toLowerCase() === lower);
      if (!hit) return undefined;
      const file = path.join(dir, hit.name);
      return (hit.regular ? readListedText(file) : readSmallText(file)) ?? '';
    };
    const ini = text('gpt.ini');
    if (ini !== undefined) return { ...(ini ? parseGptIni(ini) : {}), guid: folder.name.toUpperCase() };
    let out: GpoIdentity | undefined;
    for (const [file, parse] of [
      ['bkupinfo.xml', parseBkupInfo],
      ['backup.xml', parseBackupXml],
    ] as const) {
      const t = text(file);
      if (t) out = mergeIdentity(out, parse(t));
    }
    return out;
  }

  /** The GPO of a file: the nearest GUID-named ancestor folder that is a GPO or a GPMC backup. */
  resolve(file: string): GpoIdentity | undefined {
    return this.ofDir(path.dirname(path.resolve(file)), 0);
  }

  private ofDir(dir: string, depth: number): GpoIdentity | undefined {
    const known = this.byDir.get(dir);
    if (known !== undefined) return known ?? undefined;
    let ctx: GpoIdentity | undefined;
    if (GUID.test(path.basename(dir))) ctx = this.lookup(dir);
    if (!ctx && depth < 12) {
      const parent = path.dirname(dir);
      if (parent !== dir) ctx = this.ofDir(parent, depth + 1);
    }
    if (this.byDir.size >= GpoResolver.MAX_CACHE) this.byDir.delete(this.byDir.keys().next().value as string);
    this.byDir.set(dir, ctx ?? null);
    return ctx;
  }

  private lookup(dir: string): GpoIdentity | undefined {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      // An unreadable folder only costs the GPO name.
    }
    const ini = findChild(names, dir, 'gpt.ini');
    if (ini) {
      const text = readSmallText(ini);
      return { ...(text ? parseGptIni(text) : {}), guid: path.basename(dir).toUpperCase() };
    }
    return fromBackup(names, dir);
  }
}
