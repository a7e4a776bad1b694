/**
 * `--baseline <file>`: report only findings that are not in a previous result. Reads relaylint's
 * JSON output (`fingerprint` on findings and problems) or SARIF (`partialFingerprints`).
 */
import * as fs from 'node:fs';
import { FINGERPRINT_KEY } from './sarif';

export class BaselineError extends Error {}

export function loadBaseline(file: string): Set<string> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (e) {
    throw new BaselineError(`cannot read the baseline ${file}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`the baseline ${file} is not JSON: ${(e as Error).message}`);
  }
  const out = new Set<string>();
  const d = doc as { files?: unknown; runs?: unknown };
  if (Array.isArray(d.files)) {
    for (const f of d.files as { findings?: { fingerprint?: string }[]; problems?: { fingerprint?: string }[] }[]) {
      for (const x of [...(f.findings ?? []), ...(f.problems ?? [])]) if (typeof x.fingerprint === 'string') out.add(x.fingerprint);
    }
    return out;
  }
  if (Array.isArray(d.runs)) {
    for (const run of d.runs as { results?: { partialFingerprints?: Record<string, string> }[] }[]) {
      for (const r of run.results ?? []) {
        const fp = r.partialFingerprints?.[FINGERPRINT_KEY];
        if (typeof fp === 'string') out.add(fp);
      }
    }
    return out;
  }
  throw new BaselineError(`the baseline ${file} is neither relaylint JSON output (a "files" array) nor SARIF (a "runs" array)`);
}
