/**
 * `--format json`: one document, `{"tool","options","files":[…],"coverage":[…],"summary":{…}}`,
 * streamed: each file entry is written member by member and element by element as it arrives.
 */
import { JsonStream } from './json-writer';
import type { FileResult, Reporter, RunMeta, SetResults, Write } from './types';

/** Set-level sections after `coverage`, in this order when present (additive; see types.ts). */
const LATER_SECTIONS = ['gpos', 'scopes', 'evidence', 'readiness', 'posture'] as const;

export class JsonReporter implements Reporter {
  private readonly json: JsonStream;
  private first = true;

  constructor(private readonly write: Write) {
    this.json = new JsonStream(write);
  }

  begin(meta: RunMeta): void {
    this.write(`{"tool":${JSON.stringify(meta.tool)},"options":${JSON.stringify(meta.options)},"files":[`);
  }

  file(result: FileResult): void {
    const { coverage: _coverage, ...entry } = result;
    if (!this.first) this.write(',');
    this.first = false;
    // Depth 2: the entry's members, and each element of its arrays, one at a time.
    this.json.value(entry, 2);
  }

  end(set: SetResults): void {
    this.write('],"coverage":');
    this.json.value(set.coverage ?? [], 1);
    for (const k of LATER_SECTIONS) {
      const v = (set as unknown as Record<string, unknown>)[k];
      if (v !== undefined) {
        this.write(`,${JSON.stringify(k)}:`);
        this.json.value(v, 2);
      }
    }
    const s = set.summary;
    this.write(`,"summary":${JSON.stringify({ files: s.files, skipped: s.skipped, seconds: Number(s.seconds.toFixed(3)), fixed: s.fixed, errors: s.errors })}}\n`);
  }
}
