/** The output formats of `relaylint scan`, all behind one interface (see ./types.ts). */
import { SarifWriter } from '../sarif';
import { TextReporter } from '../text';
import { JsonReporter } from './json';
import type { Reporter, Write } from './types';

export type { FileResult, Reporter, RunMeta, RunSummary, SetResults, Write } from './types';
export { JsonReporter } from './json';
export { JsonStream } from './json-writer';

export const FORMATS = ['text', 'json', 'sarif'] as const;
export type Format = (typeof FORMATS)[number];

export function createReporter(format: Format, write: Write): Reporter {
  switch (format) {
    case 'json':
      return new JsonReporter(write);
    case 'sarif':
      return new SarifWriter(write);
    case 'text':
      return new TextReporter(write);
  }
}
