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
  /**
   * What must stay the very first thing in the file (the XML declaration): a comment for the line
   * it starts goes after it, on a line of its own.
   */
  prolog?: RegExp;
}

/** What detection sees of a file: its name and the start of its decoded text. */
export interface DetectContext {
  path: string;
  /** The file name, lower case. */
  base: string;
  /** The extension, lower case, no dot ('' when none). */
  ext: string;
  /** The first 64 KiB of the decoded text. */
  head: string;
  /** The first non-blank line of `head`. */
  firstLine: string;
  /** The local name of the root element when `head` is XML (computed once, on demand). */
  xmlRoot(): string | undefined;
}

/**
 * One row of the detection table. Rows of every provider run in ascending `order`; the first row
 * that answers decides (`'unknown'` stops detection: the file is not an export, e.g. a driver INF).
 */
export interface DetectStep {
  order: number;
  /** What the row looks at, for the docs and tests. */
  what: string;
  test(ctx: DetectContext): FileFormat | 'unknown' | undefined;
}

/** One entry of the editor's document selector (VS Code `DocumentFilter` shape, plain data). */
export interface EditorFilter {
  language?: string;
  scheme?: string;
  pattern?: string;
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
  /** Whether the file is binary: parsed from bytes, positions are byte offsets, no text view, never fixed in place. */
  binary?: boolean;
  /** Binary formats: whether these bytes are this format whatever the file name (e.g. a magic number). */
  detectBytes?(bytes: Uint8Array): boolean;
  /** This provider's rows of the detection table (see `detectionTable` in formats/index.ts). */
  detect: readonly DetectStep[];
  /**
   * Documents the editor client hands to the server for this format (beyond `languageIds`):
   * name patterns, or the scheme of a read-only view. The client's selector and its activation
   * events are generated from these (`npm run gen`, client/src/generated/formats.ts).
   */
  editorFilters?: readonly EditorFilter[];
  /** Whether completion is offered in this format. */
  completion?: 'inf' | 'reg';
}
