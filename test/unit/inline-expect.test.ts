/**
 * Inline-expectation fixtures (markdownlint style) over real corpus files: each security template
 * and .reg file in test/fixtures/inline/ carries, on the comment line(s) right above a flagged
 * line, the findings relaylint must report there and the exact text of that line after the
 * preferred fix:
 *
 *   ; relaylint-expect: smb.server.require error 1-96 fix="MACHINE\...\RequireSecuritySignature=4,1"
 *   MACHINE\System\CurrentControlSet\Services\LanManServer\Parameters\RequireSecuritySignature=4,0
 *
 * `1-96` are the 1-based start and end columns of the finding on the next line that is not a
 * marker (`1-+2:10` when it ends two lines further down); `fix=none` says the finding has no
 * preferred fix. Findings that are not tied to a line are written `; relaylint-expect-file: rule
 * severity` at the top. The markers are plain comments, so they change no finding: the test lints
 * the marked file itself and requires the set of findings to equal the set of markers, exactly
 * (findings on a marker line itself are about the scaffolding and are left out).
 *
 * The files keep their original encoding (UTF-16LE with BOM, CRLF…). To re-generate the markers
 * after a deliberate behaviour change: RELAYLINT_UPDATE_INLINE=1 node --test
 * .test-out/test/unit/inline-expect.test.js (then review the diff).
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, decode, LineIndex, lint, parseBytes } from '../../server/src/core/index';
import type { Encoding, Finding, LintOptions } from '../../server/src/core/index';

const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'inline');
const OPTIONS: LintOptions = { role: 'any', targetOs: 'legacy' };
const MARK = /^[ \t]*;[ \t]*relaylint-expect:[ \t]*(.*)$/;
const FILE_MARK = /^[ \t]*;[ \t]*relaylint-expect-file:[ \t]*(.*)$/;

interface Expectation {
  /** 0-based line of the flagged (non-marker) line; -1 for file-level. */
  line: number;
  text: string;
}

function lines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

function isMarker(line: string): boolean {
  return MARK.test(line) || FILE_MARK.test(line);
}

/** The expectations written in a marked file. */
function readMarkers(text: string): Expectation[] {
  const ls = lines(text);
  const out: Expectation[] = [];
  for (let i = 0; i < ls.length; i++) {
    const fileMark = FILE_MARK.exec(ls[i]);
    if (fileMark) {
      out.push({ line: -1, text: fileMark[1].trim() });
      continue;
    }
    const m = MARK.exec(ls[i]);
    if (!m) continue;
    let j = i + 1;
    while (j < ls.length && isMarker(ls[j])) j++;
    out.push({ line: j, text: m[1].trim() });
  }
  return out;
}

/** What a finding looks like as a marker, on the marked text. */
function describe(f: Finding, text: string, index: LineIndex): Expectation {
  // Problems about the whole file (no position, or the encoding of the file) are file-level.
  if ((f.span.start === 0 && f.span.end === 0 && !f.setting) || f.ruleId === 'file.encoding') return { line: -1, text: `${f.ruleId} ${f.severity}` };
  const a = index.positionAt(f.span.start);
  const b = index.positionAt(f.span.end);
  const cols = b.line === a.line ? `${a.character + 1}-${b.character + 1}` : `${a.character + 1}-+${b.line - a.line}:${b.character + 1}`;
  const preferred = f.fixes.find((x) => x.isPreferred);
  let fix = 'none';
  if (preferred) {
    const fixed = applyEdits(text, preferred.edits);
    // The fixed text of the flagged line(s): from the start of the line to the end of the span's last line, after the edit.
    const lineStart = index.lineStarts[a.line];
    const oldEndLine = index.lineStarts[b.line + 1] ?? text.length;
    const delta = fixed.length - text.length;
    const region = fixed.slice(lineStart, oldEndLine + delta).replace(/(\r\n|\n|\r)$/, '');
    fix = JSON.stringify(region);
  }
  return { line: a.line, text: `${f.ruleId} ${f.severity} ${cols} fix=${fix}` };
}

function key(e: Expectation): string {
  return `${e.line + 1}: ${e.text}`;
}

function encodeAs(text: string, encoding: Encoding): Buffer {
  switch (encoding) {
    case 'utf-16le-bom':
      return Buffer.from('\ufeff' + text, 'utf16le');
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'utf-8-bom':
      return Buffer.from('\ufeff' + text, 'utf8');
    case 'ansi':
      return Buffer.from(text, 'latin1');
    default:
      return Buffer.from(text, 'utf8');
  }
}

/** Re-write a file's markers from today's findings (update mode only). */
function regenerate(path: string): void {
  const decoded = decode(readFileSync(path));
  const eol = /\r\n/.test(decoded.text) ? '\r\n' : '\n';
  const clean = lines(decoded.text).filter((l) => !isMarker(l));
  // Markers can move a finding that 0.1 gives the first comment of a file onto themselves, so the
  // markers are computed on the marked file until they no longer change.
  let marked = clean.join(eol);
  for (let round = 0; round < 4; round++) {
    const ls = lines(marked);
    const index = new LineIndex(marked);
    const cleanLineOf: number[] = [];
    let n = 0;
    ls.forEach((l, i) => (cleanLineOf[i] = isMarker(l) ? -1 : n++));
    const byLine = new Map<number, string[]>();
    const fileLevel: string[] = [];
    for (const f of active(path, encodeAs(marked, decoded.encoding))) {
      if (f.ruleId === 'file.parse' && f.severity === 'hint' && isMarker(ls[index.positionAt(f.span.start).line] ?? '')) continue;
      const e = describe(f, marked, index);
      if (e.line < 0) fileLevel.push(`; relaylint-expect-file: ${e.text}`);
      else if (cleanLineOf[e.line] >= 0) byLine.set(cleanLineOf[e.line], [...(byLine.get(cleanLineOf[e.line]) ?? []), `; relaylint-expect: ${e.text}`]);
    }
    const out: string[] = [...fileLevel];
    clean.forEach((l, i) => out.push(...(byLine.get(i) ?? []), l));
    const next = out.join(eol);
    if (next === marked) break;
    marked = next;
  }
  writeFileSync(path, encodeAs(marked, decoded.encoding));
}

function active(path: string, bytes: Uint8Array): Finding[] {
  const file = parseBytes(path, bytes);
  return lint(file, OPTIONS).filter((f) => !f.suppressed);
}

const files = readdirSync(DIR).filter((f) => /\.(inf|reg)$/i.test(f)).sort();

test('the inline fixtures exist and pin findings (files without markers pin "no finding")', () => {
  assert.ok(files.length >= 8, `expected at least 8 marked corpus files in ${DIR}, found ${files.length}`);
  const markers = files.reduce((n, f) => n + readMarkers(decode(readFileSync(join(DIR, f))).text).length, 0);
  assert.ok(markers >= 30, `expected at least 30 markers, found ${markers}`);
});

for (const name of files) {
  test(`inline expectations: ${name}`, () => {
    const path = join(DIR, name);
    if (process.env.RELAYLINT_UPDATE_INLINE === '1') regenerate(path);
    const bytes = readFileSync(path);
    const decoded = decode(bytes);
    const expected = readMarkers(decoded.text).map(key).sort();
    const index = new LineIndex(decoded.text);
    const markerLines = new Set(lines(decoded.text).flatMap((l, i) => (isMarker(l) ? [i] : [])));
    const actual = active(path, bytes)
      // A finding on a marker line is about the scaffolding, not the real file (0.1 gives the first
      // comment of a template a format hint); it is left out.
      .filter((f) => !(f.ruleId === 'file.parse' && f.severity === 'hint' && markerLines.has(index.positionAt(f.span.start).line)))
      .map((f) => describe(f, decoded.text, index))
      .map(key)
      .sort();
    assert.deepEqual(actual, expected);
  });
}
