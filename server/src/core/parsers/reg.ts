import type { Encoding, ParsedFile } from '../types';
import { emptyParse } from './empty';

/** Registration entries (.reg). PLACEHOLDER: being written. */
export function parseReg(text: string, encoding: Encoding): ParsedFile {
  return emptyParse('reg', text, encoding);
}
