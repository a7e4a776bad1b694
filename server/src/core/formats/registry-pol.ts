/** `Registry.pol` (binary PReg). Read-only; no comments. */
import { parsePol } from '../parsers/pol';
import type { Hive } from '../types';
import type { FormatProvider } from './types';

/** Registry.pol under a `User` folder applies to HKCU; anything else to HKLM [S34]. */
export function polHive(path: string): Hive {
  return /(^|[\\/])user([\\/]|$)/i.test(path) ? 'HKCU' : 'HKLM';
}

export const registryPolProvider: FormatProvider = {
  id: 'registry-pol',
  formats: ['registry-pol'],
  languageIds: [],
  extensions: ['pol'],
  parseBytes: (bytes, path, options) => parsePol(bytes, polHive(path), options),
  editable: false,
  binary: true,
  /** The client's read-only text view of a Registry.pol (`relaylint-pol:` documents). */
  editorFilters: [{ scheme: 'relaylint-pol' }],
  /** The PReg signature `PReg`. */
  detectBytes: (bytes) => bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x52 && bytes[2] === 0x65 && bytes[3] === 0x67,
  detect: [{ order: 10, what: 'extension .pol', test: (c) => (c.ext === 'pol' ? 'registry-pol' : undefined) }],
};
