/**
 * Format recognition and dispatch to the parsers. Files are recognised by name and by content,
 * so a renamed export still parses and a driver INF or an unrelated XML file is left alone.
 */
import { binaryProviderFor, detectByProviders, polHive, providerOf } from './formats';
import { LIMITS } from './limits';
import { emptyParse } from './parsers/empty';
import { errorText } from './judge';
import { decode } from './text';
import { isRelayRelevant } from './catalog';
import type { Encoding, FileFormat, ParsedFile, ParseOptions } from './types';

export { polHive };
export { xmlRootName } from './formats';

/** Decide the format from the file name and the start of the decoded text (the providers' detection table). */
export function detectFormat(path: string, text: string): FileFormat {
  return detectByProviders(path, text);
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
  const binary = binaryProviderFor(path, source.bytes ?? new Uint8Array(0));
  if (binary?.parseBytes) {
    const format = binary.formats[0];
    try {
      parserHook?.(format);
      return binary.parseBytes(source.bytes ?? new Uint8Array(0), path, options);
    } catch (e) {
      return internalFailure(format, '', 'binary', e);
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
