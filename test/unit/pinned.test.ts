/**
 * Pinned behaviour over the real corpus (test/fixtures/{inf,reg,xml,pol}) and the examples: for
 * every file and three role/target-OS pairs, every finding (rule, severity, exact range, message,
 * suppression), every fix (title, kind, preferred, exact edits and the SHA-256 of the fixed bytes),
 * the bytes `--fix` writes (all preferred fixes, safe and unsafe) and the coverage records.
 *
 * The checked-in expectations in test/fixtures/expect/ are the contract: the XML and .pol files
 * cannot carry markers, and a marker line in an INF or .reg would itself move lines, so every format
 * keeps its expectations in a sibling `<file>.expect.json`. After a deliberate behaviour change,
 * regenerate them with `RELAYLINT_UPDATE_PINNED=1 node --test .test-out/test/unit/pinned.test.js`
 * and say in the commit which expectations changed and why.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { coverageSources } from '../../server/src/core/coverage';
import { fixAllEdits, lint } from '../../server/src/core/engine';
import { parseBytes } from '../../server/src/core/parse';
import { applyEditsToBytes, decode, lineIndexFor, type LineIndex } from '../../server/src/core/text';
import type { Finding, LintOptions, ParsedFile, Span, TextEdit } from '../../server/src/core/types';

const REPO = path.resolve(__dirname, '../../..');
const EXPECT = path.join(REPO, 'test/fixtures/expect');
const UPDATE = process.env.RELAYLINT_UPDATE_PINNED === '1';

const OPTIONS: [string, LintOptions][] = [
  ['any/legacy', { role: 'any', targetOs: 'legacy' }],
  ['dc/ws2025', { role: 'dc', targetOs: 'ws2025' }],
  ['member/win11-24h2', { role: 'member', targetOs: 'win11-24h2' }],
];

function inputs(): string[] {
  const out: string[] = [];
  for (const kind of ['inf', 'reg', 'xml', 'pol']) {
    for (const f of fs.readdirSync(path.join(REPO, 'test/fixtures', kind)).sort()) {
      if (!f.endsWith('.md')) out.push(`test/fixtures/${kind}/${f}`);
    }
  }
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(path.join(REPO, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else if (/\.(inf|reg|xml|pol)$/i.test(e.name)) out.push(rel);
    }
  };
  walk('examples');
  return out;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex').slice(0, 16);

function range(file: ParsedFile, index: LineIndex, span: Span, offset?: number): string {
  if (file.format === 'registry-pol' && offset !== undefined) return `@byte ${offset}`;
  const a = index.positionAt(span.start);
  const b = index.positionAt(span.end);
  return `@${a.line + 1}:${a.character + 1}-${b.line + 1}:${b.character + 1}`;
}

const edit = (file: ParsedFile, index: LineIndex, e: TextEdit) => [range(file, index, e), e.newText];

function pin(rel: string, bytes: Uint8Array, options: LintOptions) {
  const file = parseBytes(rel, bytes);
  const index = lineIndexFor(file.text);
  const decoded = decode(bytes);
  const findings = lint(file, options);
  const fixedBytes = (edits: readonly TextEdit[]) => (file.format === 'registry-pol' ? 'n/a' : sha(applyEditsToBytes(bytes, decoded, edits)));
  const one = (f: Finding) => ({
    finding: `${f.ruleId} ${f.severity} ${range(file, index, f.span, f.offset)}`,
    message: f.message,
    ...(f.suppressed ? { suppressed: f.suppressed.reason } : {}),
    ...(f.related?.length ? { related: f.related.map((r) => `${range(file, index, r.span)} ${r.message}`) } : {}),
    fixes: f.fixes.map((x) => ({
      fix: `${x.kind}${x.isPreferred ? ' preferred' : ''}: ${x.title}`,
      edits: x.edits.map((e) => edit(file, index, e)),
      bytes: fixedBytes(x.edits),
    })),
  });
  const all = fixAllEdits(findings, { unsafe: true });
  return {
    format: file.format,
    findings: findings.map(one),
    fixAll: all.length ? { edits: all.length, bytes: fixedBytes(all) } : null,
    coverage: coverageSources(rel, file, index, options).map(
      ([id, s]) => `${id} ${s.status} ${s.state} ${s.line !== undefined ? `@${s.line}` : `@byte ${s.offset}`} ${JSON.stringify(s.value)}`,
    ),
  };
}

for (const rel of inputs()) {
  test(`pinned: ${rel}`, () => {
    const bytes = fs.readFileSync(path.join(REPO, rel));
    const actual: Record<string, unknown> = {};
    for (const [name, options] of OPTIONS) actual[name] = pin(rel, bytes, options);
    const expectFile = path.join(EXPECT, `${rel.replace(/^test\/fixtures\//, '').replace(/\//g, '__')}.expect.json`);
    const json = `${JSON.stringify(actual, null, 1)}\n`;
    if (UPDATE) {
      fs.mkdirSync(EXPECT, { recursive: true });
      fs.writeFileSync(expectFile, json);
      return;
    }
    assert.ok(fs.existsSync(expectFile), `no expectations for ${rel}: run with RELAYLINT_UPDATE_PINNED=1 and review the diff`);
    assert.deepEqual(JSON.parse(json), JSON.parse(fs.readFileSync(expectFile, 'utf8')));
  });
}

test('pinned: every expectation file belongs to an input', () => {
  const wanted = new Set(inputs().map((rel) => `${rel.replace(/^test\/fixtures\//, '').replace(/\//g, '__')}.expect.json`));
  for (const f of fs.existsSync(EXPECT) ? fs.readdirSync(EXPECT) : []) assert.ok(wanted.has(f), `stale expectation ${f}`);
});
