/**
 * `--format json`: one document, `{"tool","options","files":[…],"coverage":[…],"summary":{…}}`,
 * streamed: each file entry is written member by member and element by element as it arrives.
 */
import { JsonStream } from './json-writer';
import type { FileResult, Reporter, RunMeta, SetResults, Write } from './types';

/**
 * Set-level sections after `coverage`, in this order when present (additive; see types.ts), each
 * with the depth to which the writer streams it (JsonStream.value): 2 writes an array's elements
 * one by one and an object's members one by one; 1 writes an array in chunks of elements. The GPO
 * summaries are thousands of small objects: member by member, one `JSON.stringify` call each, they
 * were 10 ms of a 5,500-GPO scan with a topology (bench/README.md, wave 11).
 */
const LATER_SECTIONS = [
  ['gpos', 1],
  ['scopes', 2],
  ['topology', 2],
  ['evidence', 2],
  ['readiness', 2],
  ['posture', 2],
] as const;

export class JsonReporter implements Reporter {
  /** Entries with at most this many settings, findings and problems are written with one stringify. */
  static readonly WHOLE_ENTRY_MAX = 2000;
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
    const size = entry.settings.length + entry.findings.length + entry.problems.length + entry.suppressed.length;
    // A small entry (nearly all of them) in one piece; a large one member by member and its arrays
    // in bounded chunks, so no string as large as a huge file's entry is ever built.
    if (size <= JsonReporter.WHOLE_ENTRY_MAX) this.write(JSON.stringify(entry));
    else this.json.value(entry, 2);
  }

  end(set: SetResults): void {
    this.write('],"coverage":');
    this.json.value(set.coverage ?? [], 1);
    for (const [k, depth] of LATER_SECTIONS) {
      const v = (set as unknown as Record<string, unknown>)[k];
      if (v !== undefined) {
        this.write(`,${JSON.stringify(k)}:`);
        this.json.value(v, depth);
      }
    }
    const s = set.summary;
    this.write(`,"summary":${JSON.stringify({ files: s.files, skipped: s.skipped, seconds: Number(s.seconds.toFixed(3)), fixed: s.fixed, errors: s.errors })}}\n`);
  }
}
