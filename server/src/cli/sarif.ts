/**
 * SARIF 2.1.0 output (validated against the schema by Microsoft's SARIF Multitool in the tests).
 * Rule metadata and help text come from the catalog; results carry stable partialFingerprints,
 * inline suppressions and the fixes as artifactChanges.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { allRules, docsUrl } from '../core';
import { ruleMarkdown } from '../core';
import { isSettingRule, type Rule } from '../core';
import type { Severity } from '../core';
import type { FileReport, JsonFinding, JsonProblem, Region } from './report';
import type { Reporter, RunMeta, SetResults } from './reporters/types';
import { evidenceProblemsSarif, readinessSarif, type ScopeWinners } from './evidence';

export const FINGERPRINT_KEY = 'relaylint/v1';

/** A result from outside the per-file scan (see `SarifWriter.addExternal`). */
export interface ExternalResult {
  ruleId: string;
  level: 'error' | 'warning' | 'note';
  message: string;
  path: string;
  region?: { startLine: number; startColumn: number; endLine: number; endColumn: number } | { byteOffset: number; byteLength: number };
  fingerprint: string;
  properties?: Record<string, unknown>;
}

/** SARIF's level for a relaylint severity (every writer of results here: findings, scopes, event logs). */
export const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** GitHub code scanning reads `security-severity` (0–10) to rank security alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = { error: '8.0', warning: '5.0', info: '2.0', hint: '1.0' };

function plainHelp(rule: Rule): string {
  const e = rule.explanation;
  const parts = [e.what, e.why];
  if ('attack' in e) parts.push(e.attack);
  parts.push(e.fix);
  if ('rollout' in e) parts.push(e.rollout);
  return parts.join('\n\n');
}

export function sarifRules(docsBase?: string) {
  return allRules.map((rule) => ({
    id: rule.id,
    name: rule.id.replace(/(^|[.-])([a-z0-9])/g, (_m, _s, c: string) => c.toUpperCase()),
    shortDescription: { text: rule.title },
    fullDescription: { text: isSettingRule(rule) ? `${rule.displayName}: ${rule.explanation.what}` : rule.explanation.what },
    help: { text: plainHelp(rule), markdown: ruleMarkdown(rule) },
    helpUri: docsUrl(rule.id, docsBase),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ['security', rule.category, ...(isSettingRule(rule) ? [rule.side] : [])],
      precision: 'very-high',
      'security-severity': SECURITY_SEVERITY[rule.severity],
    },
  }));
}

/**
 * A SARIF message (`message.text`). A plain-text message may hold embedded links, `[text](1)` to a
 * related location or `[text](uri)`, which viewers make clickable, so its literal brackets are
 * escaped (SARIF 2.1.0 §3.11.6): messages quote GPO and OU names, file content and event-log fields,
 * and a GPO named `[Open](https://…)` must not become a link.
 */
export function sarifMessage(text: string): { text: string } {
  return { text: text.replace(/[[\]]/g, '\\$&') };
}

function region(r: Region) {
  if (r.offset !== undefined) return { byteOffset: r.offset };
  return { startLine: r.line, startColumn: r.column, endLine: r.endLine, endColumn: r.endColumn };
}

/**
 * Paths under the working folder are relative to SRCROOT; others become absolute file URIs. The
 * path is split at this system's separators only: on Linux and macOS a backslash is part of a
 * file name (percent-encoded, `%5C`), not a folder boundary.
 */
export function artifact(p: string): { uri: string; uriBaseId?: string } {
  if (path.isAbsolute(p)) return { uri: pathToFileURL(p).href };
  return {
    uri: p
      .split(path.sep === '\\' ? /[\\/]/ : '/')
      .map((seg) => encodeURIComponent(seg))
      .join('/'),
    uriBaseId: 'SRCROOT',
  };
}

/**
 * Streams one SARIF log: the run header with the rule metadata first, then each file's results as
 * the scan produces them, then the invocation. Memory stays flat whatever the tree size.
 */
export class SarifWriter implements Reporter {
  private readonly ruleIndex = new Map<string, number>();
  private first = true;

  constructor(
    private readonly write: (chunk: string) => void,
    private readonly docsBase?: string,
  ) {}

  begin(meta: RunMeta): void {
    const version = meta.tool.version;
    const rootUri = meta.rootUri;
    const rules = sarifRules(this.docsBase);
    rules.forEach((r, i) => this.ruleIndex.set(r.id, i));
    const driver = { name: 'relaylint', version, semanticVersion: version, informationUri: 'https://github.com/relaylint/relaylint', rules };
    const head = JSON.stringify({
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [{ tool: { driver }, originalUriBaseIds: { SRCROOT: { uri: rootUri } }, columnKind: 'utf16CodeUnits', results: [] }],
    });
    // Open the results array: everything up to `"results":[`.
    this.write(head.slice(0, head.lastIndexOf('"results":[]') + '"results":['.length));
  }

  private result(file: FileReport, f: JsonFinding | JsonProblem, suppressed?: string) {
    const location = { physicalLocation: { artifactLocation: artifact(file.path), region: region(f) } };
    const res: Record<string, unknown> = {
      ruleId: f.ruleId,
      level: LEVEL[f.severity],
      message: sarifMessage(f.message),
      locations: [location],
      partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
    };
    const idx = this.ruleIndex.get(f.ruleId);
    if (idx !== undefined) res.ruleIndex = idx;
    if ('fixes' in f && f.fixes?.length) {
      const fixes = f.fixes
        .filter((x) => x.kind !== 'suppress')
        .map((x) => ({
          description: sarifMessage(x.title),
          artifactChanges: [
            {
              artifactLocation: artifact(file.path),
              replacements: x.edits.map((e) => ({
                deletedRegion: { startLine: e.line, startColumn: e.column, endLine: e.endLine, endColumn: e.endColumn },
                insertedContent: { text: e.newText },
              })),
            },
          ],
        }));
      if (fixes.length) res.fixes = fixes;
    }
    if ('related' in f && f.related?.length) {
      res.relatedLocations = f.related.map((r, i) => ({
        id: i + 1,
        physicalLocation: { artifactLocation: artifact(file.path), region: region(r) },
        message: sarifMessage(r.message),
      }));
    }
    if (suppressed !== undefined) res.suppressions = [{ kind: 'inSource', justification: suppressed }];
    return res;
  }

  private push(obj: unknown): void {
    this.write((this.first ? '' : ',') + JSON.stringify(obj));
    this.first = false;
  }

  file(result: FileReport): void {
    this.add(result);
  }

  add(file: FileReport): void {
    for (const p of file.problems) this.push(this.result(file, p));
    for (const f of file.findings) this.push(this.result(file, f));
    for (const f of file.suppressed) this.push(this.result(file, f, f.suppressed?.reason ?? ''));
  }

  /** A result built elsewhere (set-level results, e.g. the effective policy per scope). */
  addResult(res: Record<string, unknown>): void {
    const idx = this.ruleIndex.get(String(res.ruleId));
    this.push(idx === undefined ? res : { ...res, ruleIndex: idx });
  }

  /** A result that does not come from one scanned GPO file (rollout readiness, issue 12). */
  addExternal(r: ExternalResult): void {
    const res: Record<string, unknown> = {
      ruleId: r.ruleId,
      level: r.level,
      message: sarifMessage(r.message),
      locations: [{ physicalLocation: { artifactLocation: artifact(r.path), ...(r.region ? { region: r.region } : {}) } }],
      partialFingerprints: { [FINGERPRINT_KEY]: r.fingerprint },
    };
    const idx = this.ruleIndex.get(r.ruleId);
    if (idx !== undefined) res.ruleIndex = idx;
    if (r.properties) res.properties = r.properties;
    this.push(res);
  }

  end(set: SetResults): void {
    for (const r of evidenceProblemsSarif(set.evidence ?? [])) this.addExternal(r);
    if (set.readiness) for (const r of readinessSarif(set.readiness, set.coverage, set.evidence ?? [], (set as { scopes?: ScopeWinners[] }).scopes)) this.addExternal(r);
    this.write(`],"invocations":[${JSON.stringify({ executionSuccessful: !set.summary.ioError })}]}]}\n`);
  }
}
