/**
 * Which GPO a file belongs to, for reports: SYSVOL folders `Policies/{GUID}/` carry a `GPT.INI`
 * (`[General] displayName=…`) and GPMC backup folders carry `bkupInfo.xml` / `Backup.xml` with the
 * display name. `ini` reads GPT.INI (a plain INI file where positions do not matter) and
 * fast-xml-parser reads the backup metadata (no positions needed, entities not processed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseIni } from 'ini';
import { XMLParser } from 'fast-xml-parser';
import { decode } from '../core';
import { readRegular } from './safe-fs';

export interface GpoContext {
  guid?: string;
  name?: string;
}

const GUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i;
const MAX_META_BYTES = 1024 * 1024;

const xml = new XMLParser({ ignoreAttributes: true, processEntities: false, removeNSPrefix: true, htmlEntities: false });

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

function findChild(names: readonly string[], dir: string, lowerName: string): string | undefined {
  const hit = names.find((n) => n.toLowerCase() === lowerName);
  return hit ? path.join(dir, hit) : undefined;
}

function fromGptIni(names: readonly string[], dir: string): string | undefined {
  const file = findChild(names, dir, 'gpt.ini');
  const text = file && readSmallText(file);
  if (!text) return undefined;
  const parsed = parseIni(text) as Record<string, Record<string, unknown> | unknown>;
  for (const [section, body] of Object.entries(parsed)) {
    if (section.toLowerCase() !== 'general' || typeof body !== 'object' || !body) continue;
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (k.toLowerCase() === 'displayname' && typeof v === 'string' && v.trim()) return v.trim();
    }
  }
  return undefined;
}

function firstString(obj: unknown, key: string, depth = 0): string | undefined {
  if (!obj || typeof obj !== 'object' || depth > 8) return undefined;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    if (k === key && (typeof v === 'string' || typeof v === 'number')) return String(v).trim();
    const inner = firstString(v, key, depth + 1);
    if (inner) return inner;
  }
  return undefined;
}

function fromBackup(names: readonly string[], dir: string): GpoContext | undefined {
  for (const [file, nameKey, guidKey] of [
    ['bkupinfo.xml', 'GPODisplayName', 'GPOGuid'],
    ['backup.xml', 'DisplayName', 'ID'],
  ] as const) {
    const p = findChild(names, dir, file);
    const text = p && readSmallText(p);
    if (!text || /<!DOCTYPE/i.test(text)) continue;
    try {
      const doc = xml.parse(text);
      const name = firstString(doc, nameKey);
      const guid = firstString(doc, guidKey);
      if (name || guid) return { name, guid: guid && GUID.test(guid) ? guid.toUpperCase() : undefined };
    } catch {
      // Unreadable metadata only costs the GPO name in the report.
    }
  }
  return undefined;
}

/**
 * GPO folders in SYSVOL (`Policies/{GUID}`) and GPMC backup folders (`{GUID}`) are named by a GUID,
 * so only GUID-named ancestors are examined: one directory listing each. The cache is bounded (the
 * walk is depth-first, so recent folders are the ones asked about again) to keep memory flat on any
 * tree size.
 */
export class GpoResolver {
  private static readonly MAX_CACHE = 1024;
  private readonly byDir = new Map<string, GpoContext | null>();
  /** The GPO of a file: the nearest GUID-named ancestor folder that is a GPO or a GPMC backup. */
  resolve(file: string): GpoContext | undefined {
    return this.ofDir(path.dirname(path.resolve(file)), 0);
  }

  private ofDir(dir: string, depth: number): GpoContext | undefined {
    const known = this.byDir.get(dir);
    if (known !== undefined) return known ?? undefined;
    let ctx: GpoContext | undefined;
    if (GUID.test(path.basename(dir))) ctx = this.lookup(dir);
    if (!ctx && depth < 12) {
      const parent = path.dirname(dir);
      if (parent !== dir) ctx = this.ofDir(parent, depth + 1);
    }
    if (this.byDir.size >= GpoResolver.MAX_CACHE) this.byDir.delete(this.byDir.keys().next().value as string);
    this.byDir.set(dir, ctx ?? null);
    return ctx;
  }

  private lookup(dir: string): GpoContext | undefined {
    let names: string[] = [];
    try {
      names = fs.readdirSync(dir);
    } catch {
      // An unreadable folder only costs the GPO name.
    }
    let ctx: GpoContext | undefined;
    if (findChild(names, dir, 'gpt.ini')) ctx = { guid: path.basename(dir).toUpperCase(), name: fromGptIni(names, dir) };
    return ctx ?? fromBackup(names, dir);
  }
}
