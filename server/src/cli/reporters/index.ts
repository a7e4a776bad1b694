/** The output formats of `relaylint scan`, all behind one interface (see ./types.ts). */
import { SarifWriter } from '../sarif';
import { TextReporter } from '../text';
import { JsonReporter } from './json';
import type { Reporter, Write } from './types';

export type { FileResult, Reporter, RunMeta, RunSummary, SetResults, Write } from './types';
export { JsonReporter } from './json';
export { JsonStream } from './json-writer';

/**
 * Every reporter of `relaylint scan`, by its `--format` name (in `--help` order). A new reporter is
 * one file next to types.ts implementing `Reporter`, and one line here; `--format` accepts it from
 * then on, and test/unit/reporter-contract.test.ts runs it through the shared contract.
 */
const REPORTERS = {
  text: (write: Write) => new TextReporter(write),
  json: (write: Write) => new JsonReporter(write),
  sarif: (write: Write) => new SarifWriter(write),
} satisfies Record<string, (write: Write) => Reporter>;

export type Format = keyof typeof REPORTERS;
export const FORMATS = Object.keys(REPORTERS) as readonly Format[];

export function createReporter(format: Format, write: Write): Reporter {
  return REPORTERS[format](write);
}
