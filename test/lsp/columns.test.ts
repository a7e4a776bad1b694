/**
 * The language server's packed indexes (exposure.ts, fates.ts) fill their columns through the
 * core's Column. Given a hint far below what comes, they must grow and keep every row: the model
 * sizes them exactly (scopes × rules), so only this test makes them grow.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type { EffectiveEntry, ScopeResult } from '../../server/src/core';
import { ExposureCollector } from '../../server/src/lsp/exposure';
import { FateIndexBuilder } from '../../server/src/lsp/fates';

const SCOPES = 300;
const RULES = ['smb-server-signing', 'ldap-server-signing', 'ntlm-lmcompat'];

function scopes(): ScopeResult[] {
  const out: ScopeResult[] = [];
  for (let s = 0; s < SCOPES; s++) {
    const path = `Policies/{G${s}}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf`;
    const effective: EffectiveEntry[] = RULES.map((ruleId, r) => ({
      ruleId,
      key: `k${r}`,
      name: ruleId,
      status: r === 0 ? 'hardened' : r === 1 ? 'weak' : 'conflict',
      winner: { path, line: s + r + 1, gpo: `G${s}`, value: r },
      shadowed: [{ path: `Policies/{H${s}}/x.inf`, line: r + 1 }],
      ...(r === 2 ? { writers: [{ path, line: 1 }, { path: `Policies/{H${s}}/Registry.pol`, offset: 40 + s }] } : {}),
      exposedWhenMissing: true,
      exposed: r !== 0,
      why: `decided by ${path} line ${s + r + 1}`,
    }));
    out.push({
      som: `corp.example/OU${s}`, dn: `OU=OU${s},DC=corp,DC=example`, kind: 'ou', role: 'member',
      blocksInheritance: null, gpos: [{ guid: `G${s}`, enforced: s % 2 === 0, from: 'test' }], effective, exposedRules: 2,
    });
  }
  return out;
}

test('ExposureCollector grows past a one-row hint and keeps every row', () => {
  const c = new ExposureCollector((g) => `name of ${g}`, 1);
  for (const s of scopes()) c.scope(s);
  const x = c.build();
  assert.equal(x.scopeCount, SCOPES);
  assert.equal(x.packedBytes, SCOPES * RULES.length * 9 * 4 + (SCOPES + 1) * 4, 'rows of exactly their size');
  for (const i of [0, 1, 150, SCOPES - 1]) {
    const path = `Policies/{G${i}}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf`;
    assert.deepEqual(x.rulesOf(i), RULES.map((ruleId, r) => ({
      ruleId,
      status: r === 0 ? 'hardened' : r === 1 ? 'weak' : 'conflict',
      exposed: r !== 0,
      why: `decided by ${path} line ${i + r + 1}`,
      winner: { path, line: i + r + 1, gpo: `name of G${i}` },
    })), `scope ${i}`);
  }
  assert.equal(x.rulesOf(SCOPES), undefined);
});

test('FateIndexBuilder grows past a zero hint and keeps every fate', () => {
  const b = new FateIndexBuilder(0);
  for (const s of scopes()) b.scope(s);
  const f = b.build();
  const i = 257;
  const path = `Policies/{G${i}}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf`;
  const shadowPath = `Policies/{H${i}}/x.inf`;
  const fates = f.fatesOf(new Set([path, shadowPath]));
  const som = `corp.example/OU${i}`;
  const mine = fates.get(path)!;
  assert.deepEqual(mine.get(`L${i + 1}\u0000smb-server-signing`), {
    wins: [{ som }],
    over: [{ som, loc: { path: shadowPath, line: 1 } }],
    shadowedBy: [],
    conflict: [],
  });
  assert.deepEqual(mine.get(`L1\u0000ntlm-lmcompat`)?.conflict, [som]);
  assert.deepEqual(fates.get(shadowPath)!.get(`L2\u0000ldap-server-signing`), {
    wins: [],
    over: [],
    shadowedBy: [{ som, winner: { path, gpo: `G${i}`, line: i + 2, value: 1 }, enforced: false }],
    conflict: [],
  });
  // Per scope: 3 results × 8 columns; 3 shadowed + 2 writer references; 8 distinct locations
  // (3 winners, 3 shadowed, 2 writers) × 6 columns. Exact sizes: nothing of the spare room is kept.
  assert.equal(f.packedBytes, SCOPES * (3 * 8 + 5 + 8 * 6) * 4);
});
