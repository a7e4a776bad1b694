/**
 * The format providers, in detection order. Everything that depends on a file's syntax asks these.
 */
import type { FileFormat, ValueSyntax } from '../types';
import { gpoReportProvider } from './gpo-report-xml';
import { gppRegistryProvider } from './gpp-registry-xml';
import { infProvider } from './inf';
import { regProvider } from './reg';
import { registryPolProvider } from './registry-pol';
import type { FormatProvider } from './types';

export type { CommentSyntax, FormatProvider } from './types';
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

/** The formats the language server serves as text documents (those with a text parser). */
export const textFormats: readonly FileFormat[] = formatProviders.filter((p) => p.parse).flatMap((p) => p.formats);
