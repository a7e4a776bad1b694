/**
 * `--baseline <file>`: report only findings that are not in a previous result. Reads relaylint's
 * JSON output (`fingerprint` on findings and problems) or SARIF (`partialFingerprints`).
 */
import { readRegular } from '../io/safe-fs';
import { FINGERPRINT_KEY } from './sarif';

/** A baseline is an earlier relaylint result; 256 MiB is far above any real one and bounds memory. */
const MAX_BASELINE_BYTES = 256 * 1024 * 1024;

export class BaselineError extends Error {}

export function loadBaseline(file: string): Set<string> {
  const read = readRegular(file, MAX_BASELINE_BYTES);
  if (read.kind === 'error') throw new BaselineError(`cannot read the baseline ${file}: ${read.message}`);
  if (read.kind === 'not-regular') throw new BaselineError(`cannot read the baseline ${file}: it is ${read.what}, not a regular file`);
  if (read.kind === 'too-large') throw new BaselineError(`the baseline ${file} is larger than ${MAX_BASELINE_BYTES} bytes; it is not a relaylint result`);
  const text = read.bytes.toString('utf8').replace(/^\uFEFF/, '');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`the baseline ${file} is not JSON: ${(e as Error).message}`);
  }
  const out = new Set<string>();
  const d = (doc !== null && typeof doc === 'object' ? doc : {}) as { files?: unknown; runs?: unknown };
  const bad = (what: string) => new BaselineError(`the baseline ${file} is malformed: ${what}`);
  const isObj = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  const list = (x: unknown, what: string): unknown[] => {
    if (x === undefined) return [];
    if (!Array.isArray(x)) throw bad(`${what} is not an array`);
    return x;
  };
  if (Array.isArray(d.files)) {
    d.files.forEach((f, i) => {
      if (!isObj(f)) throw bad(`files[${i}] is not an object`);
      for (const part of ['findings', 'problems'] as const) {
        for (const x of list(f[part], `files[${i}].${part}`)) if (isObj(x) && typeof x.fingerprint === 'string') out.add(x.fingerprint);
      }
    });
    return out;
  }
  if (Array.isArray(d.runs)) {
    d.runs.forEach((run, i) => {
      if (!isObj(run)) throw bad(`runs[${i}] is not an object`);
      for (const r of list(run.results, `runs[${i}].results`)) {
        const pf = isObj(r) ? r.partialFingerprints : undefined;
        const fp = isObj(pf) ? pf[FINGERPRINT_KEY] : undefined;
        if (typeof fp === 'string') out.add(fp);
      }
    });
    return out;
  }
  throw new BaselineError(`the baseline ${file} is neither relaylint JSON output (a "files" array) nor SARIF (a "runs" array)`);
}
