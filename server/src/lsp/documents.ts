/**
 * Which open documents relaylint serves, and their parsed form.
 *
 * - `reg` and `secedit-inf` documents (by language id), and any document whose name and content
 *   the core recognises (other editors use their own language ids).
 * - XML only when the root element is a Group Policy one (GPP `RegistrySettings`, `GPO`/`GPOs`,
 *   `Rsop`); every other XML file is left alone even when the client sends it.
 * - `relaylint-pol:` views of binary Registry.pol files (see pol.ts).
 *
 * For `file:` documents the bytes on disk are read once on open, so the real encoding (UTF-16LE
 * with BOM, UTF-8, ANSI…) reaches the parsers and surprises become diagnostics. The parse is cached
 * per document version; nothing here outlives the document.
 */
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { decode, detectFormat, LIMITS, parseText, textFormats } from '../core';
import type { Encoding, FileFormat, ParsedFile, Problem } from '../core';
import { emptyParse } from '../core/parsers/empty';
import { polOriginal } from './protocol';

const LANGUAGE_FORMAT: Record<string, FileFormat> = { reg: 'reg', 'secedit-inf': 'inf' };
/**
 * Sections only driver INF files have. The `secedit-inf` language is also given by the first line
 * (`[Version]` starts driver INFs too), so a document with these is not a security template.
 */
const DRIVER_INF = /^\s*\[(manufacturer|sourcedisksfiles|sourcedisksnames|defaultinstall[^\]]*|strings)\]\s*$/im;
/**
 * The encoding assumed when the bytes cannot be read (untitled buffers, git: and other virtual
 * documents): the one Group Policy tools write, so that only real surprises become diagnostics.
 */
const UNKNOWN_ENCODING: Encoding = 'utf-16le-bom';
const SERVED: ReadonlySet<FileFormat> = new Set<FileFormat>(textFormats);

/** What the bytes on disk told us about a document. */
export interface DiskInfo {
  encoding: Encoding;
  problems: Problem[];
}

interface Cached {
  version: number;
  parsed: ParsedFile | undefined;
}

/** The path part of a URI, for format detection by file name. */
export function uriPath(uri: string): string {
  try {
    return decodeURIComponent(new URL(uri).pathname);
  } catch {
    return uri;
  }
}

/** Problems that appear when the editor decoded the file differently from what is on disk. */
function editorDecodingProblems(disk: DiskInfo, text: string): Problem[] {
  const head = text.slice(0, 64 * 1024);
  if ((disk.encoding === 'utf-16le' || disk.encoding === 'utf-16le-bom') && head.includes('\u0000')) {
    return [
      {
        code: 'encoding',
        severity: 'error',
        message:
          'The file on disk is UTF-16LE, but the editor opened it as 8-bit text (NUL characters between the letters), so nothing in it can be read. ' +
          'Reopen it with the encoding "UTF-16 LE"; Group Policy tools write UTF-16LE with a byte order mark.',
        span: { start: 0, end: 0 },
      },
    ];
  }
  if (disk.encoding === 'ansi' && head.includes('\uFFFD')) {
    return [
      {
        code: 'encoding',
        severity: 'warning',
        message:
          'The file on disk holds bytes that are not valid UTF-8 (it reads as Windows-1252), and the editor shows them as replacement characters; ' +
          'saving it now would lose them. Reopen it with the encoding "Western (Windows 1252)".',
        span: { start: 0, end: 0 },
      },
    ];
  }
  return [];
}

export class DocumentModel {
  private readonly disk = new Map<string, Promise<DiskInfo | undefined>>();
  private readonly cache = new Map<string, Cached>();
  /** Parsed Registry.pol files, by original URI (pol.ts fills it). */
  readonly pol = new Map<string, ParsedFile>();

  /** Called on didOpen: start reading the bytes of a `file:` document. */
  opened(uri: string): void {
    this.cache.delete(uri);
    if (!uri.startsWith('file:')) return;
    const p = readDiskInfo(uri).catch(() => undefined);
    this.disk.set(uri, p);
    // A parse made before the bytes arrived used a guessed encoding; drop it.
    void p.then(() => this.cache.delete(uri));
  }

  closed(uri: string): void {
    this.disk.delete(uri);
    this.cache.delete(uri);
    const original = polOriginal(uri);
    if (original) this.pol.delete(original);
  }

  /** The parsed document, or undefined when relaylint does not serve it. Never throws. */
  async parsed(doc: TextDocument): Promise<ParsedFile | undefined> {
    const original = polOriginal(doc.uri);
    if (original) return this.pol.get(original);
    const diskInfo = await this.disk.get(doc.uri);
    const hit = this.cache.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.parsed;
    const parsed = this.parse(doc, diskInfo);
    this.cache.set(doc.uri, { version: doc.version, parsed });
    return parsed;
  }

  private parse(doc: TextDocument, diskInfo: DiskInfo | undefined): ParsedFile | undefined {
    const path = uriPath(doc.uri);
    const text = doc.getText();
    const format = LANGUAGE_FORMAT[doc.languageId] ?? detectFormat(path, text);
    if (!SERVED.has(format)) return undefined;
    if (format === 'inf' && detectFormat(path, text) !== 'inf' && DRIVER_INF.test(text.slice(0, 256 * 1024))) return undefined;
    if (text.length > LIMITS.maxFileBytes / 2) {
      const parsed = emptyParse(format, text, diskInfo?.encoding ?? UNKNOWN_ENCODING);
      parsed.problems.unshift({
        code: 'limit',
        severity: 'error',
        message: `The document has ${text.length} characters; relaylint reads up to ${LIMITS.maxFileBytes / 2}. It was not checked.`,
        span: { start: 0, end: 0 },
      });
      return parsed;
    }
    const parsed = parseText(path, text, diskInfo?.encoding ?? UNKNOWN_ENCODING, format);
    if (diskInfo) parsed.problems.unshift(...diskInfo.problems, ...editorDecodingProblems(diskInfo, text));
    return parsed;
  }
}

async function readDiskInfo(uri: string): Promise<DiskInfo | undefined> {
  const path = fileURLToPath(uri);
  const stat = await fs.stat(path);
  if (!stat.isFile() || stat.size > LIMITS.maxFileBytes) return undefined;
  const bytes = await fs.readFile(path);
  const d = decode(bytes);
  // Disk problems have no place in the editor's text; show them at the start of the document.
  return { encoding: d.encoding, problems: d.problems.map((p) => ({ ...p, span: p.span ?? { start: 0, end: 0 } })) };
}
