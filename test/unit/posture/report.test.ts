/**
 * Drift, the CSP hashes, the streaming HTML generator and the CLI adapter of the posture report.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { posture } from '../../../server/src/core';
import { REPO, runCli, tempDir, utf16bom, writeFile } from '../../helpers/cli';

const G = '{AAAAAAAA-0000-0000-0000-000000000001}';

function scopeDoc(effective: posture.EffectiveJson[], som = 'corp.example/Servers'): posture.ScanResultJson {
  return {
    gpos: [{ guid: G, name: 'Server <Baseline>', computerEnabled: true }],
    scopes: [{ som, kind: 'ou', role: 'member', gpos: [{ guid: G }], effective }],
  };
}
const e = (ruleId: string, status: posture.EffectiveStatus, value?: number, line = 5): posture.EffectiveJson =>
  value === undefined ? { ruleId, status, exposedWhenMissing: true } : { ruleId, status, value, exposedWhenMissing: true, winner: { gpo: G, path: 'Policies/x/GptTmpl.inf', line } };

const run = (doc: posture.ScanResultJson) => posture.assess(posture.postureInput(doc));

test('drift: regressed, improved, new and removed, with the settings and lines behind each', () => {
  const before = run(scopeDoc([e('smb.server.require', 'hardened', 1), e('ntlm.lmcompat', 'weak', 3), e('smb1.server', 'hardened', 0), e('ntlm.out', 'missing')]));
  const after = run(scopeDoc([e('smb.server.require', 'weak', 0, 7), e('ntlm.lmcompat', 'hardened', 5), e('smb1.server', 'missing'), e('ntlm.out', 'hardened', 1, 9)]));
  const d = posture.drift(before, after);
  assert.deepEqual(
    d.items.map((i) => [i.kind, i.ruleId ?? i.family, i.before, i.after, i.at ? `${i.at.path}:${i.at.line}` : '']),
    [
      ['improved', 'ntlm.lmcompat', '3 (weak)', '5 (hardened)', 'Policies/x/GptTmpl.inf:5'],
      ['new', 'ntlm.out', 'not configured', '1 (hardened)', 'Policies/x/GptTmpl.inf:9'],
      ['regressed', 'smb.server.require', '1 (hardened)', '0 (weak)', 'Policies/x/GptTmpl.inf:7'],
      ['removed', 'smb1.server', '0 (hardened)', 'not configured', 'Policies/x/GptTmpl.inf:5'],
      ['regressed', 'SMB signing', 'L3', 'L0', ''],
      ['improved', 'NTLM (level, restrictions)', 'L0', 'L1', ''],
    ],
  );
  assert.deepEqual(d.counts, { regressed: 2, improved: 2, new: 1, removed: 1 });
});

test('drift: scopes that appear or disappear are new or removed; an identical result has no drift', () => {
  const a = run(scopeDoc([e('smb.server.require', 'hardened', 1)], 'corp.example/A'));
  const b = run(scopeDoc([e('smb.server.require', 'hardened', 1)], 'corp.example/B'));
  assert.deepEqual(
    posture.drift(a, b).items.map((i) => [i.kind, i.scope, i.before, i.after]),
    [
      ['new', 'corp.example/B', 'not in the baseline', '1 settings configured'],
      ['removed', 'corp.example/A', '1 settings configured', 'not in this result'],
    ],
  );
  assert.deepEqual(posture.drift(a, a).counts, { regressed: 0, improved: 0, new: 0, removed: 0 });
});

test('sha256 matches node:crypto (block boundaries, multi-byte text)', () => {
  for (const s of ['', 'abc', 'a'.repeat(55), 'a'.repeat(56), 'a'.repeat(63), 'a'.repeat(64), 'a'.repeat(1000), 'Zürich ✓ 🔒', posture.STYLE, posture.SCRIPT]) {
    assert.equal(posture.cspHash(s), `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`, JSON.stringify(s.slice(0, 20)));
  }
});

function render(doc: posture.ScanResultJson, opts: posture.HtmlOptions = {}): { html: string; chunks: number } {
  const parts: string[] = [];
  posture.renderPostureHtml(run(doc), opts, (c) => parts.push(c));
  return { html: parts.join(''), chunks: parts.length };
}

test('HTML: one self-contained page whose CSP forbids the network and allows exactly its own style and script', () => {
  const { html, chunks } = render(scopeDoc([e('smb.server.require', 'weak', 0)]), { generated: '2026-12-06T10:00:00Z' });
  assert.ok(chunks > 10, 'written in chunks');
  assert.equal(
    posture.csp(),
    `default-src 'none'; style-src 'sha256-${createHash('sha256').update(posture.STYLE).digest('base64')}'; script-src 'sha256-${createHash('sha256').update(posture.SCRIPT).digest('base64')}'; img-src 'none'; font-src 'none'; connect-src 'none'; form-action 'none'; base-uri 'none'`,
  );
  assert.ok(html.startsWith('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="' + posture.csp() + '">'));
  // The hashed blocks are written byte for byte; nothing else is inline code or style.
  assert.deepEqual(html.match(/<style>([\s\S]*?)<\/style>/g), [`<style>${posture.STYLE}</style>`]);
  assert.deepEqual(html.match(/<script>([\s\S]*?)<\/script>/g), [`<script>${posture.SCRIPT}</script>`]);
  assert.doesNotMatch(html, / style="| on[a-z]+="|<link |<img |<iframe |@import|url\((?!#)/);
  const refs = [...html.matchAll(/\s(?:src|href)="([^"]*)"/g)].map((m) => m[1]);
  assert.deepEqual(refs.filter((r) => !r.startsWith('#')), []);
  assert.doesNotMatch(html, /https?:\/\//);
});

test('HTML: names from the input are escaped; cells carry level, evidence and the file table resolves the refs', () => {
  const { html } = render(scopeDoc([e('smb.server.require', 'weak', 0, 42)], 'corp.example/<b>Servers</b>'));
  assert.doesNotMatch(html, /<b>Servers|Server <Baseline>/);
  assert.match(html, /corp\.example\/&lt;b&gt;Servers&lt;\/b&gt;/);
  const cell = /<td class="l0" data-sort="0" data-family="smb-signing" data-level="0">([\s\S]*?)<\/td>/.exec(html);
  assert.ok(cell);
  assert.match(cell[1], /<span class="lv">L0<\/span>Not configured or weak/);
  assert.match(cell[1], /smb\.server\.require = 0 \(weak\) — decided by <a href="#f1" title="Policies\/x\/GptTmpl.inf">F1<\/a>:42 \(Server &lt;Baseline&gt;\) = 0/);
  assert.match(html, /<tr id="f1"><td>F1<\/td><td><code>Policies\/x\/GptTmpl.inf<\/code><\/td><td>Server &lt;Baseline&gt;<\/td><\/tr>/);
});

test('HTML: not-available inputs, baseline problems and drift tiles are shown', () => {
  const doc = scopeDoc([e('smb.server.require', 'weak', 0)]);
  const { html } = render(doc, { notAvailable: ['--topology t.ldf: not available'], driftProblem: 'Baseline b.sarif is a SARIF log' });
  assert.match(html, /<strong>Not available:<\/strong> --topology t\.ldf: not available/);
  assert.match(html, /<p>Baseline b\.sarif is a SARIF log<\/p>/);
  const d = posture.drift(run(scopeDoc([e('smb.server.require', 'hardened', 1)])), run(doc));
  const withDrift = render(doc, { drift: d }).html;
  assert.match(withDrift, /<div class="tile" id="tile-regressed"><strong>2<\/strong>Regressed<\/div>/);
});

test('HTML: clients that would fail are listed on the cell, capped with a count', () => {
  const doc: posture.ScanResultJson = {
    ...scopeDoc([e('smb.server.require', 'hardened', 1), e('smb.client.require', 'hardened', 1)]),
    readiness: [
      {
        ruleId: 'smb.server.require',
        scope: 'corp.example/Servers',
        status: 'blocked',
        clients: Array.from({ length: 55 }, (_, i) => ({ host: `PC${i}`, events: 1, eventIds: [3021] })),
        ignored: [],
        why: '55 clients',
      },
    ],
  };
  const { html } = render(doc);
  assert.match(html, /<strong>55 client\(s\) would fail<\/strong>/);
  assert.match(html, /<li class="no">PC0: 1 event\(s\) \(3021\)<\/li>/);
  assert.match(html, /and 5 more \(see the JSON result\)/);
  assert.doesNotMatch(html, />PC50:/);
});

// ---- CLI ------------------------------------------------------------------------------------------

const WEAK_INF = utf16bom(
  ['[Unicode]', 'Unicode=yes', '[Registry Values]', 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0', '[Version]', 'signature="$CHICAGO$"', 'Revision=1', ''].join('\r\n'),
);
const GOOD_INF = utf16bom(
  ['[Unicode]', 'Unicode=yes', '[Registry Values]', 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,1', '[Version]', 'signature="$CHICAGO$"', 'Revision=1', ''].join('\r\n'),
);

test('relaylint report writes the page, says which inputs are not available, and shows drift against an earlier JSON result', () => {
  const dir = tempDir();
  writeFile(dir, 'gpo/GptTmpl.inf', GOOD_INF);
  const base = runCli(['scan', 'gpo', '--format', 'json', '--fail-on', 'never', '-o', 'base.json'], { cwd: dir });
  assert.equal(base.code, 0, base.stderr);
  writeFile(dir, 'gpo/GptTmpl.inf', WEAK_INF);
  // Event-log readiness is read now (issue 12): a real log with no relay events.
  fs.copyFileSync(path.join(REPO, 'test/fixtures/evtx/system.evtx'), path.join(dir, 'dc01.evtx'));
  // --topology is read now too (effective policy per scope): not passed here, see test/unit/scope/cli-scope.test.ts.
  const r = runCli(['report', 'gpo', '--evidence', 'dc01.evtx', '--baseline', 'base.json', '-o', 'posture.html'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  const html = fs.readFileSync(path.join(dir, 'posture.html'), 'utf8');
  assert.doesNotMatch(html, /--topology/);
  assert.doesNotMatch(html, /--evidence dc01\.evtx: event-log readiness is not available/);
  assert.match(html, /<td class="l0" data-sort="0" data-family="smb-signing" data-level="0">/);
  assert.match(html, /<tr><td>Regressed<\/td><td>All scanned files \(role any, no topology\)<\/td><td>smb\.server\.require<\/td><td>1 \(hardened\)<\/td><td>0 \(weak\)<\/td><td><a href="#f\d+" title="gpo\/GptTmpl\.inf">F\d+<\/a>:4<\/td><\/tr>/);
  assert.match(html, /<div class="tile" id="tile-regressed"><strong>2<\/strong>Regressed<\/div>/);
});

test('relaylint report: a SARIF or broken baseline is a problem on the page, not a crash; scan --format html writes the same page', () => {
  const dir = tempDir();
  writeFile(dir, 'gpo/GptTmpl.inf', WEAK_INF);
  writeFile(dir, 'b.sarif', JSON.stringify({ $schema: 'x', version: '2.1.0', runs: [] }));
  writeFile(dir, 'broken.json', '{"coverage": [');
  const r1 = runCli(['report', 'gpo', '--baseline', 'b.sarif', '-o', 'a.html'], { cwd: dir });
  assert.equal(r1.code, 0, r1.stderr);
  assert.match(fs.readFileSync(path.join(dir, 'a.html'), 'utf8'), /Baseline b\.sarif is a SARIF log; drift needs the JSON result of an earlier scan/);
  const r2 = runCli(['report', 'gpo', '--baseline', 'broken.json', '-o', 'b.html'], { cwd: dir });
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(fs.readFileSync(path.join(dir, 'b.html'), 'utf8'), /Baseline broken\.json is not JSON: /);
  const r3 = runCli(['scan', 'gpo', '--format', 'html', '--fail-on', 'never'], { cwd: dir });
  assert.equal(r3.code, 0, r3.stderr);
  assert.match(r3.stdout, /^<!DOCTYPE html>/);
  assert.match(r3.stdout, /data-family="smb-signing" data-level="0"/);
  const r4 = runCli(['report', 'gpo', '--no-such-flag'], { cwd: dir });
  assert.equal(r4.code, 2);
  assert.match(r4.stderr, /Unknown option '--no-such-flag'/);
});

test('relaylint report: a topology that was refused heads the page as an input problem, as scan prints it (audit, wave 18)', () => {
  const dir = tempDir();
  writeFile(dir, 'gpo/GptTmpl.inf', WEAK_INF);
  writeFile(dir, 'x.json', '{"name":"not topology"}');
  const r = runCli(['report', 'gpo', '--topology', 'x.json', '-o', 'p.html'], { cwd: dir });
  assert.equal(r.code, 0, r.stderr);
  const html = fs.readFileSync(path.join(dir, 'p.html'), 'utf8');
  assert.match(html, /<p class="head"><strong>Input problem:<\/strong> the topology x\.json: This JSON is neither SharpHound output \(\{&quot;data&quot;:\[…\],&quot;meta&quot;:\{…\}\}\) nor Get-GPInheritance output \(objects with Path and GpoLinks\); no topology was read from it\.<\/p>/);
  assert.equal((html.match(/Input problem:/g) ?? []).length, 1);
});

test('HTML: past COMPACT_AFTER scopes the cells are compact and the heat map groups scopes by parent OU', () => {
  const n = posture.COMPACT_AFTER + 1;
  const doc: posture.ScanResultJson = {
    gpos: [{ guid: G, name: 'Server Baseline', computerEnabled: true }],
    scopes: Array.from({ length: n }, (_, i) => ({
      som: `corp.example/Site${i % 3}/OU${i}`,
      kind: 'ou' as const,
      role: 'member' as const,
      gpos: [{ guid: G }],
      effective: [e('smb.server.require', i % 2 ? 'hardened' : 'weak', i % 2, 10 + i)],
    })),
  };
  const { html } = render(doc);
  const cells = [...html.matchAll(/<td class="l(\d)" data-level="\d"><span class="lv">L\d<\/span>(?:<br><small>✗ ([^<]*)(?:<a href="#f\d+">F\d+<\/a>:(\d+))?)?/g)];
  assert.equal(cells.length, n * 6);
  const smb = cells.filter((_, i) => i % 6 === 0);
  assert.deepEqual(
    smb.slice(0, 2).map((m) => [m[1], m[2], m[3]]),
    [
      ['0', 'smb.server.audit.signing: not judged for this scope&#39;s role', undefined],
      ['3', 'smb.client.require: not judged for this scope&#39;s role', undefined],
    ],
  );
  assert.doesNotMatch(html, /<details>/);
  assert.match(html, /<text x="0" y="49" font-size="11" fill="#111">corp\.example\/Site0 \(51 scopes\)<\/text>/);
  assert.match(html, /151 scopes grouped by parent OU/);
});

test('postureInput: scopes given as an iterable (an effective-policy stream\'s pass) are read once each, as the same array would be; an empty one is files mode', () => {
  const list = [...scopeDoc([e('smb.server.require', 'weak', 0)]).scopes!, ...scopeDoc([e('smb.server.require', 'hardened', 1)], 'corp.example/Workstations').scopes!, 'not a scope'];
  let read = 0;
  function* pass() {
    for (const s of list) {
      read++;
      yield s;
    }
  }
  const doc = scopeDoc([]);
  const fromArray = posture.postureInput({ ...doc, scopes: list });
  const fromPass = posture.postureInput({ ...doc, scopes: pass() });
  assert.equal(read, 3);
  assert.deepEqual(fromPass, fromArray);
  assert.deepEqual(
    fromPass.scopes.map((sc) => [sc.id, sc.rules.get('smb.server.require')?.status]),
    [
      ['corp.example/Servers', 'weak'],
      ['corp.example/Workstations', 'hardened'],
    ],
  );
  assert.deepEqual(fromPass.problems, ['a scope without a "som" path was ignored']);
  assert.equal(fromPass.mode, 'scopes');
  const none = posture.postureInput({ coverage: [], scopes: (function* () {})() });
  assert.equal(none.mode, 'files');
  // A plain object is no list of scopes (parsed JSON has no other iterable than an array).
  assert.equal(posture.postureInput({ coverage: [], scopes: { 0: list[0], length: 1 } }).mode, 'files');
});

test('property: any JSON document gives a page without a throw, and nothing from the input becomes markup', async () => {
  const fc = await import('fast-check');
  const hostile = fc.constantFrom('<script>alert(1)</script>', '"><img src=x>', "' onload='x", 'smb.server.require', 'hardened', 'blocked', 'dc', 'corp.example/Domain Controllers', '');
  const leaf = fc.oneof(hostile, fc.integer({ min: -2, max: 8 }), fc.constant(null), fc.boolean());
  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(fc.constantFrom('ruleId', 'status', 'value', 'som', 'role', 'kind', 'effective', 'winner', 'shadowed', 'path', 'line', 'gpo', 'clients', 'host', 'events', 'scope', 'records', 'computers', 'coverage', 'scopes', 'readiness', 'evidence', 'sources', 'gpos', 'guid', 'name'), tie('value'), { maxKeys: 6 })),
  })).value;
  const doc = fc.record({
    coverage: fc.array(fc.record({ ruleId: fc.constantFrom('smb.server.require', 'ntlm.lmcompat', '<b>x</b>'), status: fc.constantFrom('hardened', 'weak', 'missing', 'mixed'), sources: fc.array(json, { maxLength: 3 }), exposedWhenMissing: fc.boolean() }), { maxLength: 4 }),
    scopes: fc.oneof(fc.constant(undefined), fc.array(json, { maxLength: 3 })),
    readiness: fc.array(json, { maxLength: 3 }),
    evidence: fc.array(json, { maxLength: 2 }),
    gpos: fc.array(json, { maxLength: 2 }),
  });
  fc.assert(
    fc.property(fc.oneof(doc, json), (d) => {
      const parts: string[] = [];
      posture.renderPostureHtml(posture.assess(posture.postureInput(d)), {}, (c) => parts.push(c));
      const html = parts.join('');
      assert.equal((html.match(/<script>/g) ?? []).length, 1);
      assert.doesNotMatch(html, /<img|<b>x|onload='/);
    }),
    { numRuns: 300 },
  );
});

test('a status that is no string (an array, one holding a prototype-less object) is a problem on the page, not a throw nor a status', () => {
  const files = posture.postureInput({
    coverage: [{ ruleId: 'smb.server.require', status: ['hardened'], sources: [] }],
    readiness: [{ ruleId: 'smb.server.require', status: [Object.create(null)] }],
  });
  assert.deepEqual(files.problems, ['a coverage entry without a rule id or a known status was ignored', 'a readiness entry without a rule id or a known status was ignored']);
  const scopes = posture.postureInput({
    scopes: [{ som: 'corp.example', kind: 'domain', role: 'member', effective: [{ ruleId: 'smb.server.require', status: [Object.create(null)] }] }],
  });
  assert.deepEqual(scopes.problems, ['scope corp.example: an effective entry without a rule id or a known status was ignored']);
});

test('event-log entries whose fields are not text (a prototype-less computer, a number path) are shown as text, escaped, not a throw', () => {
  const parts: string[] = [];
  const input = posture.postureInput({
    coverage: [],
    readiness: [],
    gpos: [],
    evidence: [{ computers: [Object.create(null), 'DC01', 7], path: '<script>alert(1)</script>', format: 42, records: 3 }],
  });
  posture.renderPostureHtml(posture.assess(input), {}, (c) => parts.push(c));
  const row = /<tbody><tr><td><code>&lt;script[^\n]*/.exec(parts.join(''))?.[0];
  assert.equal(
    row,
    '<tbody><tr><td><code>&lt;script&gt;alert(1)&lt;/script&gt;</code></td><td>42</td><td>3</td><td></td><td> – </td><td>{}, DC01, 7</td></tr>',
  );
});

test('HTML: control and format characters from the inputs show as escapes: a bidi override cannot reorder the verdict after it', () => {
  const som = 'corp.example/Workstations \u202e';
  const doc: posture.ScanResultJson = {
    gpos: [{ guid: G, name: 'Base\u200bline\u001b[31m\u0085', computerEnabled: true }],
    scopes: [{ som, kind: 'ou', role: 'member', gpos: [{ guid: G }], effective: [e('smb.server.require', 'weak', 0)] }],
  };
  const { html } = render(doc);
  assert.doesNotMatch(html, /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b\u202e]/u);
  assert.equal(
    /<p class="head"><span class="lv l0">L0<\/span> [^<]*/.exec(html)?.[0],
    '<p class="head"><span class="lv l0">L0</span> In corp.example/Workstations \\u202e, SMB signing is neither required nor audited: LDAP signing, LDAP channel binding, NTLM restriction should wait; turn on the SMB signing audit first.',
  );
  assert.ok(html.includes('<td>Base\\u200bline\\x1b[31m\\x85</td>'), html.slice(html.indexOf('id="f1"'), html.indexOf('id="f1"') + 200));
});
