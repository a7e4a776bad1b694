/**
 * A synthetic EVTX of any size: the file header and the valid chunks of a real sample, repeated
 * chunk by chunk (the header is left as it is; it is dirty in the samples, so readers walk every
 * slot). Used by the slow 2 GB test and `npm run bench` (scripts/bench-evtx.mjs has its own copy
 * of this loop, being plain JavaScript).
 */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

export interface SynthResult {
  bytes: number;
  chunks: number;
  records: number;
}

/** Write `targetBytes` (rounded to whole chunks) built from `samplePath`; `recordsPerChunk` counts records of the sample's chunks. */
export function writeSyntheticEvtx(samplePath: string, outPath: string, targetBytes: number, recordsPerChunk: number[]): SynthResult {
  const sample = readFileSync(samplePath);
  const header = sample.subarray(0, 4096);
  const chunks: Buffer[] = [];
  for (let off = 4096; off + 65536 <= sample.length; off += 65536) {
    const c = sample.subarray(off, off + 65536);
    if (c.subarray(0, 8).toString('latin1') === 'ElfChnk\u0000') chunks.push(c);
  }
  if (chunks.length !== recordsPerChunk.length) throw new Error(`expected ${recordsPerChunk.length} chunks, found ${chunks.length}`);
  const block = Buffer.concat(chunks);
  const fd = openSync(outPath, 'w');
  let written = 0;
  let n = 0;
  let records = 0;
  try {
    written += writeSync(fd, header);
    while (written + 65536 <= targetBytes) {
      const room = Math.floor((targetBytes - written) / 65536);
      const take = Math.min(room, chunks.length);
      written += writeSync(fd, block, 0, take * 65536);
      for (let i = 0; i < take; i++) records += recordsPerChunk[i];
      n += take;
    }
  } finally {
    closeSync(fd);
  }
  return { bytes: written, chunks: n, records };
}
