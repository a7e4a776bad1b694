import { dominantEol } from '../text';
import type { Encoding, FileFormat, ParsedFile } from '../types';

/** A parse result with nothing in it yet; parsers start from this. */
export function emptyParse(format: FileFormat, text: string, encoding: Encoding): ParsedFile {
  return { format, encoding, text, eol: dominantEol(text), settings: [], problems: [], comments: [] };
}
