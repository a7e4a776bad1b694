/**
 * Streaming text over a ByteSource: the encoding is decided from the BOM (UTF-8, UTF-16LE/BE) or,
 * without one, from NUL bytes in the first block (UTF-16LE as PowerShell 5.1 `Out-File` writes
 * it), else UTF-8. Blocks are decoded one at a time, so memory stays at one block.
 */
import type { ByteSource } from './types';

export const TEXT_BLOCK = 1 << 20;

export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

export function sniffEncoding(head: Uint8Array): { encoding: TextEncodingName; bom: number } {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  if (head.length >= 2 && head[0] !== 0 && head[1] === 0) return { encoding: 'utf-16le', bom: 0 };
  if (head.length >= 2 && head[0] === 0 && head[1] !== 0) return { encoding: 'utf-16be', bom: 0 };
  return { encoding: 'utf-8', bom: 0 };
}

/** The first `max` characters of a source (for detection). */
export function headText(src: ByteSource, max = 4096): string {
  const head = src.read(0, Math.min(src.size, max * 2 + 3));
  const { encoding, bom } = sniffEncoding(head);
  return new TextDecoder(encoding).decode(head.subarray(bom)).slice(0, max);
}

/** Text blocks of the whole source. A failing read throws to the caller (which reports it). */
export function* textBlocks(src: ByteSource, block = TEXT_BLOCK): Generator<string> {
  const head = src.read(0, Math.min(src.size, 4));
  const { encoding, bom } = sniffEncoding(head);
  const dec = new TextDecoder(encoding);
  for (let off = bom; off < src.size; off += block) {
    const bytes = src.read(off, block);
    if (bytes.length === 0) break;
    yield dec.decode(bytes, { stream: off + bytes.length < src.size });
  }
}
