/**
 * The read-only text view of a binary Registry.pol. The client asks for the rendered text
 * (`relaylint/polText`), shows it as a `relaylint-pol:` document, and the server then serves
 * diagnostics and hovers for that view from the same parse (spans point into the rendered text).
 * The client sends the bytes (it can read any file system VS Code can); without them the server
 * reads `file:` URIs itself, which is what other editors get.
 */
import { constants, promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIMITS, polHive } from '../core';
import type { ParsedFile } from '../core';
import { parsePol } from '../core';
import { uriPath } from './documents';
import type { DocumentModel } from './documents';
import type { PolTextParams, PolTextResult } from './protocol';
import { polOriginal, polViewUri } from './protocol';

export class PolError extends Error {}

/**
 * Read a `file:` Registry.pol without ever blocking or reading without bound: the open does not
 * wait (a FIFO with no writer), only a regular file is accepted (not a FIFO, /dev/zero or another
 * device), and its size is checked on the open handle before any byte is read; at most that many
 * bytes are read.
 */
export async function readRegularFile(path: string, maxBytes: number): Promise<Uint8Array> {
  const fh = await fs.open(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  try {
    const stat = await fh.stat();
    if (!stat.isFile()) throw new PolError(`${path} is not a regular file (a pipe, a device or a folder); relaylint does not read it.`);
    if (stat.size > maxBytes) throw new PolError(`${path} is ${stat.size} bytes; relaylint reads files up to ${maxBytes} bytes.`);
    const buf = Buffer.alloc(stat.size);
    let off = 0;
    while (off < buf.length) {
      const { bytesRead } = await fh.read(buf, off, buf.length - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

async function readBytes(params: PolTextParams): Promise<Uint8Array> {
  if (typeof params.base64 === 'string') {
    // base64 is 4/3 of the bytes: refuse before decoding what would be over the limit.
    if (params.base64.length > Math.ceil(LIMITS.maxFileBytes / 3) * 4 + 4) throw new PolError(`The Registry.pol sent is larger than ${LIMITS.maxFileBytes} bytes.`);
    return Buffer.from(params.base64, 'base64');
  }
  if (!params.uri.startsWith('file:')) throw new PolError(`Cannot read ${params.uri}: the client did not send the bytes and it is not a file: URI.`);
  return readRegularFile(fileURLToPath(params.uri), LIMITS.maxFileBytes);
}

/** Parse a .pol and remember the result for its view document. */
export async function polText(model: DocumentModel, params: PolTextParams): Promise<PolTextResult> {
  if (typeof params?.uri !== 'string') throw new PolError('relaylint/polText needs the uri of a Registry.pol file.');
  const bytes = await readBytes(params);
  const parsed: ParsedFile = parsePol(bytes, polHive(uriPath(params.uri)));
  model.pol.set(params.uri, parsed);
  return { viewUri: polViewUri(params.uri), text: parsed.text };
}

/** A view opened without a prior request (the server restarted): read the original again, if it is a file. */
export async function ensurePolView(model: DocumentModel, viewUri: string): Promise<void> {
  const original = polOriginal(viewUri);
  if (!original || model.pol.has(original) || !original.startsWith('file:')) return;
  try {
    await polText(model, { uri: original });
  } catch {
    // The view stays without diagnostics; the client shows the text it already has.
  }
}
