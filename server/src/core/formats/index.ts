/**
 * The format providers, in detection order. Everything that depends on a file's syntax asks these.
 */
import type { FileFormat, ValueSyntax } from '../types';
import { gpoReportProvider } from './gpo-report-xml';
import { gppRegistryProvider } from './gpp-registry-xml';
import { infProvider } from './inf';
import { regProvider } from './reg';
import { registryPolProvider } from './registry-pol';
import { xmlRootName } from './shared';
import type { DetectContext, DetectStep, EditorFilter, FormatProvider } from './types';

export type { CommentSyntax, DetectContext, DetectStep, EditorFilter, FormatProvider } from './types';
export { xmlRootName } from './shared';
export { infInsertEdits } from './inf';
export { polHive } from './registry-pol';

export const formatProviders: readonly FormatProvider[] = [infProvider, regProvider, gppRegistryProvider, gpoReportProvider, registryPolProvider];

const byFormat = new Map<FileFormat, FormatProvider>(formatProviders.flatMap((p) => p.formats.map((f) => [f, p] as const)));
const bySyntax = new Map<ValueSyntax, FormatProvider>(formatProviders.filter((p) => p.valueSyntax).map((p) => [p.valueSyntax as ValueSyntax, p]));

/** The provider of a format; undefined for `unknown`. */
export function providerOf(format: FileFormat): FormatProvider | undefined {
  return byFormat.get(format);
}

/** The provider whose parser writes value spans in this syntax. */
export function providerOfSyntax(syntax: ValueSyntax): FormatProvider | undefined {
  return bySyntax.get(syntax);
}

/** Every file name extension a folder walk should read (lower case, no dot). */
export const candidateExtensions: readonly string[] = [...new Set(formatProviders.flatMap((p) => p.extensions))];

/** The detection table: every provider's rows, in ascending order (stable for equal orders: provider order). */
export const detectionTable: readonly (DetectStep & { provider: FormatProvider })[] = formatProviders
  .flatMap((provider) => provider.detect.map((step) => ({ ...step, provider })))
  .sort((a, b) => a.order - b.order);

/** The lower-case file name: what follows the last `/` or `\\` (the whole path when neither). */
function baseName(path: string): string {
  return path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
}

/** The extension of a lower-case file name, without the dot ('' when none). */
function extensionOfBase(base: string): string {
  const i = base.lastIndexOf('.');
  return i < 0 ? '' : base.slice(i + 1);
}

/** The lower-case extension of a path's file name, without the dot ('' when none). */
export function extensionOf(path: string): string {
  return extensionOfBase(baseName(path));
}

/** Decide the format from the file name and the start of the decoded text, by the detection table. */
export function detectByProviders(path: string, text: string): FileFormat {
  const head = text.slice(0, 64 * 1024);
  let root: { name: string | undefined } | undefined;
  const base = baseName(path);
  const ctx: DetectContext = {
    path,
    base,
    ext: extensionOfBase(base),
    head,
    firstLine: /^[^\r\n]*/.exec(head.replace(/^\s+/, ''))?.[0] ?? '',
    xmlRoot: () => (root ??= { name: xmlRootName(head) }).name,
  };
  for (const row of detectionTable) {
    const r = row.test(ctx);
    if (r !== undefined) return r;
  }
  return 'unknown';
}

/** Whether a detection row named a format (not undecided, not 'unknown'). */
function isFormat(r: FileFormat | undefined): boolean {
  return r !== undefined && r !== 'unknown';
}

/** The binary provider that reads these bytes: by its detection rows on the name, or by its magic number. */
export function binaryProviderFor(path: string, bytes: Uint8Array): FormatProvider | undefined {
  const base = baseName(path);
  const ctx: DetectContext = { path, base, ext: extensionOfBase(base), head: '', firstLine: '', xmlRoot: () => undefined };
  for (const p of formatProviders) {
    if (!p.binary) continue;
    if (p.detect.some((row) => isFormat(row.test(ctx))) || p.detectBytes?.(bytes)) return p;
  }
  return undefined;
}

/**
 * The editor client's document selector, derived from the providers: one filter per language id
 * that names a single format, then every provider's filters in provider order, duplicates dropped.
 */
export function editorSelector(): EditorFilter[] {
  const out: EditorFilter[] = [];
  const seen = new Set<string>();
  const add = (f: EditorFilter) => {
    const k = JSON.stringify(f);
    if (!seen.has(k)) {
      seen.add(k);
      out.push(f);
    }
  };
  const languages = [...new Set(formatProviders.flatMap((p) => p.languageIds))].sort();
  const patterned = languages.filter((id) => formatProviders.some((p) => p.languageIds.includes(id) && p.editorFilters?.some((f) => f.pattern)));
  for (const id of languages) if (!patterned.includes(id)) add({ language: id });
  for (const p of formatProviders) for (const f of p.editorFilters ?? []) if (f.pattern) add(f);
  for (const p of formatProviders) for (const f of p.editorFilters ?? []) if (!f.pattern) add(f);
  return out;
}

/** The extension's activation events derived from the providers: each language id, each view scheme. */
export function activationEvents(): string[] {
  const languages = [...new Set(formatProviders.flatMap((p) => p.languageIds))].sort();
  const schemes = formatProviders.flatMap((p) => (p.editorFilters ?? []).filter((f) => f.scheme && !f.pattern).map((f) => f.scheme as string));
  return [...languages.map((id) => `onLanguage:${id}`), ...[...new Set(schemes)].map((s) => `onFileSystem:${s}`)];
}

/** The formats the language server serves as text documents (those with a text parser). */
export const textFormats: readonly FileFormat[] = formatProviders.filter((p) => p.parse).flatMap((p) => p.formats);
