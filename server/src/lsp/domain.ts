/**
 * The workspace domain model of the language server (issues 11, 12, 14 "In the editor"): the GPO
 * exports, topology exports and event-log exports in the workspace folders, turned into the policy
 * set, the effective policy per scope, the set-level coverage and the rollout readiness by the
 * same core functions the CLI uses (core/index.ts).
 *
 * - Discovery: the CLI's walks, so the editor and the CLI find the same files. GPO exports
 *   (`*.inf|*.reg|*.xml|*.pol`, then by content) and event logs (`*.evtx|*.xml|*.csv`, by content)
 *   through io/walk.ts `walkSteps` (folders streamed, `.git`/`node_modules` and the editor-tooling
 *   folders EDITOR_SKIP_DIRS never entered, symbolic links followed only inside the folders, loops
 *   and links leading out noted), bounded at MAX_FILES candidates; every file is read by
 *   `readRegular` (regular files only, the size checked on the open descriptor before a byte is
 *   read). Topology exports by content through io/topology.ts `loadTopologyAsync`, the CLI's code
 *   path with the folders searched and the bytes read asynchronously and a large file parsed on a thread of its own
 *   (topology-parse.ts) (`*.ldf|*.ldif|*.json|*.zip` up to two folders below a workspace folder,
 *   never inside a `{GUID}` GPO folder), plus the paths of `relaylint.topology` /
 *   `relaylint.evidence` and of the config file's `topology` / `evidence` (neither is read in an
 *   untrusted workspace).
 * - Recompute: debounced, cancellable (a newer change cancels a running pass between two files) and
 *   yielding to the event loop after every file, so requests stay answered while it runs. A change
 *   on disk, in the settings or in trust reads the workspace again; an edit of an open document
 *   judges only that document again and keeps the rest of the last pass (`updateDomain`).
 * - Memory: files are read and judged one at a time and nothing of a parse outlives it; each GPO
 *   export is kept packed (packed.ts: its policy and coverage records and the editor range of each
 *   value as rows of numbers, strings copied into a pool), the effective policy as a stream over the
 *   compact policy set (its scopes computed once per state, by indexScopes), of which the Relay
 *   exposure and the fate of each value are kept as numbers (exposure.ts, fates.ts), the fates as
 *   objects only for the documents open in the editor and the few files asked about
 *   (FATE_CACHE_FILES). A pass stops at MAX_FILES candidates and at its budget (DomainBudget: bytes
 *   read of topology, event logs and GPO exports, values kept) and says so (`limits`): in the log,
 *   the Relay exposure view's message and the posture page. Edits count against the same budget,
 *   and the string pool is rebuilt when edited versions have left more than half of it dead
 *   (`updateDomain`).
 * - The model is of the files as the editor shows them: a GPO export open in the editor counts with
 *   its current text, unsaved edits included (the parse of that version, the one its diagnostics
 *   use: one parse per version), every other file as saved on disk. An edit, or closing a document
 *   (its unsaved edits are then gone), recomputes; until that pass is done the edited document gets
 *   no domain annotations (they would point at the wrong lines). Closing a document whose text is
 *   the file's as the model last read it from disk (the hash of those bytes is kept with the file,
 *   packed.ts `disk`) recomputes nothing and parses nothing.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { Diagnostic, DiagnosticRelatedInformation, Position, Range } from 'vscode-languageserver';
import {
  auditSwitchesFrom,
  scopeSections,
  candidateExtensions,
  CoverageAccumulator,
  coverageSources,
  effectivePolicyStream,
  emptyPart,
  EvidenceCollector,
  filePolicy,
  isPolicyJudgement,
  judgeFile,
  appliesNowhereFindings,
  LIMITS,
  lineIndexFor,
  mdLiteral,
  parseBytes,
  providerOf,
  PolicySetBuilder,
  posture,
  ruleOf,
  settingRuleById,
  settingRules,
  topologyReach,
} from '../core';
import type { CoverageEntry, EffectiveEntry, EffectiveStream, EvidenceFileSummary, EvidenceProgress, GpoSummary, LintOptions, ParsedFile, Readiness, TopologyPart, TopologyProblem, TopologyReach, LineIndex, Span } from '../core';
import { looksLikeEvidence, tryEvidenceSteps } from '../io/evidence-files';
import { GpoResolver } from '../io/gpo-context';
import { readRegular, readRegularAsync } from '../io/safe-fs';
import { loadTopologyAsync, type TopologyParser, type TopologyReader } from '../io/topology';
import { WALK_PAUSE_EVERY, walkSteps, type WalkError } from '../io/walk';
import type { ExposureResult, ExposureRule, ExposureScope, ExposureScopeParams, ExposureScopeResult, ExposureStatus, PostureResult } from './protocol';
import { polViewUri } from './protocol';
import { ExposureCollector, type ExposureIndex, type ExposureRow } from './exposure';
import { FateIndexBuilder, keyOf, type Fate, type FateIndex } from './fates';
import { serverTopologyParser } from './topology-parse';
import { changedRules, findObs, liveStrings, obsCount, packFile, rangeAt, repackFile, sameExceptRanges, StringPool, unpackPolicy, unpackSources, type ObsView, type PackedFile } from './packed';

/** Candidate files looked at in one pass (GPO exports, event logs and topology exports together). */
export const MAX_FILES = 20_000;
/**
 * What one pass may read and keep: the bytes read (topology exports first, then GPO exports and
 * event logs in path order; an open document counts with its characters) and the relay-relevant
 * values kept (one per observation: a value with its rule, GPO, position and editor range, about
 * 50 bytes packed, plus its coverage record). Past the bytes, the pass reads no further file of any
 * kind; past the values, no further GPO export. It says so per kind, naming the first file not read
 * (`limits`: in the log, the Relay exposure view and the posture page). The file that crosses a
 * line is kept whole, so what a pass keeps is at most the budget plus one file (itself bounded by
 * LIMITS.maxFileBytes, MAX_EVIDENCE_BYTES and the findings caps).
 * RELAYLINT_DOMAIN_BUDGET_BYTES / RELAYLINT_DOMAIN_BUDGET_VALUES override it (tests).
 */
export interface DomainBudget {
  bytes: number;
  values: number;
}
export const DOMAIN_BUDGET: DomainBudget = { bytes: 512 * 1024 * 1024, values: 250_000 };

/** The budget, with the environment's overrides (positive whole numbers; anything else is ignored). */
export function domainBudget(env: NodeJS.ProcessEnv = process.env): DomainBudget {
  const num = (s: string | undefined, d: number) => (s !== undefined && /^[1-9]\d{0,15}$/.test(s) ? Number(s) : d);
  return { bytes: num(env.RELAYLINT_DOMAIN_BUDGET_BYTES, DOMAIN_BUDGET.bytes), values: num(env.RELAYLINT_DOMAIN_BUDGET_VALUES, DOMAIN_BUDGET.values) };
}

function sizeText(n: number): string {
  return n % (1024 * 1024) === 0 ? `${n / (1024 * 1024)} MiB` : `${n.toLocaleString('en-US')} byte${n === 1 ? '' : 's'}`;
}

/** Files whose value fates (annotations, hovers) are kept computed: the documents being looked at. */
const FATE_CACHE_FILES = 32;

/** Event-log exports above this size are left to the CLI (reading them would hold the server up). */
const MAX_EVIDENCE_BYTES = 512 * 1024 * 1024;
const DEBOUNCE_MS = 300;
const MAX_RELATED = 12;

const GPO_NAME = new RegExp(`\\.(${candidateExtensions.join('|')})$`, 'i');
const EVIDENCE_NAME = /\.(evtx|xml|csv)$/i;
/** Folders the editor's model never enters (editor test installs, compiled tests): io/walk.ts skips them. */
const EDITOR_SKIP_DIRS = new Set(['.vscode-test', '.test-out']);

type Located = NonNullable<EffectiveEntry['winner']>;

export interface DomainInputs {
  /** Workspace folders (file system paths). */
  folders: string[];
  /** Topology and evidence paths named by settings and config files (absolute). */
  topology: string[];
  evidence: string[];
  lint: LintOptions;
  windowDays: number;
  trusted: boolean;
  /** What a pass may read and keep (DOMAIN_BUDGET when absent). */
  budget?: DomainBudget;
}

/**
 * The model after a pass. What it keeps grows with the files read (bounded by MAX_FILES and the
 * budget), packed (packed.ts); the effective policy is kept as a stream over the compact policy
 * set, so its scopes (hundreds of thousands of located values in a large domain) are not kept: one
 * pass over them per state keeps what the exposure view shows and each value's fate as numbers
 * (exposure.ts, fates.ts), and the fates as objects only for the open documents and the few files
 * asked about. Only the posture page reads the scopes again, once per state: the page is kept with
 * the state (`posturePage`, about 2 MB for 1,100 scopes).
 */
export interface DomainState {
  inputs: DomainInputs;
  reading: Reading;
  /** The GPO exports read, by path (the reading's own map). */
  files: Map<string, PackedFile>;
  gpoFiles: number;
  effective?: EffectiveStream;
  scopeCount: number;
  /** Which pass or edit this state is of (ExposureResult.version): a new number per state. */
  version: number;
  /** The Relay exposure per scope, kept compact from the pass over the scopes (exposure.ts). */
  exposure?: ExposureIndex;
  /** The fates of every value, kept compact from the same pass (fates.ts): a fate-cache miss reads no scope again. */
  fateIndex?: FateIndex;
  gpoIndex: Map<string, GpoSummary>;
  /** Scope names as the editor shows them (without the domain prefix when every scope shares it). */
  short: (som: string) => string;
  coverage: CoverageEntry[];
  readiness: Readiness[];
  evidence: EvidenceFileSummary[];
  parts: TopologyPart[];
  /** Per open or asked-about file (at most FATE_CACHE_FILES, most recent last): its values' fates by `key\0ruleId`. */
  fates: Map<string, Map<string, Fate>>;
  /** GPO → scopes (canonical names) where it applies; rule → scopes that judge it. */
  gpoScopes: Map<string, Set<string>>;
  ruleScopes: Map<string, Set<string>>;
  notes: string[];
  /** What the pass left out by its limits (MAX_FILES, the budget): also in `notes`; said in the exposure view and the posture page. */
  limits: string[];
  /**
   * After an edit that changed only values: the rules whose scopes were judged again (the exposure
   * and fates of every other rule were kept from the state before; none when only ranges moved).
   * Absent when every scope was.
   */
  rejudged?: string[];
  /** The posture page of this state, once asked for (`relaylint/posture`): kept so that no later request reads the scopes again. */
  posturePage?: PosturePage;
}

/**
 * A state's posture page without its time (postureTemplate): the page's UTF-8 bytes around the
 * places of the time, the deciding-line references of its cells (id = index) and the tool version
 * it names. About 2 MB for the 1,102 scopes of the 5,500-GPO bench tree.
 */
export interface PosturePage {
  tool: string;
  parts: Buffer[];
  refs: { path: string; line?: number; offset?: number }[];
}

/** FNV-1a over the UTF-16 code units: cheap, and enough to tell "as saved" from "edited". */
export function textHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A hash of a file's bytes (32 bits of their SHA-1): tells the file on disk from the one a pass read, without parsing it. */
export function bytesHash(bytes: Uint8Array): number {
  return createHash('sha1').update(bytes).digest().readInt32LE(0);
}

const tick = () => new Promise<void>((r) => setImmediate(r));
/** Scopes judged between two turns of the event loop in a pass (each takes well under a millisecond). */
const SCOPES_PER_TURN = 64;

class Cancelled extends Error {}

interface Found {
  gpo: string[];
  evidence: string[];
}

/** Walk problems (a link out of the folders, a loop, a broken link) noted per pass at the most. */
const MAX_WALK_NOTES = 20;

/**
 * The candidate GPO exports and event logs of the folders: the CLI's walk (io/walk.ts: streamed
 * folders, links followed inside the folders with loop detection, a FIFO or device with an
 * export's name handed on to be refused by the reader), bounded at MAX_FILES candidates, checking
 * for cancellation and yielding to the event loop as it goes, inside a large folder's listing too
 * (every WALK_PAUSE_EVERY entries). Folders of editor tooling (EDITOR_SKIP_DIRS) are never entered.
 */
async function discover(roots: readonly string[], notes: string[], cancelled: () => boolean, limits?: string[]): Promise<Found> {
  const found: Found = { gpo: [], evidence: [] };
  const errors: WalkError[] = [];
  let entries = 0;
  let count = 0;
  let problems = 0;
  // The editor-tooling folders are never entered (a test install may hold tens of thousands of files).
  // Pause points inside a folder's listing too: a folder of a million entries is listed in steps.
  for (const e of walkSteps(roots, errors, { skipDirs: EDITOR_SKIP_DIRS, pauseEvery: WALK_PAUSE_EVERY })) {
    if (e === null || ++entries % 64 === 0) await tick();
    if (cancelled()) throw new Cancelled();
    if (e === null) continue;
    if (e.problem) {
      if (problems++ < MAX_WALK_NOTES) notes.push(`${e.path}: ${e.problem.message}`);
      continue;
    }
    const name = path.basename(e.path);
    const gpo = GPO_NAME.test(name);
    const ev = EVIDENCE_NAME.test(name);
    if (!gpo && !ev) continue;
    if (++count > MAX_FILES) {
      const note = `More than ${MAX_FILES} candidate files in the workspace folders: the rest were not read (the CLI reads any number).`;
      notes.push(note);
      limits?.push(note);
      return found;
    }
    if (ev) found.evidence.push(e.path);
    if (gpo) found.gpo.push(e.path);
  }
  if (problems > MAX_WALK_NOTES) notes.push(`${problems - MAX_WALK_NOTES} more links were not followed.`);
  for (const e of errors) notes.push(`${e.path}: ${e.message}`);
  return found;
}

/** Why `readRegular` read nothing, in a few words. */
function whyNotRead(read: Exclude<ReturnType<typeof readRegular>, { kind: 'ok' }>): string {
  return read.kind === 'error' ? read.code : read.kind === 'too-large' ? `${read.size} bytes, over the limit` : read.what;
}

function rangeOf(index: LineIndex, span: Span): Range {
  const a = index.positionAt(span.start);
  const b = index.positionAt(span.end);
  return { start: { line: a.line, character: a.character }, end: { line: b.line, character: b.character } };
}

/**
 * The parse of the document open in the editor at a file path, of its current version (the one its
 * diagnostics use), or undefined when no document relaylint serves is open there.
 */
export type OpenDocument = (fsPath: string) => Promise<ParsedFile | undefined> | undefined;

/** A GPO export as read for the model: its parse, where from, the bytes read and the hash of those bytes (read from disk only). */
interface GotFile {
  parsed: ParsedFile;
  fromEditor: boolean;
  size: number;
  bytesHash?: number;
}

/**
 * A GPO export as the editor shows it (the open document's parse) or as saved; undefined (with a
 * note) when it cannot be read. `size`: the bytes read (an open document: its characters).
 */
async function parsedFile(p: string, openDocument: OpenDocument, notes: string[]): Promise<GotFile | undefined> {
  const open = await openDocument(p);
  if (open) return { parsed: open, fromEditor: true, size: open.text.length };
  const read = readRegular(p, LIMITS.maxFileBytes);
  if (read.kind !== 'ok') {
    notes.push(`${p}: not read (${whyNotRead(read)}).`);
    return undefined;
  }
  return { parsed: parseBytes(p, read.bytes), fromEditor: false, size: read.bytes.length, bytesHash: bytesHash(read.bytes) };
}

/**
 * Judge one GPO export for the model, packed (undefined: not a GPO export). Nothing of the parse
 * outlives the call. `old`: the file's last packing, whose reading of the disk (`disk`) an editor
 * text keeps.
 */
function fileResult(p: string, got: GotFile, old: PackedFile | undefined, reach: TopologyReach | undefined, resolver: GpoResolver, lint: LintOptions, pool: StringPool): PackedFile | undefined {
  const { parsed, fromEditor, size } = got;
  if (parsed.format === 'unknown') return undefined;
  const index = lineIndexFor(parsed.text);
  const identity = resolver.resolve(p);
  const nowhere = appliesNowhereFindings(parsed, identity, reach);
  // One judgement for the coverage records and the policy observations.
  const judged = judgeFile(parsed, lint);
  const sources = coverageSources(p, parsed, index, lint, nowhere.skip, judged);
  const policy = filePolicy(p, parsed, identity, index, isPolicyJudgement(parsed, lint) ? judged : undefined);
  // A value's range is its setting's: by line (or offset) and rule, as several settings can start on
  // one line (a report written without line breaks); else the first setting there.
  const spans = new Map<string, Span>();
  for (const s of [...parsed.settings, ...(parsed.shadowed ?? [])]) {
    const rule = ruleOf(s);
    if (!rule) continue;
    const k = s.offset !== undefined ? `O${s.offset}` : `L${index.positionAt(s.span.start).line + 1}`;
    if (!spans.has(k)) spans.set(k, s.span);
    if (!spans.has(`${k}\u0000${rule.id}`)) spans.set(`${k}\u0000${rule.id}`, s.span);
  }
  const ranges: Range[] = policy.observations.map((o) => {
    const span = spans.get(`${keyOf(o)}\u0000${o.ruleId}`) ?? spans.get(keyOf(o));
    const line = Math.max(0, (o.line ?? 1) - 1);
    return span ? rangeOf(index, span) : { start: { line, character: 0 }, end: { line, character: 0 } };
  });
  const hash = textHash(parsed.text);
  const disk = got.bytesHash !== undefined ? { bytes: got.bytesHash, text: hash } : old?.disk;
  const packed = packFile(p, policy, ranges, sources, { hash, binary: !!providerOf(parsed.format)?.binary, fromEditor, bytes: size, disk }, pool);
  // Why its GPOs apply nowhere, as the CLI's finding on this file says (the editor's reason without a topology).
  if (nowhere.reasons.size) packed.nowhere = Object.fromEntries(nowhere.reasons);
  return packed;
}

/**
 * The file on disk when its document is closed, if a pass would judge the text `e` holds (the
 * editor's): then its reading of the disk, else undefined (also when it cannot be read). When the
 * bytes are the ones last read (`e.disk`), their text is known and nothing is parsed; other bytes
 * (the file changed on disk since, or the model never read it: the document was open before the
 * pass) are parsed to compare their text.
 */
function sameOnDisk(p: string, e: PackedFile): PackedFile['disk'] {
  const read = readRegular(p, LIMITS.maxFileBytes);
  if (read.kind !== 'ok') return undefined;
  const bytes = bytesHash(read.bytes);
  const text = e.disk?.bytes === bytes ? e.disk.text : textHash(parseBytes(p, read.bytes).text);
  return text === e.hash ? (e.disk?.bytes === bytes ? e.disk : { bytes, text }) : undefined;
}

/** What a location in a file opens: its `file:` URI, or the `relaylint-pol:` view of a Registry.pol. */
function uriOf(p: string, f: PackedFile | undefined): string {
  const fileUri = pathToFileURL(p).href;
  return f?.binary ? polViewUri(fileUri) : fileUri;
}

/** What a pass read, kept so that an edit of an open document re-judges only that document. */
interface Reading {
  parts: TopologyPart[];
  /** The topology named more scopes than the editor computes (LIMITS.maxEditorScopes) and was left out (said in `limits`). */
  topologyLeftOut?: boolean;
  reach: TopologyReach | undefined;
  collector: EvidenceCollector;
  /** The GPO export candidates (not event logs), in the order they are added up. */
  candidates: string[];
  /** The same, for lookups on every edit. */
  isCandidate: Set<string>;
  results: Map<string, PackedFile>;
  /** The strings of the packed files. */
  pool: StringPool;
  /** What the pass left out by its limits. */
  limits: string[];
  budget: DomainBudget;
  /** What the model holds against the budget: bytes read (topology, event logs, the GPO exports as now judged) and values kept. */
  bytes: number;
  values: number;
  /** The pool's size after the pass or its last compaction: past twice this, the live strings are counted (compactIfDead). */
  poolBase: number;
  /** Edited documents left out because the model was at its budget, with the note saying so. */
  editLimits: Map<string, string>;
}

/** What the model reads with (tests give a slow topology reader, and watch the event logs being read). */
export interface DomainIo {
  /** Told each step of an event log's reading (core readEvidenceSteps), before the event loop is let turn. */
  onEvidenceStep?: (file: string, progress: EvidenceProgress) => void;
  /** Reads a topology file (default: io/safe-fs.ts readRegularAsync). */
  readTopology?: TopologyReader;
  /** Parses a topology file (default: topology-parse.ts, a large file off the server's thread). */
  parseTopology?: TopologyParser;
}

/** The bytes a pass read against its budget, and the files each kind left out past it. */
class Spent {
  bytes = 0;
  private readonly left = new Map<'topology' | 'evidence', { first: string; n: number }>();
  constructor(readonly budget: DomainBudget) {}
  get overBytes(): boolean {
    return this.bytes >= this.budget.bytes;
  }
  /** A file of `kind` not read: past the budget. */
  skip(kind: 'topology' | 'evidence', file: string): void {
    const l = this.left.get(kind);
    if (l) l.n++;
    else this.left.set(kind, { first: file, n: 1 });
  }
  /** The note for a kind (read: how many of it were read), as the GPO exports' note says it. */
  note(kind: 'topology' | 'evidence', read: number): string | undefined {
    const l = this.left.get(kind);
    if (!l) return undefined;
    const what = kind === 'topology' ? 'topology file(s)' : 'event-log file(s)';
    const so = kind === 'topology' ? 'so the effective policy and Relay exposure leave them out' : 'so the rollout readiness leaves them out';
    return `The workspace model stopped at its budget (${sizeText(this.budget.bytes)} read per pass): ${l.n} of ${l.n + read} ${what}, from ${l.first} on, were not read, ${so} (the CLI reads any number).`;
  }
}

/**
 * The topology of a pass: the files named by the settings and config files, and the exports found
 * by content in the folders, read by io/topology.ts as the CLI reads them (the same files, problems
 * and messages), asynchronously, so requests are answered while a large export is read. Each file
 * counts against the pass's byte budget; past it no further topology file is read. A file named
 * explicitly that cannot be read at all (the CLI's I/O error) is an error-level problem here.
 */
/** Topology errors in the log, as the CLI prints them (the first MAX_WALK_NOTES, the rest counted). */
function noteTopologyErrors(notes: string[], errors: readonly TopologyProblem[]): void {
  for (const x of errors.slice(0, MAX_WALK_NOTES)) notes.push(`Topology ${x.source}: ${x.message}`);
  if (errors.length > MAX_WALK_NOTES) notes.push(`${errors.length - MAX_WALK_NOTES} more topology errors.`);
}

async function readTopology(inputs: DomainInputs, spent: Spent, notes: string[], cancelled: () => boolean, io: DomainIo): Promise<{ parts: TopologyPart[]; read: number }> {
  let read = 0;
  const display = (p: string) => path.resolve(p);
  const got = await loadTopologyAsync(inputs.topology, inputs.folders, display, {
    skipDirs: EDITOR_SKIP_DIRS,
    admit: (file) => {
      if (cancelled()) throw new Cancelled();
      if (spent.overBytes) {
        spent.skip('topology', display(file));
        return false;
      }
      read++;
      return true;
    },
    parse: io.parseTopology ?? serverTopologyParser(),
    read: async (file, max) => {
      const r = await (io.readTopology ?? readRegularAsync)(file, max);
      if (r.kind === 'ok') spent.bytes += r.bytes.length;
      return r;
    },
  });
  const parts = got.parts;
  // The topology's errors in the log, as the CLI prints them (a refused export must not pass unsaid).
  noteTopologyErrors(notes, parts.flatMap((p) => p.problems.filter((x) => x.severity === 'error')));
  for (const e of got.errors) {
    const source = display(e.path);
    const part = emptyPart('ldif', source);
    part.problems.push({ source, severity: 'error', message: `The topology file could not be read: ${e.message}.` });
    parts.push(part);
    notes.push(`Topology ${source}: not read (${e.message}).`);
  }
  return { parts, read };
}

/**
 * One full pass over the workspace. Throws Cancelled when a newer change arrived. `prev`: the files
 * of the last state (a document open in the editor keeps their reading of the disk).
 */
export async function computeDomain(
  inputs: DomainInputs,
  cancelled: () => boolean,
  openDocument: OpenDocument = () => undefined,
  io: DomainIo = {},
  prev?: ReadonlyMap<string, PackedFile>,
): Promise<DomainState> {
  const notes: string[] = [];
  const limits: string[] = [];
  const budget = inputs.budget ?? DOMAIN_BUDGET;
  const spent = new Spent(budget);
  const found = await discover(inputs.folders, notes, cancelled, limits);
  // Topology first: which GPOs apply nowhere is needed while the files are judged (as in the CLI).
  const topo = await readTopology(inputs, spent, notes, cancelled, io);
  let parts = topo.parts;
  // A topology of more scopes than the editor computes per pass (its work and memory grow with
  // them, and the pass must keep the server answering): left out whole, said (the CLI reads it).
  const soms = parts.reduce((n, p) => n + p.soms.length, 0);
  if (soms > LIMITS.maxEditorScopes) {
    const note = `The topology names ${soms.toLocaleString('en-US')} OUs, domains and sites; the editor computes the effective policy for up to ${LIMITS.maxEditorScopes.toLocaleString('en-US')} (the CLI for any number), so the topology was left out and the Relay exposure judges the scanned files as one set.`;
    limits.push(note);
    notes.push(note);
    parts = [];
  }
  if (cancelled()) throw new Cancelled();
  const reach = topologyReach(parts);

  const collector = new EvidenceCollector({ now: Date.now() });
  const evidenceRead = new Set<string>();
  // Event logs count against the pass's byte budget with their size; past it none is read. A log is
  // read in steps (every few thousand records or MiB): between them requests are answered, and a
  // newer change stops the pass (the file is closed; this pass's collector is dropped).
  const readEvidence = async (p: string, explicit: boolean): Promise<boolean> => {
    const abs = path.resolve(p);
    if (evidenceRead.has(abs)) return true;
    let size = 0;
    try {
      const st = fs.statSync(abs);
      if (st.isFile() && st.size > MAX_EVIDENCE_BYTES) {
        notes.push(`Event log ${abs} is ${st.size} bytes: the editor reads logs up to ${MAX_EVIDENCE_BYTES} bytes (use the CLI).`);
        return true;
      }
      size = st.size;
    } catch {
      return false;
    }
    if (spent.overBytes) {
      spent.skip('evidence', abs);
      return true;
    }
    const steps = tryEvidenceSteps(collector, abs, abs, explicit);
    let step = steps.next();
    try {
      while (!step.done) {
        io.onEvidenceStep?.(abs, step.value);
        await tick();
        if (cancelled()) throw new Cancelled();
        step = steps.next();
      }
    } finally {
      if (!step.done) steps.return(undefined);
    }
    const ev = step.value;
    if (ev) {
      evidenceRead.add(abs);
      spent.bytes += size;
    }
    return !!ev;
  };

  const resolver = new GpoResolver();
  const pool = new StringPool();
  const reading: Reading = { parts, ...(soms > LIMITS.maxEditorScopes ? { topologyLeftOut: true } : {}), reach, collector, candidates: [], isCandidate: new Set(), results: new Map(), pool, limits, budget, bytes: 0, values: 0, poolBase: 0, editLimits: new Map() };
  const gpoSet = new Set(found.gpo);
  const all = [...new Set([...found.evidence, ...found.gpo])].sort();
  let values = 0;
  let stoppedAt: string | undefined;
  let left = 0;
  for (const p of all) {
    if (cancelled()) throw new Cancelled();
    await tick();
    // Past the byte budget an `.xml` is only looked at (its first bytes) to tell an event log from a GPO export.
    if (EVIDENCE_NAME.test(p) && !(spent.overBytes && gpoSet.has(p) && !looksLikeEvidence(p)) && (await readEvidence(p, false))) continue;
    if (!gpoSet.has(p)) continue;
    if (stoppedAt !== undefined || spent.overBytes || values >= budget.values) {
      // Over the budget: no further GPO export is read.
      stoppedAt ??= p;
      left++;
      continue;
    }
    reading.candidates.push(p);
    reading.isCandidate.add(p);
    const got = await parsedFile(p, openDocument, notes);
    if (got) spent.bytes += got.size;
    const r = got && fileResult(p, got, prev?.get(p), reach, resolver, inputs.lint, pool);
    if (r) {
      reading.results.set(p, r);
      values += obsCount(r);
    }
  }
  if (stoppedAt !== undefined) {
    const note = `The workspace model stopped at its budget (${sizeText(budget.bytes)} read or ${budget.values.toLocaleString('en-US')} value${budget.values === 1 ? '' : 's'} kept per pass): ${left} of ${left + reading.candidates.length} GPO export(s), from ${stoppedAt} on, were not read, so the effective policy, coverage and Relay exposure leave them out (the CLI reads any number).`;
    notes.push(note);
    limits.push(note);
  }
  for (const e of inputs.evidence) {
    if (cancelled()) throw new Cancelled();
    await tick();
    let st: fs.Stats | undefined;
    try {
      st = fs.statSync(e);
    } catch {
      notes.push(`Evidence ${e}: no such file or folder.`);
      continue;
    }
    if (st.isFile()) {
      if (!(await readEvidence(e, true))) notes.push(`Evidence ${e}: not an event-log export relaylint reads.`);
    } else if (st.isDirectory()) {
      const more = await discover([e], notes, cancelled);
      for (const f of more.evidence) {
        await readEvidence(f, false);
        await tick();
      }
    }
  }
  for (const note of [spent.note('topology', topo.read), spent.note('evidence', evidenceRead.size)]) {
    if (!note) continue;
    notes.push(note);
    limits.push(note);
  }
  reading.bytes = spent.bytes;
  reading.values = values;
  reading.poolBase = pool.size;
  const state = await assemble(inputs, reading, notes, cancelled);
  // The errors the merge and the effective policy add (OUs nested too deep, security filtering
  // that could not be read) in the log too; those of each file were logged as it was read.
  if (state.effective) {
    const said = new Set(reading.parts.flatMap((p) => p.problems.map((x) => `${x.source}\0${x.message}`)));
    noteTopologyErrors(
      notes,
      state.effective.problems.filter((x) => x.severity === 'error' && !said.has(`${x.source}\0${x.message}`)),
    );
  }
  return state;
}

/**
 * The model after open documents changed: only `paths` are judged again (their open text, or the
 * file on disk once closed); the rest of the last pass's reading is kept. Throws Cancelled.
 *
 * - Budget: an edited version counts against the pass's budget in place of the version it replaces
 *   (its bytes and values). When the rest of the model is already at the budget, the edited
 *   document is left out (as a pass leaves out the files past its budget) and a note says so; a
 *   later edit that fits brings it back.
 * - Memory: each edited version adds its strings to the pass's pool; once the pool holds more dead
 *   strings than live ones, it is rebuilt from the files kept (compactIfDead), so 2,000 edits of a
 *   document do not grow it without end.
 * - When every edited document keeps the same records and only the editor ranges of its values
 *   moved (typing inside a line, or on a line with no value), the set is not assembled again: the
 *   last state's coverage, effective policy and readiness are kept.
 * - When the edits changed only values (the same files, GPO facts and GPOs named; packed.ts
 *   `changedRules`), the set is assembled again but the scopes are judged again only for the rules
 *   whose values changed, spliced into the last state's exposure and fates (`indexEdited`).
 */
export async function updateDomain(prev: DomainState, paths: readonly string[], cancelled: () => boolean, openDocument: OpenDocument): Promise<DomainState> {
  const notes: string[] = [...prev.reading.limits];
  const reading: Reading = { ...prev.reading, results: new Map(prev.reading.results), editLimits: new Map(prev.reading.editLimits) };
  const resolver = new GpoResolver();
  const { budget } = reading;
  let sameRecords = true;
  // The rules whose values the edits changed, while only values changed (else undefined: all of it again).
  let rules: Set<string> | undefined = new Set<string>();
  for (const p of paths) {
    await tick();
    if (cancelled()) throw new Cancelled();
    const old = reading.results.get(p);
    // The model without this file, against the budget.
    const others = { bytes: reading.bytes - (old?.bytes ?? 0), values: reading.values - (old ? obsCount(old) : 0) };
    let r: PackedFile | undefined;
    if (others.bytes >= budget.bytes || others.values >= budget.values) {
      reading.editLimits.set(
        p,
        `The workspace model is at its budget (${sizeText(budget.bytes)} read or ${budget.values.toLocaleString('en-US')} value${budget.values === 1 ? '' : 's'} kept per pass): the edited document ${p} was left out, so the effective policy, coverage and Relay exposure leave it out (the CLI reads any number).`,
      );
    } else {
      reading.editLimits.delete(p);
      const got = await parsedFile(p, openDocument, notes);
      r = got && fileResult(p, got, old, reading.reach, resolver, prev.inputs.lint, reading.pool);
    }
    // The set changes unless the file's records are the same (or it is left out again).
    const unchanged = old && r ? sameExceptRanges(old, r) : !old && !r;
    if (!unchanged) sameRecords = false;
    if (rules && !unchanged) {
      const changed = old && r ? changedRules(old, r, reading.pool) : undefined;
      if (changed) for (const id of changed) rules.add(id);
      else rules = undefined;
    }
    if (r) reading.results.set(p, r);
    else reading.results.delete(p);
    reading.bytes = others.bytes + (r?.bytes ?? 0);
    reading.values = others.values + (r ? obsCount(r) : 0);
  }
  compactIfDead(reading);
  const limits = [...reading.limits, ...reading.editLimits.values()];
  const sameLimits = prev.reading.editLimits.size === reading.editLimits.size && [...reading.editLimits.keys()].every((k) => prev.reading.editLimits.has(k));
  if (sameRecords && sameLimits) {
    // Only ranges moved: the set, its coverage and scopes are what they were.
    return { ...prev, reading, files: reading.results, notes: [...notes, ...reading.editLimits.values()], limits, rejudged: [] };
  }
  return assemble(prev.inputs, reading, [...notes, ...reading.editLimits.values()], cancelled, limits, sameLimits && rules ? { prev, rules } : undefined);
}

/** Strings the pool may hold dead (of edited versions no longer kept) before it is rebuilt at all. */
export const POOL_SLACK = 1024;

/**
 * Rebuilds the pass's pool from the files kept when it has grown to twice its size after the pass
 * (or the last rebuild) plus POOL_SLACK and more than half of it is dead. The files are packed
 * again with the new pool's ids (new rows: the last state keeps its own until it is dropped).
 * Linear in the rows kept, and done at most once per doubling, so edits stay linear overall.
 */
function compactIfDead(reading: Reading): void {
  const { pool } = reading;
  if (pool.size <= 2 * reading.poolBase + POOL_SLACK) return;
  const live = liveStrings(reading.results.values(), pool);
  if (live * 2 > pool.size) {
    // Mostly live: look again after the next doubling.
    reading.poolBase = pool.size;
    return;
  }
  const next = new StringPool();
  for (const [p, f] of reading.results) reading.results.set(p, repackFile(f, pool, next));
  reading.pool = next;
  reading.poolBase = next.size;
}

/** The number of the last state assembled (DomainState.version). */
let stateVersion = 0;

/**
 * Coverage, policy set, readiness and effective policy of what a pass read. `edit`: the state before
 * an edit that changed only the values of `rules` (the same files, GPOs and GPO facts): the scopes
 * are judged again for those rules alone, and the rest of the exposure and fates is kept from it.
 */
async function assemble(
  inputs: DomainInputs,
  reading: Reading,
  notes: string[],
  cancelled: () => boolean,
  limits: string[] = reading.limits,
  edit?: { prev: DomainState; rules: ReadonlySet<string> },
): Promise<DomainState> {
  const policySet = new PolicySetBuilder();
  const coverage = new CoverageAccumulator(inputs.lint);
  const { pool } = reading;
  // In candidate order; each file's records are unpacked, added and dropped (young garbage).
  for (const p of reading.candidates) {
    const f = reading.results.get(p);
    if (!f) continue;
    coverage.add(unpackSources(p, f, pool));
    policySet.add(unpackPolicy(p, f, pool));
  }
  const { collector, parts } = reading;
  const files = reading.results;
  const cov = coverage.result();
  const readiness = collector.files.length
    ? collector.judge({
        windowDays: inputs.windowDays,
        auditSwitches: auditSwitchesFrom(files.size ? cov : undefined),
        skipRules: inputs.lint.role === 'member' ? new Set(collector.ruleIds().filter((id) => settingRuleById(id)?.dcOnly)) : undefined,
      })
    : [];
  // A stream: its scopes are computed again whenever they are read, and never kept. indexScopes reads
  // them once and keeps the exposure view's part and the values' fates compact (exposure.ts,
  // fates.ts); the posture page reads them once more when first asked for, and is kept (posturePage).
  // An edit of values only: the stream takes over what the last one worked out from the topology
  // and the GPOs' facts (summaries, problems, each scope's list), which such an edit leaves as it was.
  const effective = effectivePolicyStream(policySet.build(), parts, { targetOs: inputs.lint.targetOs ?? 'legacy' }, { keepLists: true, ...(edit?.prev.effective ? { reuse: edit.prev.effective.frame } : {}) });
  const state: DomainState = {
    inputs,
    reading,
    files,
    gpoFiles: files.size,
    scopeCount: effective?.scopeCount ?? 0,
    version: ++stateVersion,
    gpoIndex: new Map((effective?.gpos ?? []).map((g) => [g.guid, g])),
    short: (s) => s,
    coverage: cov,
    readiness,
    evidence: collector.files,
    parts,
    fates: new Map(),
    gpoScopes: new Map(),
    ruleScopes: new Map(),
    notes,
    limits,
    ...(effective ? { effective } : {}),
  };
  if (effective && !(edit && indexEdited(state, effective, edit.prev, edit.rules))) await indexScopes(state, effective, cancelled);
  return state;
}

/**
 * indexScopes after an edit that changed only the values of `rules`: what a scope holds of every
 * other rule is what it was (a rule's entries read only that rule's values, and which scopes there
 * are, the GPOs of each and the rules judged there do not depend on values), so only `rules` are
 * judged again in each scope and spliced into the exposure and fates kept from `prev`. False
 * (nothing set) when `prev` has no such index or its scopes are not these.
 */
function indexEdited(state: DomainState, eff: EffectiveStream, prev: DomainState, rules: ReadonlySet<string>): boolean {
  if (!prev.effective || !prev.exposure || !prev.fateIndex || prev.scopeCount !== eff.scopeCount) return false;
  const only = new Set(settingRules.filter((r) => rules.has(r.id)).map((r) => r.id));
  let exposure = prev.exposure;
  let fateIndex = prev.fateIndex;
  if (only.size) {
    const results = eff.scopeCount * settingRules.length;
    // Past their bound (many edits since the last whole pass), they are built anew.
    const fates = FateIndexBuilder.continuing(prev.fateIndex, results);
    const ex = ExposureCollector.continuing(prev.exposure, (guid) => state.gpoIndex.get(guid)?.name ?? guid, results);
    if (!fates || !ex) return false;
    let i = 0;
    for (const s of eff.scopes(only)) {
      if (!ex.spliced(i, s, only) || !fates.spliced(i, s, only)) return false;
      i++;
    }
    if (i !== prev.scopeCount) return false;
    exposure = ex.build();
    fateIndex = fates.build();
  }
  state.gpoScopes = prev.gpoScopes;
  state.ruleScopes = prev.ruleScopes;
  state.short = prev.short;
  state.exposure = exposure;
  state.fateIndex = fateIndex;
  state.rejudged = [...only];
  const open = new Set<string>();
  for (const [p, f] of state.files) {
    if (open.size >= FATE_CACHE_FILES) break;
    if (f.fromEditor) open.add(p);
  }
  for (const [p, f] of fateIndex.fatesOf(open)) state.fates.set(p, f);
  return true;
}

/**
 * One pass over the scopes: where each GPO applies, where each rule is judged, how scope names are
 * shortened, the Relay exposure and the fates of every value (both kept compact, so neither an
 * exposure request nor a fate-cache miss reads a scope again), and the fates of the documents open
 * in the editor (the first FATE_CACHE_FILES), which their diagnostics ask for right after the pass.
 */
async function indexScopes(state: DomainState, eff: EffectiveStream, cancelled: () => boolean): Promise<void> {
  const domains = new Set<string>();
  const open = new Set<string>();
  for (const [p, f] of state.files) {
    if (open.size >= FATE_CACHE_FILES) break;
    if (f.fromEditor) open.add(p);
  }
  // At most one result per scope and setting rule: the columns are sized for it.
  const results = eff.scopeCount * settingRules.length;
  const fates = new FateIndexBuilder(results);
  const exposure = new ExposureCollector((guid) => state.gpoIndex.get(guid)?.name ?? guid, results);
  let n = 0;
  for (const s of eff.scopes()) {
    // Requests are answered between scopes (a topology of thousands of OUs takes seconds), and a
    // newer change stops the pass.
    if (++n % SCOPES_PER_TURN === 0) {
      await tick();
      if (cancelled()) throw new Cancelled();
    }
    exposure.scope(s);
    domains.add(s.som.split('/')[0]);
    for (const g of s.gpos) {
      if (g.notScanned) continue;
      let set = state.gpoScopes.get(g.guid);
      if (!set) state.gpoScopes.set(g.guid, (set = new Set()));
      set.add(s.som);
    }
    for (const e of s.effective) {
      let rs = state.ruleScopes.get(e.ruleId);
      if (!rs) state.ruleScopes.set(e.ruleId, (rs = new Set()));
      rs.add(s.som);
    }
    fates.scope(s);
  }
  if (domains.size === 1) state.short = (s) => (s.includes('/') ? s.slice(s.indexOf('/') + 1) : s);
  state.fateIndex = fates.build();
  for (const [p, f] of state.fateIndex.fatesOf(open)) state.fates.set(p, f);
  state.exposure = exposure.build();
}

/**
 * The fates of one file's values: taken from the state's fate index in the pass for the documents
 * open then, else when a document's annotations or hover first need them (together with the other
 * open documents not taken yet); kept for the last FATE_CACHE_FILES files of the state.
 */
function fatesOf(state: DomainState, fsPath: string): Map<string, Fate> {
  const have = state.fates.get(fsPath);
  if (have) {
    state.fates.delete(fsPath);
    state.fates.set(fsPath, have);
    return have;
  }
  const want = new Set([fsPath]);
  for (const [p, f] of state.files) {
    if (want.size >= FATE_CACHE_FILES) break;
    if (f.fromEditor && !state.fates.has(p)) want.add(p);
  }
  const got = state.fateIndex?.fatesOf(want) ?? new Map<string, Map<string, Fate>>([[fsPath, new Map()]]);
  for (const [p, f] of got) if (p !== fsPath) state.fates.set(p, f);
  state.fates.set(fsPath, got.get(fsPath) as Map<string, Fate>);
  while (state.fates.size > FATE_CACHE_FILES) state.fates.delete(state.fates.keys().next().value as string);
  return state.fates.get(fsPath) as Map<string, Fate>;
}

/** What the effective policy says about one value: its fate, the scopes its GPO reaches, why it applies nowhere. */
interface ValueFate {
  obs: ObsView;
  fate?: Fate;
  /** Scopes where the value's GPO applies and the rule is judged. */
  appliesIn: string[];
  nowhere?: string;
}

export class DomainModel {
  state: DomainState | undefined;
  private gen = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private waiters: (() => void)[] = [];
  /** The next pass reads the whole workspace (files, settings or trust changed); else only `docs`. */
  private full = true;
  /** Open documents whose text changed since the last pass. */
  private readonly docs = new Set<string>();

  constructor(
    private readonly inputs: () => Promise<DomainInputs>,
    private readonly changed: (before: DomainState | undefined, after: DomainState) => void,
    private readonly log: (m: string) => void,
    private readonly openDocument: OpenDocument = () => undefined,
    private readonly io: DomainIo = {},
  ) {}

  /**
   * A document was opened, edited or closed: recompute when the model's view of that file is not
   * the text the editor now shows (`text`, or for a closed document the file on disk, `undefined`).
   * Files the model does not hold are left to the file watcher (a new file counts once saved).
   */
  documentChanged(fsPath: string, text: string | undefined): void {
    const st = this.state;
    if (!st) {
      // The first pass is still to come (it reads the document as it is then) or running: it is not
      // restarted (edits must not starve it); the document is judged again once it is done.
      if (this.running) this.docs.add(fsPath);
      return;
    }
    if (!st.reading.isCandidate.has(fsPath)) return;
    const e = st.files.get(fsPath);
    if (e && (text === undefined ? !e.fromEditor : e.hash === textHash(text))) return;
    const disk = e && text === undefined ? sameOnDisk(fsPath, e) : undefined;
    if (e && disk) {
      // Closed without unsaved edits: the model's view is the file on disk already.
      st.files.set(fsPath, { ...e, fromEditor: false, disk });
      return;
    }
    // Only this document is judged again; the rest of the last pass is kept.
    this.docs.add(fsPath);
    this.kick(DEBOUNCE_MS);
  }

  /** A file or setting changed: read the workspace again after a short quiet period; a running pass is cancelled. */
  schedule(delay = DEBOUNCE_MS): void {
    this.full = true;
    this.kick(delay);
  }

  private kick(delay: number): void {
    this.gen++;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.run(), delay);
  }

  get busy(): boolean {
    return this.timer !== undefined || this.running;
  }

  /** The state once no recompute is pending (at most `timeoutMs`; then whatever is known). */
  async settled(timeoutMs = 120_000): Promise<DomainState | undefined> {
    if (!this.busy) return this.state;
    await Promise.race([new Promise<void>((r) => this.waiters.push(r)), new Promise<void>((r) => setTimeout(r, timeoutMs).unref())]);
    return this.state;
  }

  dispose(): void {
    this.gen++;
    clearTimeout(this.timer);
  }

  private async run(): Promise<void> {
    this.timer = undefined;
    if (this.running) {
      // The running pass sees the new generation and stops; it schedules the next one.
      return;
    }
    this.running = true;
    const my = this.gen;
    const before = this.state;
    const full = this.full || !before;
    const docs = [...this.docs];
    this.full = false;
    this.docs.clear();
    let done = false;
    try {
      const started = Date.now();
      const cancelled = () => this.gen !== my;
      const edited = before ? docs.filter((d) => before.reading.isCandidate.has(d)) : [];
      const next = before && !full ? await updateDomain(before, edited, cancelled, this.openDocument) : await computeDomain(await this.inputs(), cancelled, this.openDocument, this.io, before?.files);
      done = true;
      this.state = next;
      this.log(
        `relaylint: workspace model${full ? '' : ` (${edited.length} edited document(s) judged again)`}: ${next.gpoFiles} GPO file(s), ${next.effective ? `${next.scopeCount} scope(s)` : 'no topology'}, ${next.evidence.length} event log(s), ${Date.now() - started} ms`,
      );
      for (const n of next.notes) this.log(`relaylint: ${n}`);
      this.changed(before, next);
    } catch (e) {
      if (!(e instanceof Cancelled)) this.log(`relaylint: the workspace model could not be computed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    } finally {
      this.running = false;
      if (!done) {
        // What this pass was to do is still to do.
        if (full) this.full = true;
        for (const d of docs) this.docs.add(d);
      }
      if (this.gen !== my) this.kick(0);
      else if (this.docs.size && !this.timer) this.kick(DEBOUNCE_MS);
      else if (!this.timer) for (const w of this.waiters.splice(0)) w();
    }
  }

  // ---- queries --------------------------------------------------------------------------------

  /** The file entry of a document, when the model's view of it matches the document's text. */
  private entryFor(fsPath: string, text: string): PackedFile | undefined {
    const e = this.state?.files.get(fsPath);
    if (!e || e.hash !== textHash(text)) return undefined;
    return e;
  }

  private fateOf(fsPath: string, o: ObsView): ValueFate {
    const st = this.state as DomainState;
    const out: ValueFate = { obs: o, appliesIn: [] };
    // Why its GPO applies nowhere: the judgement of `gpos[]` (appliesNowhereReason), else that of
    // the CLI's `gpo.applies-nowhere` finding on this file (the only one without a topology).
    const why = o.gpo ? (st.gpoIndex.get(o.gpo)?.appliesNowhere ?? st.files.get(fsPath)?.nowhere?.[o.gpo]) : undefined;
    if (why) out.nowhere = why;
    if (!st.effective) return out;
    const f = fatesOf(st, fsPath).get(`${o.key}\u0000${o.ruleId}`);
    if (f) out.fate = f;
    if (!o.gpo) return out;
    const scopes = st.gpoScopes.get(o.gpo);
    const judged = st.ruleScopes.get(o.ruleId);
    out.appliesIn = [...(scopes ?? [])].filter((s) => judged?.has(s));
    return out;
  }

  private gpoName(guid: string | undefined): string {
    if (!guid) return 'a file outside any GPO';
    const g = this.state?.gpoIndex.get(guid);
    return g?.name ? `"${g.name}"` : guid;
  }

  private locate(l: { path: string; line?: number; offset?: number }): { uri: string; range: Range } {
    const st = this.state;
    const e = st?.files.get(l.path);
    const range = e ? rangeAt(e, l.offset !== undefined, l.offset ?? l.line ?? 0) : undefined;
    if (range) return { uri: uriOf(l.path, e), range };
    const line = Math.max(0, (l.line ?? 1) - 1);
    return { uri: uriOf(l.path, e), range: { start: { line, character: 0 }, end: { line, character: 0 } } };
  }

  /**
   * Diagnostics with what the effective policy says: a value shadowed in every scope where its GPO
   * applies, or whose GPO applies nowhere, says so and drops to info (not in an untrusted
   * workspace: there a folder's own topology must not soften findings); a value that wins
   * somewhere says where. Related information links the winner and the shadowed lines.
   */
  annotate(fsPath: string, text: string, diagnostics: Diagnostic[]): Diagnostic[] {
    const st = this.state;
    if (!st) return diagnostics;
    const entry = this.entryFor(fsPath, text);
    // Without a topology only the file's own applies-nowhere reasons are said.
    if (!entry || (!st.effective && !entry.nowhere)) return diagnostics;
    const short = st.short;
    const pool = st.reading.pool;
    return diagnostics.map((d) => {
      if (typeof d.code !== 'string') return d;
      const o = findObs(entry, pool, { ruleId: d.code, contains: d.range });
      if (!o) return d;
      const vf = this.fateOf(fsPath, o);
      const f = vf.fate;
      // A trusted workspace only; and for a GPO that applies nowhere, only with a topology (an export,
      // or reports with links): without one the reason comes from the GPO's own files alone, and the
      // value keeps its level beside it, as the CLI keeps its finding beside gpo.applies-nowhere.
      const soften = st.inputs.trusted;
      if (vf.nowhere) {
        const lower = soften && !!st.effective;
        return { ...d, message: `${d.message} Its GPO ${this.gpoName(o.gpo)} applies nowhere (${vf.nowhere}), so this value takes effect on no machine.`, ...(lower ? { severity: DiagnosticSeverity.Information } : {}) };
      }
      if (!f || !vf.appliesIn.length) return d;
      const winsIn = f.wins.map((w) => w.som);
      const shadowedIn = vf.appliesIn.filter((s) => f.shadowedBy.some((x) => x.som === s) && !winsIn.includes(s));
      const related: DiagnosticRelatedInformation[] = [];
      if (winsIn.length === 0 && f.conflict.length === 0 && shadowedIn.length === vf.appliesIn.length) {
        const winners = new Map<string, { loc: Located; scopes: string[] }>();
        for (const x of f.shadowedBy) {
          if (!x.winner) continue;
          const k = `${x.winner.path}|${keyOf(x.winner)}`;
          const w = winners.get(k) ?? { loc: x.winner, scopes: [] };
          w.scopes.push(short(x.som));
          winners.set(k, w);
        }
        for (const w of [...winners.values()].slice(0, MAX_RELATED)) {
          related.push({ location: this.locate(w.loc), message: `wins in ${w.scopes.join(', ')}: ${this.gpoName(w.loc.gpo)} sets ${JSON.stringify(w.loc.value ?? null)}` });
        }
        const names = [...new Set([...winners.values()].map((w) => this.gpoName(w.loc.gpo)))].join(', ');
        return {
          ...d,
          message: `${d.message} Shadowed in every scope where its GPO applies (${shadowedIn.map(short).join(', ')})${names ? `: ${names} wins` : ''}.`,
          ...(soften ? { severity: DiagnosticSeverity.Information } : {}),
          relatedInformation: [...(d.relatedInformation ?? []), ...related],
        };
      }
      if (winsIn.length) {
        for (const x of f.over.slice(0, MAX_RELATED)) {
          related.push({ location: this.locate(x.loc), message: `shadowed in ${short(x.som)}: ${this.gpoName(x.loc.gpo)} sets ${JSON.stringify(x.loc.value ?? null)}` });
        }
        const list = winsIn.slice(0, 5).map(short).join(', ') + (winsIn.length > 5 ? ` and ${winsIn.length - 5} more` : '');
        return { ...d, message: `${d.message} Wins in: ${list}.`, ...(related.length ? { relatedInformation: [...(d.relatedInformation ?? []), ...related] } : {}) };
      }
      if (f.conflict.length) return { ...d, message: `${d.message} In conflict with another extension in: ${f.conflict.slice(0, 5).map(short).join(', ')}.` };
      return d;
    });
  }

  /** Markdown lines for the hover on a setting: where it is effective, and the rollout readiness of its rule. */
  hoverLines(fsPath: string, text: string, position: Position): string[] {
    const st = this.state;
    if (!st) return [];
    const entry = this.entryFor(fsPath, text);
    if (!entry) return [];
    const o = findObs(entry, st.reading.pool, { contains: position, startLine: position.line });
    if (!o) return [];
    const lines: string[] = [];
    if (st.effective || entry.nowhere) {
      // Scope, GPO and condition names come from the files: Markdown-escaped (mdLiteral), never links.
      const short = (som: string) => mdLiteral(st.short(som));
      const gpoName = (guid: string | undefined) => mdLiteral(this.gpoName(guid));
      const vf = this.fateOf(fsPath, o);
      const f = vf.fate;
      if (vf.nowhere) lines.push(`**Effective in:** nowhere: its GPO ${gpoName(o.gpo)} applies nowhere (${mdLiteral(vf.nowhere)}).`);
      else if (f || vf.appliesIn.length) {
        const parts: string[] = [];
        for (const w of f?.wins ?? []) parts.push(`${short(w.som)} (this line wins${w.condition ? `, if ${mdLiteral(w.condition)}` : ''})`);
        const byScope = new Map((f?.shadowedBy ?? []).map((x) => [x.som, x]));
        for (const som of vf.appliesIn.length ? vf.appliesIn : [...byScope.keys()]) {
          if (f?.wins.some((w) => w.som === som)) continue;
          const x = byScope.get(som);
          if (x?.winner) {
            const at = this.locate(x.winner);
            const where = x.winner.line !== undefined ? `line ${x.winner.line}` : `offset ${x.winner.offset ?? 0}`;
            parts.push(`${short(som)} (overridden by GPO ${gpoName(x.winner.gpo)}${x.enforced ? ', enforced' : ''}, [${where}](${at.uri}#L${at.range.start.line + 1}))`);
          } else if (f?.conflict.includes(som)) parts.push(`${short(som)} (conflict between extensions: no winner)`);
          else if (x) parts.push(`${short(som)} (overridden)`);
          else parts.push(`${short(som)} (undetermined)`);
        }
        for (const som of f?.conflict ?? []) if (!vf.appliesIn.includes(som)) parts.push(`${short(som)} (conflict between extensions: no winner)`);
        if (parts.length) lines.push(`**Effective in:** ${parts.join(', ')}`);
      }
    }
    const r = st.readiness.find((x) => x.ruleId === o.ruleId);
    if (r) lines.push(readinessLine(r));
    return lines;
  }

  /**
   * `relaylint/exposure`: the scopes with what the view shows of them before they are expanded
   * (kind, role, counts), from the state's compact exposure; no scope of the stream is read.
   */
  async exposure(): Promise<ExposureResult> {
    const st = await this.settled();
    if (!st) return { available: false, reason: 'The workspace has not been read yet.', scopes: [] };
    if (!st.gpoFiles && !st.effective) return { available: false, reason: 'No Group Policy export was found in the workspace folders.', version: st.version, scopes: [] };
    // What the pass left out (MAX_FILES, the budget) is said first, then the topology's errors.
    const limits = st.limits.join(' ');
    const trouble = st.effective ? topologyErrors(st.effective.problems) : '';
    const said = [limits, trouble].filter(Boolean).join(' ');
    if (st.effective && !filesScope(st)) return { available: true, ...(said ? { reason: said } : {}), version: st.version, scopes: [...(st.exposure?.scopes ?? [])] };
    // No topology, or one that gave no scope (every file of it refused): the scanned files as one set.
    const none = st.effective
      ? 'No scope came from the domain topology in the workspace: the scanned files are judged as one set, not per OU.'
      : st.reading.topologyLeftOut
        ? ''
        : 'No domain topology in the workspace (an LDIF, SharpHound or Get-GPInheritance export, or the relaylint.topology setting): the scanned files are judged as one set, not per OU.';
    return {
      available: true,
      reason: [said, none].filter(Boolean).join(' '),
      version: st.version,
      scopes: [summaryOf({ som: FILES_SCOPE, kind: 'domain', role: 'member' }, coverageRows(st.coverage))],
    };
  }

  /**
   * `relaylint/exposureScope`: the rules of one scope listed by `exposure()`, with their deciding
   * lines and readiness. `stale` when the model changed since that answer (the client asks again).
   */
  async exposureScope(params: ExposureScopeParams): Promise<ExposureScopeResult> {
    const st = await this.settled();
    if (!st) return { version: 0, stale: true, rules: [] };
    const { version } = st;
    if (!params || params.version !== version) return { version, stale: true, rules: [] };
    let som: string | undefined;
    let rows: ExposureRow[] | undefined;
    if (st.effective && !filesScope(st)) {
      rows = st.exposure?.rulesOf(params.scope);
      som = st.exposure?.scopes[params.scope]?.som;
    } else if (st.gpoFiles && params.scope === 0) {
      rows = coverageRows(st.coverage);
      som = FILES_SCOPE;
    }
    if (!rows || som === undefined) return { version, stale: true, rules: [] };
    const title = (id: string) => settingRuleById(id)?.title ?? id;
    const rules = rows.map((row) => {
      const rule: ExposureRule = { ruleId: row.ruleId, title: title(row.ruleId), status: row.status, exposed: row.exposed };
      if (row.why) rule.why = row.why;
      if (row.winner) rule.winner = { ...this.locate(row.winner), ...(row.winner.gpo ? { gpo: row.winner.gpo } : {}) };
      const r = st.readiness.find((x) => x.ruleId === row.ruleId);
      if (r) rule.readiness = { status: r.status, clients: r.clients.length + (r.moreClients ?? 0) };
      return rule;
    });
    return { version, som, rules };
  }

  /**
   * `relaylint/posture`: the core's posture page of the workspace, every deciding-line reference
   * mapped to a cell. The page is rendered once per state and tool version (postureTemplate: the
   * only request that reads the scopes again) and kept with the state; each request puts its own
   * time in and locates the cells in the files as they are now (an edit that only moves ranges keeps
   * the state, and with it the page).
   */
  async posture(version: string, now: Date): Promise<PostureResult> {
    const st = await this.settled();
    let page = st?.posturePage;
    if (!page || page.tool !== version) {
      page = postureTemplate(st, version);
      if (st) st.posturePage = page;
    }
    const html = page.parts.map((b) => b.toString('utf8')).join(now.toISOString());
    return { html, cells: page.refs.map((r, i) => ({ id: String(i), ...this.locate(r) })) };
  }
}

/** Stands for the request's time in a kept page (a NUL never comes from a path or a value, and the page escapes nothing of it). */
const GENERATED = '\u0000generated\u0000';

/**
 * The posture page of a state (or of no state yet) as the core renders it for `relaylint/posture`,
 * kept without its time: the page's UTF-8 bytes split where the time goes (GENERATED), and its
 * deciding-line references in cell-id order (ids in the order the page meets them). Its scopes are
 * computed for it and dropped with it; the page itself is bounded by the renderer's caps (under
 * 2 MB for 1,100 scopes: COMPACT_AFTER).
 */
function postureTemplate(st: DomainState | undefined, version: string): PosturePage {
  const refs: PosturePage['refs'] = [];
  const ids = new Map<string, string>();
  const doc: Record<string, unknown> = {
    tool: { name: 'relaylint', version },
    options: { role: st?.inputs.lint.role ?? 'any', targetOs: st?.inputs.lint.targetOs ?? 'legacy' },
    coverage: st?.coverage ?? [],
    // The scopes computed for this page one at a time: each is normalised by postureInput as it is read, and none is kept.
    ...(st?.effective ? scopeSections({ gpos: st.effective.gpos, problems: st.effective.problems, lacks: st.effective.lacks, scopes: st.effective.scopes() }, st.parts) : {}),
    ...(st?.readiness.length ? { evidence: st.evidence, readiness: st.readiness } : {}),
    summary: { files: st?.gpoFiles ?? 0 },
  };
  const input = posture.postureInput(doc, { sharedObjects: true });
  // What the model left out (MAX_FILES, the budget) heads the page too.
  input.problems.push(...(st?.limits ?? []));
  const window = `${st?.inputs.windowDays ?? 30} days`;
  const p = posture.assess(input, window);
  let html = '';
  posture.renderPostureHtml(
    p,
    {
      generated: GENERATED,
      // The workspace folders by name: the page is shown inside the editor, where the full path says nothing new.
      paths: (st?.inputs.folders ?? []).map((f) => path.basename(f) || f),
      window,
      cellId: (loc) => {
        const k = `${loc.path}\u0000${keyOf(loc)}`;
        let id = ids.get(k);
        if (id === undefined) {
          id = String(refs.length);
          ids.set(k, id);
          refs.push({ path: loc.path, ...(loc.offset !== undefined ? { offset: loc.offset } : loc.line !== undefined ? { line: loc.line } : {}) });
        }
        return id;
      },
    },
    (chunk) => {
      html += chunk;
    },
  );
  return { tool: version, parts: html.split(GENERATED).map((s) => Buffer.from(s, 'utf8')), refs };
}

/** The one scope of the exposure without a topology: the scanned files judged as one set. */
const FILES_SCOPE = '(scanned files)';

/**
 * Whether the exposure is the scanned files as one set (FILES_SCOPE) though a topology was given:
 * true when it gave no scope (every topology file refused, or none names an OU or domain) and there
 * are GPO files to judge; false when the topology's scopes are the exposure.
 */
function filesScope(st: DomainState): boolean {
  return !!st.effective && (st.exposure?.scopes.length ?? 0) === 0 && st.gpoFiles > 0;
}

/** The topology's error-level problems in one sentence for the exposure view (the first few, the rest counted). */
function topologyErrors(problems: readonly TopologyProblem[]): string {
  const errors = problems.filter((p) => p.severity === 'error');
  if (!errors.length) return '';
  const shown = errors.slice(0, 3).map((p) => `${p.source}: ${p.message}`);
  const more = errors.length > shown.length ? ` (and ${errors.length - shown.length} more)` : '';
  return `The domain topology could not be read in full: ${shown.join(' ')}${more}`;
}

/** A scope's summary from its rules. */
function summaryOf(scope: Pick<ExposureScope, 'som' | 'kind' | 'role'>, rows: readonly ExposureRow[]): ExposureScope {
  const statuses: ExposureScope['statuses'] = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return { ...scope, rules: rows.length, exposed: rows.filter((r) => r.exposed).length, statuses };
}

const COVERAGE_STATUS: Record<CoverageEntry['status'], ExposureStatus> = { hardened: 'hardened', weak: 'weak', missing: 'missing', mixed: 'undetermined', configured: 'undetermined' };

/** The exposure of the scanned files as one set (no topology): the set-level coverage, the first weak file as the deciding line. */
function coverageRows(coverage: readonly CoverageEntry[]): ExposureRow[] {
  return coverage.map((c) => {
    const exposed = c.status === 'missing' ? c.exposedWhenMissing : c.status !== 'hardened';
    const row: ExposureRow = { ruleId: c.ruleId, status: COVERAGE_STATUS[c.status], exposed, why: coverageWhy(c) };
    const src = c.status === 'hardened' ? c.sources[0] : (c.sources.find((x) => x.status === 'weak') ?? c.sources[0]);
    if (src) row.winner = { path: src.path, ...(src.offset !== undefined ? { offset: src.offset } : { line: src.line }), ...(src.gpo ? { gpo: src.gpo } : {}) };
    return row;
  });
}

function coverageWhy(c: CoverageEntry): string {
  switch (c.status) {
    case 'hardened':
      return 'Every scanned file that sets it sets the hardened value.';
    case 'weak':
      return 'The scanned files set it to a weak value.';
    case 'missing':
      return c.exposedWhenMissing ? 'No scanned file sets it, and the Windows default leaves machines exposed.' : 'No scanned file sets it; the Windows default is acceptable for the role and target OS chosen.';
    case 'mixed':
      return 'The scanned files disagree; which one wins depends on where the GPOs are linked (give the topology).';
    default:
      return 'Set to values relaylint does not rate.';
  }
}

function clientName(c: Readiness['clients'][number]): string {
  return c.host ?? c.address ?? c.account ?? Object.values(c.fields ?? {})[0] ?? 'unnamed client';
}

function shortHost(s: string): string {
  return /^\d+\.\d+\.\d+\.\d+$/.test(s) || s.includes(':') ? s : s.split('.')[0];
}

/** The readiness of a rule in one line, from the readiness result (its `why` carries the hedges). */
export function readinessLine(r: Readiness): string {
  const n = r.clients.length + (r.moreClients ?? 0);
  if (r.status === 'blocked') {
    const names = r.clients.slice(0, 3).map((c) => mdLiteral(clientName(c)));
    // Clients past the listed ones may all be past the cap (none listed in this scope); past 50,000 more the count is a lower bound.
    const list = names.length ? ` (${names.join(', ')}${n > names.length ? ', …' : ''})` : '';
    return `**Readiness:** Enforcing this now would break ${r.moreClientsAtLeast ? 'at least ' : ''}${n} client${n === 1 ? '' : 's'} seen in the logs${list}.`;
  }
  if (r.status === 'ready') {
    const servers = r.servers.map((s) => mdLiteral(shortHost(s)));
    return `**Readiness:** Ready: no failing client in ${r.window.days} days of logs from ${servers.join(', ') || 'the logs given'}.`;
  }
  // Host, account and scope names in it come from the event logs and the topology: Markdown-escaped.
  return `**Readiness (${r.status}):** ${mdLiteral(r.why)}`;
}
