/**
 * Code actions, rebuilt from the diagnostics the client sends back (their `data` carries the
 * fixes), so the server keeps no table of pending edits. Every edit is a TextDocumentEdit on the
 * versioned document: the client refuses it if the document changed in between.
 *
 * Per diagnostic: the preferred fix, the other value choices (staged rollouts, paired values,
 * inserting a missing value), "Disable <rule> for this line", "Show documentation". Per file:
 * "Fix all relaylint issues in this file" and the `source.fixAll.relaylint` action for
 * fix-on-save. `context.only` is honoured.
 */
import { CodeActionKind } from 'vscode-languageserver';
import type { CodeAction, CodeActionParams, Diagnostic, SnippetTextEdit, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { docsUrl, fixAllEdits } from '../core';
import type { Finding, ParsedFile } from '../core';
import { activeFindings, diagnosticSpan, readData, toRange } from './diagnostics';
import type { LintSettings } from './diagnostics';
import type { DataFix } from './protocol';
import { Commands, FIX_ALL_KIND, SOURCE } from './protocol';

export const FIX_ALL_TITLE = 'Fix all relaylint issues in this file';
/**
 * Appended to the title of an unsafe quick fix (one that enforces: require signing, refuse NTLM,
 * disable SMBv1), so the menu says which choices can break clients. Such a fix is still offered,
 * one diagnostic at a time; "Fix all" and fix on save leave it out unless `relaylint.fix.unsafe`.
 */
export const UNSAFE_SUFFIX = '(enforces: check the audit first)';

/** The menu title of a fix: unsafe fixes say so. */
export function fixTitle(fix: Pick<DataFix, 'title' | 'unsafe'>): string {
  return fix.unsafe ? `${fix.title} ${UNSAFE_SUFFIX}` : fix.title;
}

/** Whether an action of `kind` was asked for: `only` absent, or `kind` equal to / below one of its entries. */
export function wanted(kind: string, only: readonly string[] | undefined): boolean {
  if (!only || only.length === 0) return true;
  return only.some((o) => kind === o || kind.startsWith(`${o}.`));
}

/** Source actions only when asked for explicitly (as eslint and ruff do): never in the light bulb. */
function explicitlyWanted(kind: string, only: readonly string[] | undefined): boolean {
  return !!only && only.length > 0 && wanted(kind, only);
}

function versionedEdit(doc: TextDocument, edits: (TextEdit | SnippetTextEdit)[]): WorkspaceEdit {
  return { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits }] };
}

/** Escape text for a snippet: `$`, `}` and `\` are special. */
function snippetEscape(text: string): string {
  return text.replace(/[\\$}]/g, (c) => `\\${c}`);
}

/**
 * A suppression comment as a snippet (LSP 3.18 SnippetTextEdit) with the cursor where the reason
 * goes: after `-- ` in security templates and .reg files, after `: ` in XML comments. Undefined
 * when the text has no reason marker (it is then inserted as plain text).
 */
export function suppressionSnippet(newText: string): string | undefined {
  const xml = newText.lastIndexOf(': -->');
  if (xml >= 0) return `${snippetEscape(newText.slice(0, xml + 2))}$0 ${snippetEscape(newText.slice(xml + 2))}`;
  const dash = newText.lastIndexOf(' -- ');
  if (dash >= 0) return `${snippetEscape(newText.slice(0, dash + 4))}$0${snippetEscape(newText.slice(dash + 4))}`;
  return undefined;
}

function suppressionEdits(fix: DataFix, snippets: boolean): (TextEdit | SnippetTextEdit)[] {
  if (!snippets) return fix.edits;
  return fix.edits.map((e) => {
    const value = suppressionSnippet(e.newText);
    return value === undefined ? e : { range: e.range, snippet: { kind: 'snippet', value } };
  });
}

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

export interface CodeActionInput {
  params: CodeActionParams;
  doc: TextDocument;
  parsed: ParsedFile;
  settings: LintSettings;
  docsBase: string | undefined;
  /**
   * The client resolves code actions: the quick-fix "Fix all" goes out without its edit, which is
   * computed by `resolveFixAll` only when the user picks it (a file with 200,000 findings would
   * otherwise send 200,000 edits with every light-bulb request).
   */
  deferFixAll?: boolean;
  /** The client takes snippet edits in a workspace edit (`workspace.workspaceEdit.snippetEditSupport`). */
  snippets?: boolean;
}

interface FixAllData {
  relaylintFixAll: { uri: string; version: number };
}

/** The document of a deferred "Fix all" action, or undefined if `action` is not one. */
export function fixAllUri(action: CodeAction): string | undefined {
  const d = (action?.data as FixAllData | undefined)?.relaylintFixAll;
  return d && typeof d.uri === 'string' ? d.uri : undefined;
}

/** Compute the edit of a deferred "Fix all" action (codeAction/resolve). */
export function resolveFixAll(action: CodeAction, input: Omit<CodeActionInput, 'params'>): CodeAction {
  const d = (action.data as FixAllData).relaylintFixAll;
  if (d.version !== input.doc.version) return action;
  const all = fixAllAction({ ...input, params: undefined as unknown as CodeActionParams }, activeFindings(input.parsed, input.settings), action.kind ?? CodeActionKind.QuickFix, action.title);
  return all ? { ...action, edit: all.edit } : action;
}

/**
 * The fixes of one diagnostic for the current document version. When the diagnostic was computed
 * for an older version its ranges may be stale: find the same finding in a fresh lint instead.
 */
function fixesOf(d: Diagnostic, input: CodeActionInput, fresh: () => Finding[]): DataFix[] {
  const data = readData(d.data);
  if (!data) return [];
  if (data.version === input.doc.version) return data.fixes;
  const match = fresh().find((f) => f.ruleId === data.ruleId && sameRange(toRange(input.doc, diagnosticSpan(f)), d.range));
  if (!match) return [];
  return match.fixes.map((fix) => ({
    title: fix.title,
    kind: fix.kind,
    ...(fix.isPreferred ? { isPreferred: true } : {}),
    ...(fix.applicability === 'unsafe' ? { unsafe: true } : {}),
    edits: fix.edits.map((e) => ({ range: toRange(input.doc, e), newText: e.newText })),
  }));
}

function fixAllAction(input: CodeActionInput, findings: Finding[], kind: string, title: string): CodeAction | undefined {
  const edits = fixAllEdits(findings, { unsafe: input.settings.fixUnsafe });
  if (edits.length === 0) return undefined;
  return {
    title,
    kind,
    edit: versionedEdit(
      input.doc,
      edits.map((e) => ({ range: toRange(input.doc, e), newText: e.newText })),
    ),
  };
}

export function codeActions(input: CodeActionInput): CodeAction[] {
  const { params, doc, settings } = input;
  const only = params.context.only;
  const actions: CodeAction[] = [];
  if (!settings.enable) return actions;

  let findingsCache: Finding[] | undefined;
  const fresh = () => (findingsCache ??= activeFindings(input.parsed, settings));

  if (wanted(CodeActionKind.QuickFix, only)) {
    const ours = params.context.diagnostics.filter((d) => d.source === SOURCE && typeof d.code === 'string');
    const docs: CodeAction[] = [];
    const suppressions: CodeAction[] = [];
    const seenDocs = new Set<string>();
    for (const d of ours) {
      const ruleId = d.code as string;
      const fixes = fixesOf(d, input, fresh);
      const ordered = [...fixes.filter((f) => f.isPreferred), ...fixes.filter((f) => !f.isPreferred)];
      for (const fix of ordered) {
        const action: CodeAction = {
          title: fixTitle(fix),
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          edit: versionedEdit(doc, fix.kind === 'suppress' ? suppressionEdits(fix, !!input.snippets) : fix.edits),
        };
        if (fix.isPreferred) action.isPreferred = true;
        if (fix.kind === 'suppress') {
          if (settings.disableRuleComment) suppressions.push(action);
        } else {
          actions.push(action);
        }
      }
      if (settings.showDocumentation && !seenDocs.has(ruleId)) {
        seenDocs.add(ruleId);
        docs.push({
          title: `Show documentation for ${ruleId}`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          command: { title: `Show documentation for ${ruleId}`, command: Commands.showDocumentation, arguments: [ruleId, docsUrl(ruleId, input.docsBase)] },
        });
      }
    }
    // "Fix all" when the file has more than one fixable issue (with one, the quick fix is the same thing).
    if (ours.length > 0) {
      const fixable = fresh().filter((f) => f.fixes.some((x) => x.isPreferred));
      if (fixable.length > 1) {
        if (input.deferFixAll) {
          const data: FixAllData = { relaylintFixAll: { uri: doc.uri, version: doc.version } };
          actions.push({ title: FIX_ALL_TITLE, kind: CodeActionKind.QuickFix, data });
        } else {
          const all = fixAllAction(input, fresh(), CodeActionKind.QuickFix, FIX_ALL_TITLE);
          if (all) actions.push(all);
        }
      }
    }
    actions.push(...suppressions, ...docs);
  }

  if (explicitlyWanted(FIX_ALL_KIND, only)) {
    const all = fixAllAction(input, fresh(), FIX_ALL_KIND, FIX_ALL_TITLE);
    if (all) actions.push(all);
  }
  return actions;
}
