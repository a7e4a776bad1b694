/**
 * Which open documents relaylint serves, and their parsed form.
 *
 * The format is decided by the document's name and content (the core's `detectFormat`), never by
 * the language id alone: some clients send one id for every file (Emacs Eglot started from a
 * `.reg` buffer calls a `GptTmpl.inf` and a `pom.xml` "reg" too). Where detection and the language
 * id disagree, detection wins. The language id only decides when detection finds nothing and the
 * name points nowhere else: a new, still empty security template or `.reg` buffer.
 * - XML only when the root element is a Group Policy one (GPP `RegistrySettings`, `GPO`/`GPOs`,
 *   `Rsop`); every other XML file is left alone, at the cost of reading its root element.
 * - `relaylint-pol:` views of binary Registry.pol files (see pol.ts).
 *
 * For `file:` documents that relaylint serves, the bytes on disk are read once, so the real
 * encoding (UTF-16LE with BOM, UTF-8, ANSI…) reaches the parsers and surprises become
 * diagnostics; files it does not serve are never read. The parse is cached per document version;
 * nothing here outlives the document.
 */
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { decode, detectFormat, formatProviders, LIMITS, parseText, textFormats } from '../core';
import type { Encoding, FileFormat, ParsedFile, Problem } from '../core';
import { emptyParse } from '../core';
import { polOriginal } from './protocol';

/** Language ids that name one format (`reg`, `secedit-inf`); `xml` names several and decides nothing. */
const LANGUAGE_FORMAT: ReadonlyMap<string, FileFormat> = (() => {
  const claims = new Map<string, FileFormat[]>();
  for (const p of formatProviders) for (const id of p.languageIds) claims.set(id, [...(claims.get(id) ?? []), ...p.formats]);
  return new Map([...claims].filter(([, formats]) => formats.length === 1).map(([id, formats]) => [id, formats[0]]));
})();
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

  /** Called on didOpen: forget what was known about an earlier document with this URI. */
  opened(uri: string): void {
    this.cache.delete(uri);
    this.disk.delete(uri);
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
    const hit = this.cache.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.parsed;
    const path = uriPath(doc.uri);
    const text = doc.getText();
    const format = servedFormat(path, text, doc.languageId);
    if (!format) {
      this.cache.set(doc.uri, { version: doc.version, parsed: undefined });
      return undefined;
    }
    // The bytes on disk are read once per opened document, and only for documents relaylint serves.
    let disk = this.disk.get(doc.uri);
    if (!disk && doc.uri.startsWith('file:')) {
      disk = readDiskInfo(doc.uri).catch(() => undefined);
      this.disk.set(doc.uri, disk);
    }
    const diskInfo = await disk;
    const again = this.cache.get(doc.uri);
    if (again && again.version === doc.version) return again.parsed;
    const parsed = parseAs(format, path, text, diskInfo);
    this.cache.set(doc.uri, { version: doc.version, parsed });
    return parsed;
  }
}

function extensionOf(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? '';
  const i = base.lastIndexOf('.');
  return i <= 0 ? '' : base.slice(i + 1).toLowerCase();
}

/**
 * The format relaylint serves a document as, or undefined. Detection by name and content first;
 * the client's language id only for a document that detection cannot place yet and whose name
 * does not say otherwise (an empty `untitled:` security template, a new `hardening.inf`).
 */
export function servedFormat(path: string, text: string, languageId: string): FileFormat | undefined {
  const detected = detectFormat(path, text);
  if (SERVED.has(detected)) return detected;
  const claimed = LANGUAGE_FORMAT.get(languageId);
  if (!claimed) return undefined;
  const ext = extensionOf(path);
  if (claimed === 'inf' && (ext === 'inf' || ext === 'txt' || ext === '') && !DRIVER_INF.test(text.slice(0, 256 * 1024))) return 'inf';
  if (claimed === 'reg' && (ext === 'txt' || ext === '') && !text.trimStart().startsWith('<')) return 'reg';
  return undefined;
}

function parseAs(format: FileFormat, path: string, text: string, diskInfo: DiskInfo | undefined): ParsedFile {
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

async function readDiskInfo(uri: string): Promise<DiskInfo | undefined> {
  const path = fileURLToPath(uri);
  const stat = await fs.stat(path);
  if (!stat.isFile() || stat.size > LIMITS.maxFileBytes) return undefined;
  const bytes = await fs.readFile(path);
  const d = decode(bytes);
  // Disk problems have no place in the editor's text; show them at the start of the document.
  return { encoding: d.encoding, problems: d.problems.map((p) => ({ ...p, span: p.span ?? { start: 0, end: 0 } })) };
}
