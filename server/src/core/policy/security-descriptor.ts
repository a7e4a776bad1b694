/**
 * Security filtering from a GPMC backup: `Backup.xml` carries the GPO's security descriptor as
 * space-separated hex bytes of the binary, self-relative descriptor (scope-and-evidence.md §2.10,
 * V [E28]; in the corpus the allow object ACE granting Apply Group Policy to S-1-5-11 was decoded by
 * hand). The byte layout read here is the one of the Windows data types specification (MS-DTYP:
 * SECURITY_DESCRIPTOR self-relative, ACL, ACE_HEADER, ACCESS_ALLOWED/DENIED_ACE and their _OBJECT_
 * forms, SID).
 *
 * What is taken from the DACL (P10, [E1] 3.2.5.1.6, [E3] GPMPermissionType): the trustees an ACE
 * allows or denies the **Apply Group Policy** extended right (`edacfd8f-ffb3-11d1-b41d-00a0c968f939`).
 * An ACE carries that right when its mask holds the control-access right (or generic all) and it is
 * either an object ACE naming that right, or an ACE that names no object type (all extended rights).
 * ACEs that only flow to children (inherit-only) do not apply to the GPO itself. The Read half of
 * GPMC's "Apply" is not read from the descriptor: the conditions drawn from it say so (filtering.ts
 * `READ_CAVEAT`).
 *
 * Bounded and fail-closed: every offset and count is checked against the bytes; input that does not
 * hold together gives a `problem` (security filtering unknown) and never throws.
 */
import { wellKnownSid } from '../sids';
import type { Trustee } from '../types';

/** Apply Group Policy extended right (scope-and-evidence.md P10). */
export const APPLY_GROUP_POLICY = 'edacfd8f-ffb3-11d1-b41d-00a0c968f939';

/** More bytes than any descriptor GPMC writes (an ACL is at most 65,535 bytes); beyond it the input is refused. */
export const MAX_SD_BYTES = 256 * 1024;

export type SdReading =
  | { ok: true; allow: Trustee[]; deny: Trustee[] }
  | { ok: false; problem: string };

/** The bytes of a `Backup.xml` `SecurityDescriptor` text: hex pairs, separated by white space or not. */
export function sdBytesOfText(text: string): Uint8Array | string {
  const t = text.trim();
  if (!t) return 'the SecurityDescriptor element is empty';
  if (t.length > MAX_SD_BYTES * 3) return `the SecurityDescriptor text is ${t.length} characters long, more than any descriptor holds`;
  const tokens = /\s/.test(t) ? t.split(/\s+/) : t.match(/.{1,2}/g) ?? [];
  const out = new Uint8Array(tokens.length);
  for (let i = 0; i < tokens.length; i++) {
    if (!/^[0-9a-f]{2}$/i.test(tokens[i])) return `the SecurityDescriptor text is not hex bytes (at byte ${i}: "${tokens[i].slice(0, 16)}")`;
    out[i] = parseInt(tokens[i], 16);
  }
  return out;
}

/** `S-1-…` of the SID at `off`, or a problem; `end` bounds it. */
function readSid(b: Uint8Array, off: number, end: number): { sid: string } | { problem: string } {
  if (off + 8 > end) return { problem: `a SID at byte ${off} runs past its ACE` };
  if (b[off] !== 1) return { problem: `the SID at byte ${off} has revision ${b[off]} (expected 1)` };
  const n = b[off + 1];
  if (n > 15) return { problem: `the SID at byte ${off} claims ${n} sub-authorities (at most 15)` };
  if (off + 8 + 4 * n > end) return { problem: `the SID at byte ${off} (${n} sub-authorities) runs past its ACE` };
  let auth = 0;
  for (let i = 0; i < 6; i++) auth = auth * 256 + b[off + 2 + i];
  const parts = [`S-1-${auth}`];
  for (let i = 0; i < n; i++) parts.push(String(u32(b, off + 8 + 4 * i)));
  return { sid: parts.join('-') };
}

function u16(b: Uint8Array, o: number): number {
  return b[o] | (b[o + 1] << 8);
}

function u32(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16)) + b[o + 3] * 0x1000000;
}

const hex = (b: Uint8Array, o: number, n: number, rev: boolean) => {
  const s = [...b.subarray(o, o + n)].map((x) => x.toString(16).padStart(2, '0'));
  return (rev ? s.reverse() : s).join('');
};

/** A GUID stored in its binary form (first three fields little-endian). */
function readGuid(b: Uint8Array, o: number): string {
  return `${hex(b, o, 4, true)}-${hex(b, o + 4, 2, true)}-${hex(b, o + 6, 2, true)}-${hex(b, o + 8, 2, false)}-${hex(b, o + 10, 6, false)}`;
}

const SE_DACL_PRESENT = 0x0004;
const SE_SELF_RELATIVE = 0x8000;
const INHERIT_ONLY_ACE = 0x08;
const ACE_OBJECT_TYPE_PRESENT = 0x1;
const ACE_INHERITED_OBJECT_TYPE_PRESENT = 0x2;
const DS_CONTROL_ACCESS = 0x100;
const GENERIC_ALL = 0x10000000;

/** ACE types: allow / deny, plain and object; the callback (conditional) forms are not evaluated. */
const ALLOW = new Set([0x00, 0x05]);
const DENY = new Set([0x01, 0x06]);
const OBJECT = new Set([0x05, 0x06, 0x0b, 0x0c]);
const CALLBACK = new Set([0x09, 0x0a, 0x0b, 0x0c]);

/**
 * The trustees allowed and denied Apply Group Policy by a self-relative security descriptor.
 * `names` maps SIDs to names the same file gives (Backup.xml `SecurityGroups`).
 */
export function applyTrusteesOfSd(b: Uint8Array, names: ReadonlyMap<string, string> = new Map()): SdReading {
  const fail = (problem: string): SdReading => ({ ok: false, problem });
  if (b.length > MAX_SD_BYTES) return fail(`the security descriptor is ${b.length} bytes, more than any descriptor holds`);
  if (b.length < 20) return fail(`the security descriptor is ${b.length} bytes, shorter than its 20-byte header (truncated?)`);
  if (b[0] !== 1) return fail(`the security descriptor has revision ${b[0]} (expected 1)`);
  const control = u16(b, 2);
  if ((control & SE_SELF_RELATIVE) === 0) return fail('the security descriptor is not in self-relative form');
  const daclOff = u32(b, 16);
  if ((control & SE_DACL_PRESENT) === 0 || daclOff === 0) return fail('the security descriptor has no DACL, so who may apply the GPO is not stated in it');
  if (daclOff < 20 || daclOff + 8 > b.length) return fail(`the DACL offset ${daclOff} lies outside the ${b.length}-byte descriptor`);
  const aclRev = b[daclOff];
  if (aclRev !== 2 && aclRev !== 4) return fail(`the DACL has revision ${aclRev} (expected 2 or 4)`);
  const aclSize = u16(b, daclOff + 2);
  const aceCount = u16(b, daclOff + 4);
  const end = daclOff + aclSize;
  if (aclSize < 8 || end > b.length) return fail(`the DACL claims ${aclSize} bytes at offset ${daclOff}, past the end of the ${b.length}-byte descriptor (truncated?)`);
  if (aceCount * 8 > aclSize - 8) return fail(`the DACL claims ${aceCount} ACEs, more than its ${aclSize} bytes can hold`);
  const allow = new Map<string, Trustee>();
  const deny = new Map<string, Trustee>();
  let pos = daclOff + 8;
  for (let i = 0; i < aceCount; i++) {
    if (pos + 8 > end) return fail(`ACE ${i + 1} of ${aceCount} starts at byte ${pos}, past the end of the DACL`);
    const type = b[pos];
    const flags = b[pos + 1];
    const size = u16(b, pos + 2);
    if (size < 8 || pos + size > end) return fail(`ACE ${i + 1} of ${aceCount} claims ${size} bytes at byte ${pos}, outside the DACL`);
    const aceEnd = pos + size;
    const mask = u32(b, pos + 4);
    const isAllow = ALLOW.has(type) || type === 0x09 || type === 0x0b;
    const isDeny = DENY.has(type) || type === 0x0a || type === 0x0c;
    if (isAllow || isDeny) {
      let sidOff = pos + 8;
      let objectType: string | undefined;
      if (OBJECT.has(type)) {
        if (pos + 12 > aceEnd) return fail(`object ACE ${i + 1} at byte ${pos} is too short for its flags`);
        const objFlags = u32(b, pos + 8);
        sidOff = pos + 12;
        if (objFlags & ACE_OBJECT_TYPE_PRESENT) {
          if (sidOff + 16 > aceEnd) return fail(`object ACE ${i + 1} at byte ${pos} is too short for its object type`);
          objectType = readGuid(b, sidOff);
          sidOff += 16;
        }
        if (objFlags & ACE_INHERITED_OBJECT_TYPE_PRESENT) {
          if (sidOff + 16 > aceEnd) return fail(`object ACE ${i + 1} at byte ${pos} is too short for its inherited object type`);
          sidOff += 16;
        }
      }
      const sid = readSid(b, sidOff, aceEnd);
      if ('problem' in sid) return fail(`ACE ${i + 1}: ${sid.problem}`);
      const grantsApply = (mask & (DS_CONTROL_ACCESS | GENERIC_ALL)) !== 0 && (objectType === undefined || objectType === APPLY_GROUP_POLICY);
      if (grantsApply && (flags & INHERIT_ONLY_ACE) === 0) {
        if (CALLBACK.has(type)) {
          return fail(`ACE ${i + 1} ${isAllow ? 'allows' : 'denies'} Apply Group Policy to ${sid.sid} under a condition (a callback ACE), which relaylint does not evaluate`);
        }
        const t = trusteeOf(sid.sid, names);
        (isAllow ? allow : deny).set(sid.sid, t);
      }
    }
    pos = aceEnd;
  }
  return { ok: true, allow: [...allow.values()], deny: [...deny.values()] };
}

/** Names for SIDs: what the file itself says, then the well-known list (core/sids.ts); any other SID stays raw. */
export function trusteeOf(sid: string, names: ReadonlyMap<string, string> = new Map()): Trustee {
  const own = names.get(sid.toUpperCase());
  if (own) return { sid, name: own };
  const wellKnown = wellKnownSid(sid);
  return wellKnown && !wellKnown.unnamed ? { sid, name: wellKnown.name } : { sid };
}
