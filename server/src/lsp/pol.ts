/**
 * The read-only text view of a binary Registry.pol. The client asks for the rendered text
 * (`relaylint/polText`), shows it as a `relaylint-pol:` document, and the server then serves
 * diagnostics and hovers for that view from the same parse (spans point into the rendered text).
 * The client sends the bytes (it can read any file system VS Code can); without them the server
 * reads `file:` URIs itself, which is what other editors get.
 */
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LIMITS, polHive } from '../core';
import type { ParsedFile } from '../core';
import { parsePol } from '../core/parsers/pol';
import { uriPath } from './documents';
import type { DocumentModel } from './documents';
import type { PolTextParams, PolTextResult } from './protocol';
import { polOriginal, polViewUri } from './protocol';

export class PolError extends Error {}

async function readBytes(params: PolTextParams): Promise<Uint8Array> {
  if (typeof params.base64 === 'string') return Buffer.from(params.base64, 'base64');
  if (!params.uri.startsWith('file:')) throw new PolError(`Cannot read ${params.uri}: the client did not send the bytes and it is not a file: URI.`);
  const path = fileURLToPath(params.uri);
  const stat = await fs.stat(path);
  if (stat.size > LIMITS.maxFileBytes) throw new PolError(`${path} is ${stat.size} bytes; relaylint reads files up to ${LIMITS.maxFileBytes} bytes.`);
  return fs.readFile(path);
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
