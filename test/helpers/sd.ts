/**
 * Binary security descriptors for tests, in the self-relative layout GPMC backups hold (MS-DTYP;
 * scope-and-evidence.md §2.10): a DACL of allow / deny (object) ACEs, SIDs and GUIDs as bytes.
 */
export const APPLY = 'edacfd8f-ffb3-11d1-b41d-00a0c968f939';

export function sidBytes(sid: string): number[] {
  const [, , auth, ...subs] = sid.split('-').map(Number);
  const out = [1, subs.length, 0, 0, 0, 0, 0, auth];
  for (const s of subs) out.push(s & 0xff, (s >>> 8) & 0xff, (s >>> 16) & 0xff, (s >>> 24) & 0xff);
  return out;
}

export function guidBytes(g: string): number[] {
  const h = g.replace(/-/g, '');
  const b = (i: number) => parseInt(h.slice(i, i + 2), 16);
  return [b(6), b(4), b(2), b(0), b(10), b(8), b(14), b(12), ...Array.from({ length: 8 }, (_, i) => b(16 + 2 * i))];
}

export const le16 = (n: number) => [n & 0xff, (n >>> 8) & 0xff];
export const le32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];

export interface AceSpec {
  type: number;
  flags?: number;
  mask: number;
  sid: string;
  object?: string;
  inherited?: string;
}

export function ace(a: AceSpec): number[] {
  const body: number[] = [...le32(a.mask)];
  if ([5, 6, 0x0b, 0x0c].includes(a.type)) {
    body.push(...le32((a.object ? 1 : 0) | (a.inherited ? 2 : 0)));
    if (a.object) body.push(...guidBytes(a.object));
    if (a.inherited) body.push(...guidBytes(a.inherited));
  }
  body.push(...sidBytes(a.sid));
  return [a.type, a.flags ?? 0, ...le16(4 + body.length), ...body];
}

/** A self-relative descriptor with only a DACL, as GPMC backups hold (owner, group and SACL offsets 0). */
export function sd(aces: AceSpec[]): Uint8Array {
  const body = aces.flatMap(ace);
  const acl = [4, 0, ...le16(8 + body.length), ...le16(aces.length), 0, 0, ...body];
  return Uint8Array.from([1, 0, 0x04, 0x9c, ...le32(0), ...le32(0), ...le32(0), ...le32(20), ...acl]);
}

export const hex = (b: Uint8Array): string => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
