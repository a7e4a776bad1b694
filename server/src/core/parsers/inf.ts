import type { Encoding, ParsedFile } from '../types';
import { emptyParse } from './empty';

/** secedit security template (GptTmpl.inf). PLACEHOLDER: being written. */
export function parseInf(text: string, encoding: Encoding): ParsedFile {
  return emptyParse('inf', text, encoding);
}
