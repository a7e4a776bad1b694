import type { Encoding, ParsedFile } from '../types';
import { emptyParse } from './empty';

/** Get-GPOReport XML (GPO / GPOs root) and RSoP XML (Rsop root). PLACEHOLDER: being written. */
export function parseGpoReport(text: string, encoding: Encoding): ParsedFile {
  return emptyParse('gpo-report-xml', text, encoding);
}
