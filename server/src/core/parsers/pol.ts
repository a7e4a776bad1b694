import type { Hive, ParsedFile } from '../types';
import { emptyParse } from './empty';

/** Registry.pol (PReg). `text` of the result is the rendered read-only view. PLACEHOLDER: being written. */
export function parsePol(bytes: Uint8Array, hive: Hive): ParsedFile {
  void bytes;
  void hive;
  return emptyParse('registry-pol', '', 'binary');
}
