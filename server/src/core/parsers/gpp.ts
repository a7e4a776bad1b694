import type { Encoding, ParsedFile } from '../types';
import { emptyParse } from './empty';

/** GPP Registry.xml. PLACEHOLDER: being written. */
export function parseGppRegistry(text: string, encoding: Encoding): ParsedFile {
  return emptyParse('gpp-registry-xml', text, encoding);
}
