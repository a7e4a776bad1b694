import type { Profile } from './judge';

/**
 * The data model shared by every parser, the rule engine, the CLI and the language server.
 * Pure data: nothing here imports from `vscode` or `vscode-languageserver`.
 *
 * Positions: every `Span` is a half-open range of UTF-16 code units into `ParsedFile.text`
 * (= JavaScript string indexes = LSP positions with the default encoding). For binary
 * `Registry.pol` files `text` is the rendered read-only text view and `Setting.offset` carries
 * the byte offset of the record in the original file.
 */

export interface Span {
  start: number;
  end: number;
}

export type Encoding =
  | 'utf-16le-bom'
  | 'utf-16le'
  | 'utf-8-bom'
  | 'utf-8'
  | 'ascii'
  /** Bytes that are not valid UTF-8, read as Windows-1252 ("ANSI"). */
  | 'ansi'
  | 'binary';

export type FileFormat =
  | 'inf'
  | 'reg'
  | 'gpp-registry-xml'
  | 'gpo-report-xml'
  | 'rsop-xml'
  | 'registry-pol'
  | 'unknown';

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export type Hive = 'HKLM' | 'HKCU' | 'HKU' | 'HKCR' | 'HKCC';

export type RegType =
  | 'REG_NONE'
  | 'REG_SZ'
  | 'REG_EXPAND_SZ'
  | 'REG_BINARY'
  | 'REG_DWORD'
  | 'REG_DWORD_BIG_ENDIAN'
  | 'REG_LINK'
  | 'REG_MULTI_SZ'
  | 'REG_QWORD'
  | `REG_TYPE_${number}`;

/**
 * - `set`: the file writes this value.
 * - `deleted`: the file removes the value (GPP action D, `.reg` `"x"=-` or `[-key]`, `.pol` `**del.`).
 * - `disabled`: the item exists but is not applied (GPP `disabled="1"`). Never judged weak.
 * - `conditional`: applied only where GPP item-level targeting matches.
 */
export type SettingState = 'set' | 'deleted' | 'disabled' | 'conditional';

export type RegData = number | string | string[] | null;

/** How a parser wants a replacement value written back into its own syntax. */
export type ValueSyntax =
  /** INF `[Registry Values]`: the span covers `<type>,<data>`; write `4,1`. */
  | 'inf'
  /** `.reg`: the span covers the data after `=`; write `dword:00000001`. */
  | 'reg'
  /** GPP `Registry.xml`: the span covers the inside of `value="…"`; write `00000001`. */
  | 'gpp';

export interface Setting {
  hive: Hive;
  /** Key path without the hive, backslash separated, as written (case kept). */
  key: string;
  /** Value name; '' for a key's default value or a whole-key operation. */
  name: string;
  type: RegType | null;
  value: RegData;
  state: SettingState;
  /** The whole entry: INF/.reg line, GPP `<Registry>` element, report element, .pol record line. */
  span: Span;
  /** The data part, the span a value fix rewrites (see `valueSyntax`). */
  valueSpan?: Span;
  /** The value name as written. */
  nameSpan?: Span;
  valueSyntax?: ValueSyntax;
  /** `.pol`: byte offset of the record in the original file. */
  offset?: number;
  /** What removes it, when `state` is `deleted`: one value, every value of the key, or the key subtree. */
  deleteScope?: 'value' | 'values' | 'key';
  /** Human description of where the value comes from, e.g. `GPP item "SMB1" (action U)`. */
  origin: string;
  /** For `conditional`: a one-line summary of the item-level targeting. */
  condition?: string;
  /** Report / RSoP context. */
  gpo?: GpoRef;
  /** Report: the policy display name the value was derived from (ADMX policy or Security Option). */
  policyName?: string;
  /**
   * Report / RSoP: the client-side extension that writes the value (Registry = Administrative
   * Templates / Registry.pol, Security = GptTmpl.inf, GPP = Preferences Registry.xml).
   */
  cse?: 'registry' | 'security' | 'gpp';
}

export interface GpoRef {
  name?: string;
  guid?: string;
  /** RSoP: 1 = winning. */
  precedence?: number;
}

/** Scope data of one GPO in a GPO report (scope-and-evidence.md §2.9). */
export interface ReportGpo {
  name?: string;
  guid?: string;
  /** The `<GPO>` start tag. */
  span?: Span;
  /** `Computer/Enabled` (false = computer side disabled); absent when the file does not say. */
  computerEnabled?: boolean;
  /** Report: `User/Enabled`. */
  userEnabled?: boolean;
  /** Report: the `<LinksTo>` elements (absent for RSoP). An empty list = the report shows no link. */
  links?: ReportLink[];
  /** Report: trustees allowed / denied the Apply Group Policy right (security filtering). */
  applyTrustees?: { allow: Trustee[]; deny: Trustee[] };
  /** Report: `FilterName`, the WMI filter linked to the GPO. */
  wmiFilter?: string;
}

/**
 * One GPO of an RSoP report's computer results (scope-and-evidence.md §2.11 [E30][E6]): its links
 * on that computer and the flags that say why it did not apply. `notApplied` is set when one does.
 */
export interface RsopGpo {
  name?: string;
  guid?: string;
  enabled?: boolean;
  isValid?: boolean;
  filterAllowed?: boolean;
  accessDenied?: boolean;
  links: { somPath: string; enabled?: boolean; enforced?: boolean; appliedOrder?: number; linkOrder?: number }[];
  notApplied?: string;
}

/** One `<LinksTo>` of a GPO report. */
export interface ReportLink {
  somName?: string;
  /** Canonical path as GPMC writes it: `corp.example/Servers` (domain alone: `corp.example`). */
  somPath: string;
  enabled: boolean;
  /** `NoOverride`. */
  enforced: boolean;
  span: Span;
}

export interface Trustee {
  sid?: string;
  name?: string;
}

export type ProblemCode =
  | 'parse'
  | 'encoding'
  | 'duplicate'
  | 'limit'
  | 'unsafe-xml'
  | 'unknown-format'
  | 'io'
  /** relaylint itself failed on the file (a throwing parser or rule); the scan goes on. */
  | 'internal';

export interface Problem {
  code: ProblemCode;
  severity: Severity;
  message: string;
  span?: Span;
  /** Binary files: byte offset in the original file. */
  offset?: number;
  /** Another place that matters (e.g. the first occurrence of a duplicate). */
  related?: Related[];
}

export interface Related {
  span: Span;
  message: string;
}

export interface Comment {
  /** The comment text without its delimiters (`;`, `<!--`, `-->`), not trimmed. */
  text: string;
  span: Span;
}

export interface InfSectionInfo {
  name: string;
  /** `[Name]` header line. */
  headerSpan: Span;
  /** From the header start to the end of the last non-blank line of the section's body (line break excluded). */
  span: Span;
}

/** INF: one `key = value` line of any section (the `[Registry Values]` ones also become `Setting`s). */
export interface InfEntry {
  section: string;
  key: string;
  value: string;
  span: Span;
  keySpan: Span;
  valueSpan: Span;
}

export interface ParsedFile {
  format: FileFormat;
  encoding: Encoding;
  /** Decoded text (BOM removed). For `.pol`, the rendered text view (empty when `viewLines` is set). */
  text: string;
  /**
   * `.pol` parsed without its view (`ParseOptions.view`): where each line of the view would start,
   * then its length. Spans point into that view as when it is built (`viewLineIndex`).
   */
  viewLines?: Int32Array;
  /** The dominant line ending, used for inserted lines. */
  eol: '\r\n' | '\n' | '\r';
  settings: Setting[];
  problems: Problem[];
  comments: Comment[];
  /** INF only: the sections in file order. */
  sections?: InfSectionInfo[];
  /** INF only: every `key = value` line, in file order. */
  entries?: InfEntry[];
  /** Report / RSoP: the GPOs the file describes. */
  gpos?: GpoRef[];
  /** GPO report: links, enabled flags and filters of each GPO, in document order. */
  reportGpos?: ReportGpo[];
  /** RSoP (computer results): why each GPO did or did not apply on the reported computer. */
  rsopGpos?: RsopGpo[];
  /**
   * RSoP: the settings that lost (precedence above 1), kept for the effective-policy view. They are
   * never judged as findings of this file.
   */
  shadowed?: Setting[];
}

/**
 * How a parser fills `ParsedFile.settings`. Findings and problems are the same either way.
 * - `all` (default; the editor): every value of the file.
 * - `relevant` (the CLI): only values a catalog rule knows, and deletions that remove one; the
 *   parser drops every other value as soon as it has checked it (duplicates, registry limits), so a
 *   huge file of unrelated values costs no memory per value.
 */
export interface ParseOptions {
  settings?: 'all' | 'relevant';
  /**
   * `none`: a `.pol` file's rendered text view is not built (the CLI, which locates a `.pol` file's
   * results by byte offset, and related values by line through `viewLines`). Default: built.
   */
  view?: 'none';
}

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface Fix {
  /** Imperative title, e.g. `Require SMB server signing (set to 1)`. */
  title: string;
  edits: TextEdit[];
  /** The one fix `--fix`, fix-all and "auto fix" apply. At most one per finding. */
  isPreferred?: boolean;
  /** `value`: rewrite a value; `insert`: add a missing value; `suppress`: add a suppression comment. */
  kind: 'value' | 'insert' | 'suppress';
  /**
   * `safe`: turns on an audit switch, takes the "if agrees" / negotiate step, or adds a suppression;
   * it refuses nobody. `unsafe`: enforces something (require signing, refuse NTLM, disable SMBv1)
   * and can break clients. Bulk fixes (fix-all, fix on save, `--fix`) apply only safe fixes unless
   * the user opts in. Derived from the catalog's `stage` data.
   */
  applicability: FixApplicability;
}

export type FixApplicability = 'safe' | 'unsafe';

export interface Finding {
  ruleId: string;
  severity: Severity;
  message: string;
  span: Span;
  /** `.pol`: byte offset of the record. */
  offset?: number;
  setting?: Setting;
  related?: Related[];
  /** Preferred fix first. Empty for reports and `.pol` (their message names the GPO setting to change). */
  fixes: Fix[];
  /** Set when an inline suppression with a reason matched. Suppressed findings are not reported as active. */
  suppressed?: { reason: string; span: Span; /** By an exception in the config file, not an inline comment. */ exception?: boolean };
}

export type Role = 'dc' | 'member' | 'any';

/** Oldest Windows generation the GPO targets; decides which OS defaults a missing value falls back to. */
export type TargetOs = 'legacy' | 'win11-24h2' | 'ws2025';

export interface LintOptions {
  role: Role;
  targetOs: TargetOs;
  /** Per rule id: a severity, or 'off'. */
  severity?: Record<string, Severity | 'off'>;
  /** What counts as hardened (judge.ts); the default profile is the catalog's own judgement. */
  profile?: Profile;
  /** Exceptions from the config file that apply to this file (see config.ts). */
  exceptions?: { rules: string[]; reason: string; expires?: string; source: string }[];
  /** `YYYY-MM-DD`: the day exceptions are judged against (their expiry). */
  today?: string;
}
