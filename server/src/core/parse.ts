/**
 * Format recognition and dispatch to the parsers. Files are recognised by name and by content,
 * so a renamed export still parses and a driver INF or an unrelated XML file is left alone.
 */
import { polHive, providerOf } from './formats';
import { registryPolProvider } from './formats/registry-pol';
import { LIMITS } from './limits';
import { emptyParse } from './parsers/empty';
import { errorText } from './judge';
import { decode } from './text';
import { isRelayRelevant } from './catalog';
import type { Encoding, FileFormat, ParsedFile, ParseOptions } from './types';

export { polHive };

const SECURITY_SECTIONS =
  /^\s*\[(registry values|system access|privilege rights|event audit|kerberos policy|service general setting|registry keys|file security|group membership|system log|security log|application log)\]\s*$/im;
const DRIVER_SECTIONS = /^\s*\[(manufacturer|sourcedisksfiles|sourcedisksnames|defaultinstall[^\]]*|strings\.[^\]]*)\]\s*$/im;
const REG_HEADER = /^\s*(windows registry editor version 5\.00|regedit4)\s*$/i;

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return (parts[parts.length - 1] ?? '').toLowerCase();
}

function extension(path: string): string {
  const b = baseName(path);
  const i = b.lastIndexOf('.');
  return i < 0 ? '' : b.slice(i + 1);
}

/** The local name of the first element of an XML text, skipping the declaration, comments and a DOCTYPE. */
export function xmlRootName(head: string): string | undefined {
  let i = 0;
  const n = Math.min(head.length, 64 * 1024);
  while (i < n) {
    const lt = head.indexOf('<', i);
    if (lt < 0 || lt >= n) return undefined;
    const c = head[lt + 1];
    if (c === '?') {
      const e = head.indexOf('?>', lt + 2);
      if (e < 0) return undefined;
      i = e + 2;
    } else if (head.startsWith('<!--', lt)) {
      const e = head.indexOf('-->', lt + 4);
      if (e < 0) return undefined;
      i = e + 3;
    } else if (c === '!') {
      // DOCTYPE: skip to the first '>' that is not inside an internal subset.
      const bracket = head.indexOf('[', lt);
      const close = head.indexOf('>', lt);
      if (bracket >= 0 && bracket < close) {
        const e = head.indexOf(']>', bracket);
        if (e < 0) return undefined;
        i = e + 2;
      } else {
        if (close < 0) return undefined;
        i = close + 1;
      }
    } else {
      const m = /^<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)/.exec(head.slice(lt, lt + 256));
      return m ? m[2] : undefined;
    }
  }
  return undefined;
}

/** Decide the format from the file name and the start of the decoded text. */
export function detectFormat(path: string, text: string): FileFormat {
  const base = baseName(path);
  const ext = extension(path);
  const head = text.slice(0, 64 * 1024);
  if (ext === 'pol') return 'registry-pol';
  const firstLine = /^[^\r\n]*/.exec(head.replace(/^\s+/, ''))?.[0] ?? '';
  if (REG_HEADER.test(firstLine)) return 'reg';
  if (base === 'gpttmpl.inf') return 'inf';
  if (ext === 'reg') return 'reg';
  if (ext === 'inf' || ext === 'txt' || ext === '') {
    if (SECURITY_SECTIONS.test(head) && !DRIVER_SECTIONS.test(head)) return 'inf';
    if (ext === 'inf') return 'unknown';
  }
  if (ext === 'xml' || ext === 'backup' || head.trimStart().startsWith('<')) {
    const root = xmlRootName(head);
    if (root === 'RegistrySettings') return 'gpp-registry-xml';
    if (root === 'GPO' || root === 'GPOs' || (root === 'report' && /<GPO[\s>]/.test(head))) return 'gpo-report-xml';
    if (root === 'Rsop') return 'rsop-xml';
  }
  return 'unknown';
}

/** Test hook: replaces the parser of every format (to prove a throwing parser is isolated). */
let parserHook: ((format: FileFormat) => void) | undefined;
export function setParserHookForTests(hook: typeof parserHook): void {
  parserHook = hook;
}

/** A parser that threw: the file gets an error-level internal problem instead of a crash. */
function internalFailure(format: FileFormat, text: string, encoding: Encoding, e: unknown): ParsedFile {
  const out = emptyParse(format, text, encoding);
  out.problems.push({
    code: 'internal',
    severity: 'error',
    message: `relaylint's ${format} parser failed on this file (${errorText(e)}); nothing in it was checked.`,
    offset: 0,
  });
  return out;
}

/** Parse already-decoded text (the editor's buffer). Never throws: a failing parser is an internal problem. */
export function parseText(path: string, text: string, encoding: Encoding = 'utf-8', format?: FileFormat, options?: ParseOptions): ParsedFile {
  const f = format ?? detectFormat(path, text);
  try {
    parserHook?.(f);
    return onlyRelevant(parseTextAs(f, text, encoding, options), options);
  } catch (e) {
    return internalFailure(f, text, encoding, e);
  }
}

/**
 * `relevant` mode: the line-based parsers drop unrelated values as they go; the XML parsers build
 * their tree anyway, so their settings are filtered here (the over-limit ones are already reported).
 */
function onlyRelevant(file: ParsedFile, options: ParseOptions | undefined): ParsedFile {
  if (options?.settings === 'relevant' && file.settings.some((s) => !isRelayRelevant(s))) file.settings = file.settings.filter(isRelayRelevant);
  return file;
}

function parseTextAs(f: FileFormat, text: string, encoding: Encoding, options?: ParseOptions): ParsedFile {
  const provider = providerOf(f);
  if (provider?.parse) return provider.parse(text, encoding, options);
  const out = emptyParse('unknown', text, encoding);
  out.problems.push({
    code: 'unknown-format',
    severity: 'info',
    message: 'Not a Group Policy export relaylint reads (security template, .reg, GPP Registry.xml, GPO/RSoP report XML or Registry.pol).',
  });
  return out;
}

function looksLikePol(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x52 && bytes[2] === 0x65 && bytes[3] === 0x67;
}

/**
 * The bytes of a file, handed over: `parseBytes` drops its reference to them once they are
 * decoded, so a text file's bytes and its decoded text are not held together while it is parsed
 * (the caller must hold no other reference for this to free anything).
 */
export interface ByteSource {
  bytes: Uint8Array | undefined;
}

/** Parse a file's bytes (the CLI). Never throws. */
export function parseBytes(path: string, input: Uint8Array | ByteSource, options?: ParseOptions): ParsedFile {
  const source: ByteSource = input instanceof Uint8Array ? { bytes: input } : input;
  const size = source.bytes?.length ?? 0;
  if (size > LIMITS.maxFileBytes) {
    const out = emptyParse('unknown', '', 'binary');
    out.problems.push({
      code: 'limit',
      severity: 'error',
      message: `The file is ${size} bytes; relaylint reads files up to ${LIMITS.maxFileBytes} bytes (64 MiB). It was not checked.`,
      offset: 0,
    });
    return out;
  }
  if (extension(path) === 'pol' || looksLikePol(source.bytes ?? new Uint8Array(0))) {
    try {
      parserHook?.('registry-pol');
      return registryPolProvider.parseBytes!(source.bytes ?? new Uint8Array(0), path, options);
    } catch (e) {
      return internalFailure('registry-pol', '', 'binary', e);
    }
  }
  const decoded = decodeSource(source);
  if (decoded.encoding === 'binary') {
    const out = emptyParse('unknown', '', 'binary');
    out.problems.push(
      ...decoded.problems,
      ...(decoded.problems.length
        ? []
        : [{ code: 'unknown-format' as const, severity: 'info' as const, message: 'Binary file that is not a Registry.pol (no PReg signature); not checked.', offset: 0 }]),
    );
    return out;
  }
  const parsed = parseText(path, decoded.text, decoded.encoding, undefined, options);
  if (decoded.problems.length) parsed.problems.unshift(...decoded.problems);
  return parsed;
}

/** Decode and let go of the bytes (no local of the caller holds them). */
function decodeSource(source: ByteSource): ReturnType<typeof decode> {
  const decoded = decode(source.bytes ?? new Uint8Array(0));
  source.bytes = undefined;
  return decoded;
}
