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
};
