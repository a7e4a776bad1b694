/**
 * Registry key normalisation (settings-and-formats.md §5.1): every format maps to
 * (hive, key path lower-cased, value name lower-cased). Registry paths are case-insensitive
 * (`LanManServer` in GPMC output, `LanmanServer` in the ADMX files).
 */
import type { Hive } from './types';

const HIVES: Record<string, Hive> = {
  hkey_local_machine: 'HKLM',
  hklm: 'HKLM',
  machine: 'HKLM',
  hkey_current_user: 'HKCU',
  hkcu: 'HKCU',
  user: 'HKCU',
  hkey_users: 'HKU',
  hku: 'HKU',
  hkey_classes_root: 'HKCR',
  hkcr: 'HKCR',
  hkey_current_config: 'HKCC',
  hkcc: 'HKCC',
};

/** Map a hive spelling (`HKEY_LOCAL_MACHINE`, `MACHINE`, `HKLM`, …) to its short form. */
export function hiveOf(name: string): Hive | undefined {
  return HIVES[name.toLowerCase()];
}

/** Trim separators, collapse doubled backslashes. Keeps case. */
export function cleanKey(key: string): string {
  if (key.indexOf('\\\\') < 0 && key.charCodeAt(0) !== 92 && key.charCodeAt(key.length - 1) !== 92) return key;
  return key.replace(/\\{2,}/g, '\\').replace(/^\\+|\\+$/g, '');
}

/**
 * Whether `cleanKey(key).toLowerCase() === lower`, for an ASCII `lower`, without making either
 * string: the same rules as `cleanKey` (outer backslashes ignored, a run of them one), compared
 * character by character. Undefined when the key holds a character outside ASCII before the answer
 * is known: its lower case may differ in length or be ASCII (the Kelvin sign), so the caller builds
 * the id the long way.
 */
export function cleanKeyIsLower(key: string, lower: string): boolean | undefined {
  let i = 0;
  let end = key.length;
  while (i < end && key.charCodeAt(i) === 92) i++;
  while (end > i && key.charCodeAt(end - 1) === 92) end--;
  let j = 0;
  for (; i < end; i++, j++) {
    let c = key.charCodeAt(i);
    if (c >= 128) return undefined;
    if (c === 92) while (i + 1 < end && key.charCodeAt(i + 1) === 92) i++;
    else if (c >= 65 && c <= 90) c += 32;
    if (j >= lower.length || lower.charCodeAt(j) !== c) return false;
  }
  return j === lower.length;
}

/**
 * Lookup key for a registry value: `hklm\system\...\parameters` NUL `requiresecuritysignature`.
 * Key and name are joined with U+0000, not with a printable character: with a bar, key `A|B` and
 * name `C` had the id of key `A` and name `B|C`, and an export can hold either. Only a key with a
 * NUL in it (text read as U+0000) could still meet another value's id.
 */
export function valueId(hive: Hive, key: string, name: string): string {
  return `${hive}\\${cleanKey(key)}\u0000${name}`.toLowerCase();
}

/** Lookup key for a registry key: `hklm\system\...\parameters`. */
export function keyId(hive: Hive, key: string): string {
  return `${hive}\\${cleanKey(key)}`.toLowerCase();
}

/** Display form used in JSON output and messages: `HKLM\System\...`. */
export function displayKey(hive: Hive, key: string): string {
  const k = cleanKey(key);
  return k ? `${hive}\\${k}` : hive;
}
