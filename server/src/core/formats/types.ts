/**
 * A format provider: everything relaylint knows about one file syntax, in one place. The parse
 * dispatch, the value writers and inserts of the engine, completion, suppression comments, the
 * CLI's folder walk and the language server's served set all derive from the provider list.
 * A new format is one provider file (plus its parser and tests) and one line in formats/index.ts.
 */
import type { SettingRule } from '../catalog/types';
import type { Encoding, FileFormat, ParsedFile, ParseOptions, Setting, TextEdit, ValueSyntax } from '../types';

export interface CommentSyntax {
  /** A whole-line comment holding `body`, e.g. `; body` or `<!-- body -->`. */
  line(body: string): string;
  /** What separates rule ids from the reason in a suppression (`--` is not allowed inside XML comments). */
  reasonSeparator: '--' | ':';
}

export interface FormatProvider {
  /** Stable provider id. */
  id: string;
  /** The `FileFormat`s this provider parses (the report provider also reads RSoP reports). */
  formats: readonly FileFormat[];
  /** Editor language ids whose documents this provider serves (the client's selector). */
  languageIds: readonly string[];
  /** File name extensions (lower case, no dot) a folder walk reads as candidates. */
  extensions: readonly string[];
  /** Parse decoded text (text formats) — binary formats parse bytes instead. */
  parse?(text: string, encoding: Encoding, options?: ParseOptions): ParsedFile;
  parseBytes?(bytes: Uint8Array, path: string, options?: ParseOptions): ParsedFile;
  /** The syntax of value spans this provider's parser produces (`Setting.valueSyntax`). */
  valueSyntax?: ValueSyntax;
  /** The replacement text for a value, or undefined if it cannot be written in this syntax. */
  writeValue?(setting: Setting, rule: SettingRule, value: number | string): string | undefined;
  /** Edits that add `rule`'s value next to `anchor`, or undefined where this syntax cannot insert it. */
  insertValue?(file: ParsedFile, rule: SettingRule, value: number | string, anchor: Setting): TextEdit[] | undefined;
  /** Comment syntax (suppressions, "disable for this line"); absent for formats without comments. */
  comment?: CommentSyntax;
  /** Whether relaylint offers text edits in this format (reports and .pol files are read-only views). */
  editable: boolean;
  /** Whether completion is offered in this format. */
  completion?: 'inf' | 'reg';
}
