/**
 * Format recognition and dispatch to the parsers. Files are recognised by name and by content,
 * so a renamed export still parses and a driver INF or an unrelated XML file is left alone.
 */
import { binaryProviderFor, detectByProviders, polHive, providerOf } from './formats';
import { LIMITS } from './limits';
import { emptyParse } from './parsers/empty';
import { errorText } from './judge';
import { decode } from './text';
import type { Encoding, FileFormat, ParsedFile } from './types';

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
export function parseText(path: string, text: string, encoding: Encoding = 'utf-8', format?: FileFormat): ParsedFile {
  const f = format ?? detectFormat(path, text);
  try {
    parserHook?.(f);
    return parseTextAs(f, text, encoding);
  } catch (e) {
    return internalFailure(f, text, encoding, e);
  }
}

function parseTextAs(f: FileFormat, text: string, encoding: Encoding): ParsedFile {
  const provider = providerOf(f);
  if (provider?.parse) return provider.parse(text, encoding);
  const out = emptyParse('unknown', text, encoding);
  out.problems.push({
    code: 'unknown-format',
    severity: 'info',
    message: 'Not a Group Policy export relaylint reads (security template, .reg, GPP Registry.xml, GPO/RSoP report XML or Registry.pol).',
  });
  return out;
}

/** Parse a file's bytes (the CLI). Never throws. */
export function parseBytes(path: string, bytes: Uint8Array): ParsedFile {
  if (bytes.length > LIMITS.maxFileBytes) {
    const out = emptyParse('unknown', '', 'binary');
    out.problems.push({
      code: 'limit',
      severity: 'error',
      message: `The file is ${bytes.length} bytes; relaylint reads files up to ${LIMITS.maxFileBytes} bytes (64 MiB). It was not checked.`,
      offset: 0,
    });
    return out;
  }
  const binary = binaryProviderFor(path, bytes);
  if (binary?.parseBytes) {
    const format = binary.formats[0];
    try {
      parserHook?.(format);
      return binary.parseBytes(bytes, path);
    } catch (e) {
      return internalFailure(format, '', 'binary', e);
    }
  }
  const decoded = decode(bytes);
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
  const parsed = parseText(path, decoded.text, decoded.encoding);
  if (decoded.problems.length) parsed.problems.unshift(...decoded.problems);
  return parsed;
}
