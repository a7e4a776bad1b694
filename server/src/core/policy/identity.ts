/**
 * GPO identity from the files next to the policy files, as pure functions over their text:
 * - SYSVOL `Policies/{GUID}/GPT.INI`: `[General] displayName=…` (the GUID is the folder name).
 * - GPMC backup `Backup.xml` (scope-and-evidence.md §2.10 [E28]): `GroupPolicyCoreSettings` with
 *   `ID`, `DisplayName`, `Options` (GPO status bits: 1 = user side disabled, 2 = computer side
 *   disabled) and `WMIFilter` / `WMIFilterName`.
 *   Its `SecurityDescriptor` (hex bytes of the binary descriptor) gives the security filtering (P10):
 *   see security-descriptor.ts; `SecurityGroups/Group` (`Sid`, `SamAccountName`,
 *   `NetBIOSDomainName`, seen in the corpus files) names the SIDs the descriptor holds.
 * - GPMC backup `bkupInfo.xml`: `GPOGuid`, `GPODisplayName`.
 * `ini` reads GPT.INI (positions do not matter there); the XML files go through the core's own reader
 * (DTDs refused, no entity expansion).
 */
import { parse as parseIni } from 'ini';
import { childText, descendants, readXml, type XmlElement } from '../parsers/xml';
import type { ApplyTrustees } from './filtering';
import { applyTrusteesOfSd, sdBytesOfText } from './security-descriptor';
import { normGuid } from '../topology/model';

export interface GpoIdentity {
  /** `{GUID}` upper case with braces. */
  guid?: string;
  name?: string;
  /** Backup.xml `Options`: the GPO status flags. */
  statusFlags?: number;
  /** False when the status says the computer side is disabled. */
  computerEnabled?: boolean;
  /** WMI filter (name when given, else the filter reference). */
  wmiFilter?: string;
  /** Backup.xml: trustees allowed / denied Apply Group Policy by its security descriptor (the whole DACL). */
  applyTrustees?: ApplyTrustees;
  /** Backup.xml: why its security descriptor could not be read (security filtering unknown). */
  securityUnknown?: string;
  /** Which file said so: `GPT.INI`, `Backup.xml`, `bkupInfo.xml`. */
  source?: string;
}

/** GPT.INI: the display name. */
export function parseGptIni(text: string): GpoIdentity {
  let parsed: Record<string, unknown>;
  try {
    parsed = parseIni(text) as Record<string, unknown>;
  } catch {
    return { source: 'GPT.INI' };
  }
  for (const [section, body] of Object.entries(parsed)) {
    if (section.toLowerCase() !== 'general' || typeof body !== 'object' || !body) continue;
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
      if (k.toLowerCase() === 'displayname' && typeof v === 'string' && v.trim()) return { name: v.trim(), source: 'GPT.INI' };
    }
  }
  return { source: 'GPT.INI' };
}

function firstText(root: XmlElement, local: string): string | undefined {
  for (const el of descendants(root)) if (el.local === local && el.closed) return el.text.trim() || undefined;
  return undefined;
}

/** Backup.xml: ID, DisplayName, Options (status bits) and the WMI filter. */
export function parseBackupXml(text: string): GpoIdentity | undefined {
  const doc = readXml(text);
  if (!doc.root || doc.problems.some((p) => p.code === 'unsafe-xml')) return undefined;
  const core = [...descendants(doc.root)].find((e) => e.local === 'GroupPolicyCoreSettings') ?? doc.root;
  const out: GpoIdentity = { source: 'Backup.xml' };
  const guid = normGuid(firstText(core, 'ID'));
  if (guid) out.guid = guid;
  const name = firstText(core, 'DisplayName');
  if (name) out.name = name;
  const options = firstText(core, 'Options');
  if (options !== undefined && /^\d+$/.test(options)) {
    out.statusFlags = Number(options);
    out.computerEnabled = (out.statusFlags & 2) === 0;
  }
  const sdEl = [...descendants(core)].find((e) => e.local === 'SecurityDescriptor' && e.closed);
  if (sdEl) {
    const bytes = sdBytesOfText(sdEl.text);
    const got = typeof bytes === 'string' ? { ok: false as const, problem: bytes } : applyTrusteesOfSd(bytes, securityGroupNames(doc.root));
    if (got.ok) out.applyTrustees = { allow: got.allow, deny: got.deny, complete: true };
    else out.securityUnknown = `its Backup.xml SecurityDescriptor could not be read: ${got.problem}`;
  }
  const wmiName = firstText(core, 'WMIFilterName');
  const wmi = firstText(core, 'WMIFilter');
  if (wmiName || wmi) out.wmiFilter = wmiName ?? wmi;
  return out.guid || out.name ? out : undefined;
}

/** Backup.xml `SecurityGroups/Group`: SID (upper case) → `NETBIOS\name` (or the name alone). */
function securityGroupNames(root: XmlElement): Map<string, string> {
  const names = new Map<string, string>();
  for (const g of descendants(root)) {
    if (g.local !== 'Group' || names.size >= 4096) continue;
    const sid = childText(g, 'Sid')?.trim();
    const sam = childText(g, 'SamAccountName')?.trim();
    if (!sid || !sam || !/^S-1-/i.test(sid)) continue;
    const dom = childText(g, 'NetBIOSDomainName')?.trim();
    names.set(sid.toUpperCase(), dom ? `${dom}\\${sam}` : sam);
  }
  return names;
}

/** bkupInfo.xml: GPOGuid and GPODisplayName. */
export function parseBkupInfo(text: string): GpoIdentity | undefined {
  const doc = readXml(text);
  if (!doc.root || doc.problems.some((p) => p.code === 'unsafe-xml')) return undefined;
  const out: GpoIdentity = { source: 'bkupInfo.xml' };
  const guid = normGuid(firstText(doc.root, 'GPOGuid'));
  if (guid) out.guid = guid;
  const name = firstText(doc.root, 'GPODisplayName');
  if (name) out.name = name;
  return out.guid || out.name ? out : undefined;
}

/** Merge identities of one GPO from several files: the first name wins; a disabled computer side from any source holds. */
export function mergeIdentity(a: GpoIdentity | undefined, b: GpoIdentity | undefined): GpoIdentity | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: GpoIdentity = { ...b, ...a };
  if (a.computerEnabled === false || b.computerEnabled === false) out.computerEnabled = false;
  return out;
}
