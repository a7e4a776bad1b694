/**
 * Shared pieces of the robustness suites (issue 6): the corpus, fast-check arbitraries for byte
 * mutations, and the invariant checker every parsed file, finding and fix goes through.
 * No tests here (node --test loads this file too; it only defines things).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { fixAllEdits, lint } from '../../../server/src/core/engine';
import { completionsAt } from '../../../server/src/core/completion';
import { hoverAt } from '../../../server/src/core/hover';
import { parseText } from '../../../server/src/core/parse';
import { applyEdits } from '../../../server/src/core/text';
import type { Encoding, FileFormat, Finding, LintOptions, ParsedFile, Span, TextEdit } from '../../../server/src/core/types';

/** Compiled to .test-out/test/unit/robustness/; the repository is four levels up. */
export const REPO = path.resolve(__dirname, '../../../..');
export const FIXTURES = path.join(REPO, 'test/fixtures');

/** Fixed seeds: CI runs the same inputs every time. A failure prints its seed and path to replay. */
export const SEED = Number(process.env.RELAYLINT_FUZZ_SEED ?? 0x6e1a7);

/**
 * numRuns multiplier: 1 in CI; `RELAYLINT_FUZZ_RUNS=50 RELAYLINT_FUZZ_SEED=$RANDOM npm test` for a
 * longer local fuzzing session.
 */
export const RUNS = Math.max(1, Number(process.env.RELAYLINT_FUZZ_RUNS ?? 1));
export const runs = (n: number): number => Math.round(n * RUNS);

export interface CorpusFile {
  /** Fixture file name. */
  file: string;
  /** The name handed to the parser (decides the format the way a real path would). */
  name: string;
  kind: 'inf' | 'reg' | 'xml' | 'pol';
  bytes: Buffer;
}

/** A canonical file name per fixture, so detection by name works like it does on a SYSVOL. */
function canonicalName(kind: CorpusFile['kind'], file: string): string {
  if (kind === 'inf') return 'GptTmpl.inf';
  if (kind === 'reg') return 'import.reg';
  if (kind === 'pol') return 'Machine/Registry.pol';
  return /registry\.xml$/i.test(file) ? 'Registry.xml' : 'gpreport.xml';
}

let corpusCache: CorpusFile[] | undefined;
export function corpus(): CorpusFile[] {
  if (corpusCache) return corpusCache;
  const out: CorpusFile[] = [];
  for (const kind of ['inf', 'reg', 'xml', 'pol'] as const) {
    const dir = path.join(FIXTURES, kind);
    for (const file of fs.readdirSync(dir).sort()) {
      if (file.endsWith('.md')) continue;
      out.push({ file, kind, name: canonicalName(kind, file), bytes: fs.readFileSync(path.join(dir, file)) });
    }
  }
  // The RSoP example: the corpus has no RSoP export, the examples folder has one.
  const rsop = path.join(REPO, 'examples/rsop/FS01-rsop.xml');
  if (fs.existsSync(rsop)) out.push({ file: 'FS01-rsop.xml', kind: 'xml', name: 'rsop.xml', bytes: fs.readFileSync(rsop) });
  corpusCache = out;
  return out;
}

export const TEXT_FORMATS: FileFormat[] = ['inf', 'reg', 'gpp-registry-xml', 'gpo-report-xml', 'rsop-xml'];

export const LINT_OPTIONS: LintOptions[] = [
  { role: 'any', targetOs: 'legacy' },
  { role: 'dc', targetOs: 'ws2025' },
  { role: 'member', targetOs: 'win11-24h2' },
];

// ---------------------------------------------------------------------------------------------
// Mutations.

/** Tokens that matter to one of the parsers; inserting them finds more than random bytes do. */
const TOKENS = [
  '[', ']', '=', ',', ';', '"', '\\', '\r\n', '\n', '\r', '\t', ' ', '<', '>', '/', '&', '&amp;', '&#x0;', '&#xD800;', '&lol;',
  '<!--', '-->', '<![CDATA[', ']]>', '<?xml version="1.0"?>', '<!DOCTYPE x [<!ENTITY a "b">]>', 'xmlns:q1="x"', 'xsi:type="q1:T"',
  '[Registry Values]', '[Unicode]', '[Version]', 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0',
  'Windows Registry Editor Version 5.00', 'REGEDIT4', '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]',
  '[-HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer]', '"RequireSecuritySignature"=dword:00000000', '=-', '@=',
  'hex:', 'hex(2):', 'hex(7):00,00,', 'hex(b):', 'dword:', ',\\\r\n  ', '; relaylint-disable-next-line smb.server.require -- because',
  '<!-- relaylint-disable-next-line smb.server.require: because -->', '<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="x">',
  '<Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="RequireSecuritySignature" type="REG_DWORD" value="00000000"/>',
  '</Registry>', '<q1:SecurityOptions><q1:KeyName>MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature</q1:KeyName><q1:SettingNumber>0</q1:SettingNumber></q1:SecurityOptions>',
  '</q1:SecurityOptions>', '<q1:SettingNumber>', '</q1:KeyName>', '\uFEFF', '\u0000', '\uD800', '\uDC00', '\u2028', 'é', '€',
];
const TOKEN_BYTES: Buffer[] = TOKENS.flatMap((t) => [Buffer.from(t, 'utf8'), Buffer.from(t, 'utf16le')]);
/** Bytes that matter to the binary Registry.pol reader. */
const POL_TOKENS: Buffer[] = [
  Buffer.from('[', 'utf16le'),
  Buffer.from(']', 'utf16le'),
  Buffer.from(';', 'utf16le'),
  Buffer.from([0, 0]),
  Buffer.from([0xff, 0xff, 0xff, 0xff]),
  Buffer.from([4, 0, 0, 0]),
  Buffer.from([0, 0, 0, 0x80]),
  Buffer.from('PReg\x01\x00\x00\x00', 'latin1'),
  Buffer.from('**del.', 'utf16le'),
  Buffer.from('**delvals.', 'utf16le'),
  Buffer.from('**DeleteKeys', 'utf16le'),
];

export type Mutation =
  | { op: 'flip'; at: number; bit: number }
  | { op: 'set'; at: number; byte: number }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'token'; at: number; token: number; pol: boolean }
  | { op: 'delete'; at: number; len: number }
  | { op: 'dup'; from: number; len: number; to: number };

/** Positions are fractions of the current length, so a mutation list fits any file. */
const frac = fc.integer({ min: 0, max: 1_000_000 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: frac, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: frac, byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('insert' as const), at: frac, bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('token' as const), at: frac, token: fc.nat(), pol: fc.boolean() }),
  fc.record({ op: fc.constant('delete' as const), at: frac, len: fc.integer({ min: 1, max: 256 }) }),
  fc.record({ op: fc.constant('dup' as const), from: frac, len: fc.integer({ min: 1, max: 512 }), to: frac }),
);
export const mutations = fc.array(mutation, { minLength: 1, maxLength: 8 });

const pos = (f: number, len: number) => Math.floor((f / 1_000_001) * (len + 1));

export function mutate(input: Uint8Array, ms: readonly Mutation[]): Buffer {
  let b = Buffer.from(input);
  for (const m of ms) {
    const n = b.length;
    switch (m.op) {
      case 'flip':
        if (n) b[Math.min(pos(m.at, n), n - 1)] ^= 1 << m.bit;
        break;
      case 'set':
        if (n) b[Math.min(pos(m.at, n), n - 1)] = m.byte;
        break;
      case 'insert': {
        const at = pos(m.at, n);
        b = Buffer.concat([b.subarray(0, at), m.bytes, b.subarray(at)]);
        break;
      }
      case 'token': {
        const list = m.pol ? POL_TOKENS : TOKEN_BYTES;
        const at = pos(m.at, n);
        b = Buffer.concat([b.subarray(0, at), list[m.token % list.length], b.subarray(at)]);
        break;
      }
      case 'delete': {
        const at = pos(m.at, n);
        b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(n, at + m.len))]);
        break;
      }
      case 'dup': {
        const from = pos(m.from, n);
        const slice = Buffer.from(b.subarray(from, Math.min(n, from + m.len)));
        const to = pos(m.to, n);
        b = Buffer.concat([b.subarray(0, to), slice, b.subarray(to)]);
        break;
      }
    }
  }
  return b;
}

/** Text made of parser-relevant tokens and random characters (for parseText with every format). */
export const tokenText = fc
  .array(fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.string({ maxLength: 8, unit: 'binary' }) }), {
    maxLength: 120,
    size: 'max',
  })
  .map((parts) => parts.join(''));

// ---------------------------------------------------------------------------------------------
// Encodings.

const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152, 0x8d, 0x17d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122, 0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
];

/** Windows-1252 bytes of a text, or undefined when a character has no byte there. */
export function encodeAnsi(text: string): Buffer | undefined {
  const out = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80 || (c >= 0xa0 && c <= 0xff)) out[i] = c;
    else {
      const k = CP1252_HIGH.indexOf(c);
      if (k < 0) return undefined;
      out[i] = 0x80 + k;
    }
  }
  return out;
}

export type TargetEncoding = 'utf-16le-bom' | 'utf-16le' | 'utf-8-bom' | 'utf-8' | 'ansi';
export const TARGET_ENCODINGS: TargetEncoding[] = ['utf-16le-bom', 'utf-16le', 'utf-8-bom', 'utf-8', 'ansi'];

export function encodeText(text: string, enc: TargetEncoding): Buffer | undefined {
  switch (enc) {
    case 'utf-16le-bom':
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'utf-8-bom':
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
    case 'utf-8':
      return Buffer.from(text, 'utf8');
    case 'ansi':
      return encodeAnsi(text);
  }
}

export function withEol(text: string, eol: 'crlf' | 'lf' | 'mixed'): string {
  const lf = text.replace(/\r\n?/g, '\n');
  if (eol === 'lf') return lf;
  if (eol === 'crlf') return lf.replace(/\n/g, '\r\n');
  let i = 0;
  return lf.replace(/\n/g, () => (i++ % 3 === 1 ? '\n' : '\r\n'));
}

// ---------------------------------------------------------------------------------------------
// Invariants.

function checkSpan(s: Span | undefined, len: number, what: string): void {
  if (s === undefined) return;
  assert.ok(
    Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.start <= s.end && s.end <= len,
    `${what} ${JSON.stringify(s)} is not inside the document (length ${len})`,
  );
}

function checkOffset(o: number | undefined, byteLength: number | undefined, what: string): void {
  if (o === undefined) return;
  assert.ok(Number.isInteger(o) && o >= 0 && (byteLength === undefined || o <= byteLength), `${what} offset ${o} is outside the file (${byteLength} bytes)`);
}

/** Every position a parsed file carries lies inside its text (and byte offsets inside its bytes). */
export function checkParsed(p: ParsedFile, byteLength?: number): void {
  const n = p.text.length;
  assert.equal(typeof p.text, 'string');
  assert.ok(p.eol === '\r\n' || p.eol === '\n' || p.eol === '\r');
  for (const s of p.settings) {
    checkSpan(s.span, n, 'setting span');
    checkSpan(s.valueSpan, n, 'setting valueSpan');
    checkSpan(s.nameSpan, n, 'setting nameSpan');
    checkOffset(s.offset, byteLength, 'setting');
    assert.equal(typeof s.key, 'string');
    assert.equal(typeof s.name, 'string');
  }
  for (const pr of p.problems) {
    checkSpan(pr.span, n, `problem span (${pr.message})`);
    checkOffset(pr.offset, byteLength, 'problem');
    for (const r of pr.related ?? []) checkSpan(r.span, n, 'problem related span');
    assert.ok(pr.message.length > 0);
  }
  for (const c of p.comments) checkSpan(c.span, n, 'comment span');
  for (const s of p.sections ?? []) {
    checkSpan(s.headerSpan, n, 'section header span');
    checkSpan(s.span, n, 'section span');
  }
  for (const e of p.entries ?? []) {
    checkSpan(e.span, n, 'entry span');
    checkSpan(e.keySpan, n, 'entry keySpan');
    checkSpan(e.valueSpan, n, 'entry valueSpan');
  }
  // Every file's problems are capped (one summary line on top of the cap; the .pol reader adds a
  // record-limit line). A flood of problems must not reach the editor.
  assert.ok(p.problems.length <= 203, `${p.problems.length} problems`);
}

function checkEdits(edits: readonly TextEdit[], len: number, what: string): void {
  for (const e of edits) {
    checkSpan(e, len, `${what} edit`);
    assert.equal(typeof e.newText, 'string');
  }
  const sorted = [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].start >= sorted[i - 1].end, `${what}: overlapping edits ${JSON.stringify(sorted)}`);
}

export function checkFindings(p: ParsedFile, findings: readonly Finding[], byteLength?: number): void {
  const n = p.text.length;
  for (const f of findings) {
    checkSpan(f.span, n, `finding ${f.ruleId} span`);
    checkOffset(f.offset, byteLength, `finding ${f.ruleId}`);
    for (const r of f.related ?? []) checkSpan(r.span, n, `finding ${f.ruleId} related span`);
    if (f.suppressed) checkSpan(f.suppressed.span, n, 'suppression span');
    assert.ok(f.fixes.filter((x) => x.isPreferred).length <= 1, `${f.ruleId}: more than one preferred fix`);
    for (const fix of f.fixes) checkEdits(fix.edits, n, `fix "${fix.title}"`);
  }
}

/** Parse the text a fix produced, with the same path, encoding and format. Must not throw. */
export function reparse(path: string, p: ParsedFile, text: string): ParsedFile {
  const q = parseText(path, text, p.encoding, p.format);
  checkParsed(q);
  return q;
}

export interface DeepCheck {
  /** Apply every fix of every finding and re-parse (slow on files with hundreds of findings). */
  everyFix?: boolean;
  /** Fix-all, re-lint: no preferred fix may remain. */
  idempotent?: boolean;
  /** Also ask hover and completion at a few offsets. */
  features?: number[];
}

/**
 * The invariants on one parsed file: positions inside, lint does not throw and its findings and
 * fixes are inside, fixes apply and re-parse, fix-all is idempotent, hover/completion do not throw.
 */
export function checkAll(path: string, p: ParsedFile, byteLength: number | undefined, options: LintOptions, deep: DeepCheck = {}): Finding[] {
  checkParsed(p, byteLength);
  const findings = lint(p, options);
  checkFindings(p, findings, byteLength);
  if (p.format === 'registry-pol' || p.format === 'unknown') {
    for (const f of findings) assert.equal(f.fixes.length, 0, `${p.format}: ${f.ruleId} offers a text fix`);
  }
  if (deep.everyFix) {
    for (const f of findings) for (const fix of f.fixes) reparse(path, p, applyEdits(p.text, fix.edits));
  }
  if (deep.idempotent && p.format !== 'registry-pol') {
    const edits = fixAllEdits(findings, { unsafe: true });
    checkEdits(edits, p.text.length, 'fix-all');
    if (edits.length) {
      const fixedText = applyEdits(p.text, edits);
      const q = reparse(path, p, fixedText);
      const again = lint(q, options);
      checkFindings(q, again);
      const left = fixAllEdits(again, { unsafe: true });
      assert.deepEqual(
        left.map((e) => ({ ...e, was: q.text.slice(e.start, e.end) })),
        [],
        `fix-all is not idempotent: after applying it, preferred fixes remain (${again.filter((f) => f.fixes.some((x) => x.isPreferred)).map((f) => f.ruleId)})`,
      );
    }
  }
  for (const off of deep.features ?? []) {
    const o = Math.min(off, p.text.length);
    const h = hoverAt(p, o, { findings, lint: options });
    if (h) checkSpan(h.span, p.text.length, 'hover span');
    completionsAt(p, o);
  }
  return findings;
}

/** Wall time of `fn` in milliseconds. */
export function timed<T>(fn: () => T): { value: T; ms: number } {
  const t0 = process.hrtime.bigint();
  const value = fn();
  return { value, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}

/** Median of `runs` timings of `fn` (ms). */
export function typicalMs(fn: () => unknown, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) times.push(timed(fn).ms);
  times.sort((a, b) => a - b);
  return times[Math.floor(runs / 2)];
}

export type { Encoding };

/** Hostile-XML building blocks shared by the robustness and the slow suites: a GPP item and a GPO report with one Security Option. */
export const GPP_HEAD = '<?xml version="1.0" encoding="utf-8"?>\n';
export const gppItem = (value: string) =>
  `<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">\n  <Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="RequireSecuritySignature">\n` +
  `    <Properties action="U" hive="HKEY_LOCAL_MACHINE" key="SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters" name="RequireSecuritySignature" type="REG_SZ" value="${value}"/>\n  </Registry>\n</RegistrySettings>\n`;

export const REPORT_NS = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns="http://www.microsoft.com/GroupPolicy/Settings"';
export const reportWith = (keyText: string, number: string) =>
  `<GPO ${REPORT_NS}>\n  <Name>hostile</Name>\n  <Computer>\n    <ExtensionData>\n      <Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings">\n` +
  `        <q1:SecurityOptions>\n          <q1:KeyName>${keyText}</q1:KeyName>\n          <q1:SettingNumber>${number}</q1:SettingNumber>\n        </q1:SecurityOptions>\n` +
  `      </Extension>\n    </ExtensionData>\n  </Computer>\n</GPO>\n`;
