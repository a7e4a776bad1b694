/**
 * `relaylint/posture` from the workspace model: the page is rendered once per state and kept with
 * it, so a second request reads no scope of the effective-policy stream again. The page is compared
 * byte for byte with the one the core gives for the state's scopes (the composition the server used
 * before it kept the page: every scope materialised, postureInput, assess, renderPostureHtml), at
 * each request's own time; the cells are located at each request (an edit that only moves ranges
 * keeps the state's page and moves its cells).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { parseBytes, posture, scopeSections } from '../../server/src/core';
import { computeDomain, DomainModel, updateDomain, type DomainState, type OpenDocument } from '../../server/src/lsp/domain';
import { keyOf } from '../../server/src/lsp/fates';
import { gptTmpl, INF_SMB_SERVER, lspInputs, utf16bom, writeLspSysvol, writeLspTopology } from '../helpers/domain';

const VERSION = '9.8.7';
const roots: string[] = [];
after(() => {
  for (const r of roots) fs.rmSync(r, { recursive: true, force: true });
});

/** LSP_DOMAIN's SYSVOL (with its topology unless `topology` is false) and the example event log. */
function workspace(topology = true): { root: string; inf: (letter: string) => string } {
  const root = fs.mkdtempSync(path.join(tmpdir(), 'relaylint-posture-'));
  roots.push(root);
  const inf = writeLspSysvol(root);
  if (topology) writeLspTopology(root);
  fs.mkdirSync(path.join(root, 'logs'));
  fs.copyFileSync(path.join(__dirname, '..', '..', '..', 'examples', 'logs', 'DC01-relay-events.xml'), path.join(root, 'logs', 'DC01-relay-events.xml'));
  return { root, inf };
}

const never = () => false;

/** Open documents as the server hands them to the model: the parse of their current text. */
function editor(): { docs: Map<string, string>; open: OpenDocument } {
  const docs = new Map<string, string>();
  return { docs, open: (p) => (docs.has(p) ? Promise.resolve(parseBytes(p, utf16bom(docs.get(p) as string))) : undefined) };
}

/**
 * The page the core gives for a state (the server's composition before the page was kept): every
 * scope of the stream materialised into the scan document, then postureInput, assess and
 * renderPostureHtml; the deciding-line references as cell ids in the order met, with their places.
 */
function referencePage(st: DomainState, now: Date): { html: string; refs: { path: string; line?: number; offset?: number }[] } {
  const doc: Record<string, unknown> = {
    tool: { name: 'relaylint', version: VERSION },
    options: { role: st.inputs.lint.role ?? 'any', targetOs: st.inputs.lint.targetOs ?? 'legacy' },
    coverage: st.coverage,
    ...(st.effective ? scopeSections({ gpos: st.effective.gpos, problems: st.effective.problems, lacks: st.effective.lacks, scopes: [...st.effective.scopes()] }, st.parts) : {}),
    ...(st.readiness.length ? { evidence: st.evidence, readiness: st.readiness } : {}),
    summary: { files: st.gpoFiles },
  };
  const input = posture.postureInput(doc);
  input.problems.push(...st.limits);
  const window = `${st.inputs.windowDays} days`;
  const ids = new Map<string, string>();
  const refs: { path: string; line?: number; offset?: number }[] = [];
  let html = '';
  posture.renderPostureHtml(
    posture.assess(input, window),
    {
      generated: now.toISOString(),
      paths: st.inputs.folders.map((f) => path.basename(f) || f),
      window,
      cellId: (loc) => {
        const k = `${loc.path}\u0000${keyOf(loc)}`;
        let id = ids.get(k);
        if (id === undefined) {
          id = String(refs.length);
          ids.set(k, id);
          refs.push({ path: loc.path, ...(loc.line !== undefined ? { line: loc.line } : {}), ...(loc.offset !== undefined ? { offset: loc.offset } : {}) });
        }
        return id;
      },
    },
    (chunk) => {
      html += chunk;
    },
  );
  return { html, refs };
}

/** A model holding `st`, with the calls of its stream's scopes() counted. */
function modelOf(st: DomainState): { model: DomainModel; reads: () => number } {
  const model = new DomainModel(() => Promise.resolve(st.inputs), () => undefined, () => undefined);
  model.state = st;
  let reads = 0;
  const eff = st.effective;
  if (eff) {
    const scopes = eff.scopes.bind(eff);
    eff.scopes = () => {
      reads++;
      return scopes();
    };
  }
  return { model, reads: () => reads };
}

const T1 = new Date(Date.UTC(2026, 11, 6, 9, 30, 0, 123));
const T2 = new Date(Date.UTC(2027, 0, 2, 23, 59, 59, 999));

describe('relaylint/posture: the page is kept per state', () => {
  test('with a topology: the page is the core\'s for the state, byte for byte, at each request\'s time; a second request reads no scope', async () => {
    const { root, inf } = workspace();
    const st = await computeDomain(lspInputs(root), never);
    assert.ok(st.effective && st.scopeCount === 4 && st.readiness.length, 'topology and event log read');
    const ref1 = referencePage(st, T1);
    const ref2 = referencePage(st, T2);
    // The reference is a real page of this workspace (so the comparisons below can fail).
    assert.match(ref1.html, /generated 2026-12-06T09:30:00\.123Z/);
    assert.match(ref1.html, /4 scope\(s\) from the effective policy/);
    assert.ok(ref1.refs.length >= 4, `refs: ${ref1.refs.length}`);
    assert.ok(ref1.refs.some((r) => r.path === inf('B')));
    const { model, reads } = modelOf(st);
    try {
      const first = await model.posture(VERSION, T1);
      assert.equal(reads(), 1, 'the first request reads the scopes once');
      assert.equal(first.html, ref1.html);
      assert.deepEqual(
        first.cells.map((c) => c.id),
        ref1.refs.map((_, i) => String(i)),
      );
      assert.deepEqual(
        first.cells.map((c) => c.uri),
        ref1.refs.map((r) => pathToFileURL(r.path).href),
      );
      const b = first.cells.find((c) => c.uri === pathToFileURL(inf('B')).href);
      assert.deepEqual(b?.range, { start: { line: 6, character: 0 }, end: { line: 6, character: `${INF_SMB_SERVER}=4,1`.length } });
      const second = await model.posture(VERSION, T2);
      assert.equal(reads(), 1, 'the second request read no scope');
      assert.equal(second.html, ref2.html);
      assert.deepEqual(second.cells, first.cells);
      // Another tool version is another page.
      const other = await model.posture('1.0.0', T1);
      assert.equal(reads(), 2);
      assert.ok(other.html.includes('relaylint 1.0.0 · '));
      assert.equal(other.html.replace('relaylint 1.0.0 · ', `relaylint ${VERSION} · `), ref1.html);
    } finally {
      model.dispose();
    }
  });

  test('without a topology: the files-only page, the same byte for byte at the first and second request', async () => {
    const { root } = workspace(false);
    const st = await computeDomain(lspInputs(root), never);
    assert.equal(st.effective, undefined);
    const { model } = modelOf(st);
    try {
      const first = await model.posture(VERSION, T1);
      assert.equal(first.html, referencePage(st, T1).html);
      assert.match(first.html, /no topology: the whole scanned set is one scope/);
      const second = await model.posture(VERSION, T2);
      assert.equal(second.html, referencePage(st, T2).html);
      assert.deepEqual(second.cells, first.cells);
    } finally {
      model.dispose();
    }
  });

  test('an edit that only moves ranges keeps the page (no scope read) and moves its cells; a changed value is a new state with a new page', async () => {
    const { root, inf } = workspace();
    const ed = editor();
    const b = inf('B');
    const st = await computeDomain(lspInputs(root), never, ed.open);
    const { model, reads } = modelOf(st);
    try {
      const before = await model.posture(VERSION, T1);
      assert.equal(reads(), 1);
      // Spaces around "=": the value's range moves on its line, its records stay (the same state's set).
      ed.docs.set(b, gptTmpl([`${INF_SMB_SERVER} = 4,1`]));
      const moved = await updateDomain(st, [b], never, ed.open);
      assert.equal(moved.effective, st.effective);
      assert.equal(moved.version, st.version);
      model.state = moved;
      const after1 = await model.posture(VERSION, T1);
      assert.equal(reads(), 1, 'the moved ranges read no scope');
      assert.equal(after1.html, before.html);
      const uri = pathToFileURL(b).href;
      assert.deepEqual(
        after1.cells.find((c) => c.uri === uri)?.range,
        { start: { line: 6, character: 0 }, end: { line: 6, character: `${INF_SMB_SERVER} = 4,1`.length } },
      );
      assert.deepEqual(
        after1.cells.filter((c) => c.uri !== uri),
        before.cells.filter((c) => c.uri !== uri),
      );
      // A weak value: a new state, its own page (its scopes read once for it).
      ed.docs.set(b, gptTmpl([`${INF_SMB_SERVER}=4,0`]));
      const changed = await updateDomain(moved, [b], never, ed.open);
      assert.notEqual(changed.version, st.version);
      const ref = referencePage(changed, T1);
      const counted = modelOf(changed);
      const page = await counted.model.posture(VERSION, T1);
      assert.equal(counted.reads(), 1);
      assert.equal(page.html, ref.html);
      assert.notEqual(page.html, before.html);
      await counted.model.posture(VERSION, T2);
      assert.equal(counted.reads(), 1);
      counted.model.dispose();
    } finally {
      model.dispose();
    }
  });
});
