/**
 * Defects an independent precedence audit found (its cases c23, c22, c17, c07, c11, copied here
 * into small hand-built domains): a writer under a condition that hides behind an agreeing writer,
 * a conflict one of whose writers is under a condition, a link to a GPO whose group policy container
 * is not in an LDIF that exports the others, the wording of the enforced site-vs-domain tie, and the
 * SARIF label of conflict writers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { effectivePolicy, type EffectiveEntry, type EffectivePolicy } from '../../../server/src/core/scope';
import { readGpInheritance, readLdif } from '../../../server/src/core/topology';
import { scopeSarifResults } from '../../../server/src/cli/scope';
import { DOMAIN_DN, effectiveOfLdif, guid, policySet, ruleIn, scopeNamed, toGpInheritance, toLdif, type DomainSpec, type ObsSpec } from '../../helpers/domain';

const REQ = 'smb.server.require';
const CLIENT = 'smb.client.require';
const KEY = 'HKLM\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters';
const NAME = 'RequireSecuritySignature';
const WMI = { id: '{AAAA0001-0000-4000-8000-000000000001}', name: 'Servers only' };

const obs = (gpo: string, value: 0 | 1, ext: ObsSpec['ext'], extra: Partial<ObsSpec> = {}): ObsSpec => ({ gpo, rule: REQ, value, status: value ? 'hardened' : 'weak', ext, line: ext === 'security' ? 7 : ext === 'gpp' ? 3 : 8, ...extra });
const file = (l: string, ext: 'security' | 'registry' | 'gpp') => `Policies/${guid(l)}/${ext === 'security' ? 'GptTmpl.inf' : ext === 'registry' ? 'Registry.pol' : 'Registry.xml'}`;
const loc = (l: string, value: number, ext: 'security' | 'registry' | 'gpp') => ({ gpo: guid(l), path: file(l, ext), ...(ext === 'registry' ? { offset: 8 } : { line: ext === 'security' ? 7 : 3 }), value, extension: ext });
const at = (l: string, ext: 'security' | 'registry' | 'gpp') => `${file(l, ext)}${ext === 'registry' ? ' @8' : ext === 'security' ? ':7' : ':3'}`;
const LABEL = { security: 'Security Options (GptTmpl.inf)', registry: 'Administrative Templates (Registry.pol)', gpp: 'GPP Registry' };
const says = (l: string, som: string, value: number, ext: 'security' | 'registry' | 'gpp') => `GPO "GPO ${l}" (linked at ${som}) sets ${value} via ${LABEL[ext]} at ${at(l, ext)}`;
const uri = (p: string) => p.split('/').map(encodeURIComponent).join('/');
const DISAGREE = 'different client-side extensions write the same value and disagree, so relaylint names no winner';

const run = effectiveOfLdif;
const scope = scopeNamed;
const rule = ruleIn;

describe('a writer under a condition behind an agreeing writer (audit c23)', () => {
  // OU=Ypar links L (Registry.pol 0); OU=Y1 below it links W (Registry.pol 1, WMI filter) and S
  // (GptTmpl.inf 1); OU=Y2 links S alone. Where W's filter does not match, the registry extension
  // writes L's 0 against S's 1: a conflict, as in Y2.
  const YPAR = `OU=Ypar,${DOMAIN_DN}`;
  const d: DomainSpec = {
    soms: [{ dn: DOMAIN_DN, links: [] }, { dn: YPAR, links: [['L', 0]] }, { dn: `OU=Y1,${YPAR}`, links: [['W', 0], ['S', 0]] }, { dn: `OU=Y2,${YPAR}`, links: [['S', 0]] }],
    gpcs: [{ letter: 'L' }, { letter: 'W', wmi: WMI }, { letter: 'S' }],
  };
  const r = run(d, policySet([obs('L', 0, 'registry'), obs('W', 1, 'registry'), obs('S', 1, 'security')]));
  const y1 = 'corp.example/Ypar/Y1';
  const y2 = 'corp.example/Ypar/Y2';

  test('Y1: conditional on the filter, naming it and the conflict that holds elsewhere', () => {
    assert.deepEqual(rule(scope(r, y1), REQ), {
      ruleId: REQ,
      key: KEY,
      name: NAME,
      exposedWhenMissing: true,
      status: 'conditional',
      shadowed: [loc('W', 1, 'registry'), loc('L', 0, 'registry')],
      exposed: true,
      why:
        `${says('S', y1, 1, 'security')} and wins here; ${says('W', y1, 1, 'registry')} too, and applies only where WMI filter "Servers only". ` +
        `The result is hardened only there; elsewhere the result is conflict (${says('L', 'corp.example/Ypar', 0, 'registry')}; ${says('S', y1, 1, 'security')}: ${DISAGREE}).`,
      value: 1,
      winner: loc('S', 1, 'security'),
      condition: 'WMI filter "Servers only"',
    });
  });

  test('Y2 (the same GPOs without W): the plain conflict', () => {
    const e = rule(scope(r, y2), REQ);
    assert.deepEqual([e.status, e.writers, e.condition], ['conflict', [loc('L', 0, 'registry'), loc('S', 1, 'security')], undefined]);
  });

  test('an unconditional agreeing writer keeps the result where the winner is under a condition', () => {
    // S under the WMI filter, W unconditional: where S does not apply, W's 1 still holds.
    const d2: DomainSpec = { ...d, gpcs: [{ letter: 'L' }, { letter: 'W' }, { letter: 'S', wmi: WMI }] };
    const e = rule(scope(run(d2, policySet([obs('L', 0, 'registry'), obs('W', 1, 'registry'), obs('S', 1, 'security')])), y1), REQ);
    assert.deepEqual([e.status, e.winner?.gpo, e.condition], ['hardened', guid('S'), undefined]);
  });
});

describe('a conflict one of whose writers is under a condition (audit c22)', () => {
  // X1: A (GptTmpl.inf 1) vs B (GPP 0 with item-level targeting); X2: A vs C (Registry.pol 0,
  // security filtering to one group); X3: E (GptTmpl.inf 1, WMI filter) vs F (Registry.pol 0).
  const d: DomainSpec = {
    soms: [{ dn: DOMAIN_DN, links: [] }, { dn: `OU=X1,${DOMAIN_DN}`, links: [['A', 0], ['B', 0]] }, { dn: `OU=X2,${DOMAIN_DN}`, links: [['A', 0], ['C', 0]] }, { dn: `OU=X3,${DOMAIN_DN}`, links: [['E', 0], ['F', 0]] }],
    gpcs: [{ letter: 'A' }, { letter: 'B' }, { letter: 'C' }, { letter: 'E', wmi: WMI }, { letter: 'F' }],
  };
  const group = { allow: [{ sid: 'S-1-5-11' }, { sid: 'S-1-5-21-1-2-3-1105', name: 'CORP\\File Servers' }], deny: [{ sid: 'S-1-5-21-1-2-3-1106', name: 'CORP\\Kiosks' }] };
  const set = policySet([obs('A', 1, 'security'), obs('B', 0, 'gpp', { state: 'conditional', condition: 'computer name is FS01' }), obs('C', 0, 'registry'), obs('E', 1, 'security'), obs('F', 0, 'registry')], { C: { trustees: group } });
  const r = run(d, set);
  const where = (cond: string, by: string) => `Where ${cond} (the condition of GPO "GPO ${by}"), these client-side extensions write the same value and disagree: the extension order, not the link order, decides which lands, so relaylint names no winner there.`;
  /** A conflict that holds only under `condition`: every writer, no winner, the condition named. */
  const conditionalConflict = (why: string, condition: string, writers: EffectiveEntry['writers']): EffectiveEntry => ({
    ruleId: REQ,
    key: KEY,
    name: NAME,
    exposedWhenMissing: true,
    status: 'conditional',
    shadowed: [],
    exposed: true,
    why,
    condition,
    writers,
  });
  const cases: [string, string, EffectiveEntry][] = [
    [
      'X1: GPP item-level targeting; hardened elsewhere',
      'corp.example/X1',
      conditionalConflict(
        `${says('A', 'corp.example/X1', 1, 'security')}; ${says('B', 'corp.example/X1', 0, 'gpp')}. ${where('GPP item-level targeting (computer name is FS01)', 'B')} Elsewhere the result is hardened (${says('A', 'corp.example/X1', 1, 'security')}).`,
        'GPP item-level targeting (computer name is FS01)',
        [loc('A', 1, 'security'), loc('B', 0, 'gpp')],
      ),
    ],
    [
      'X2: security filtering; hardened elsewhere',
      'corp.example/X2',
      conditionalConflict(
        `${says('C', 'corp.example/X2', 0, 'registry')}; ${says('A', 'corp.example/X2', 1, 'security')}. ${where('security filtering: Apply Group Policy denied to CORP\\Kiosks', 'C')} Elsewhere the result is hardened (${says('A', 'corp.example/X2', 1, 'security')}).`,
        'security filtering: Apply Group Policy denied to CORP\\Kiosks',
        [loc('C', 0, 'registry'), loc('A', 1, 'security')],
      ),
    ],
    [
      'X3: WMI filter on the hardening writer; weak elsewhere',
      'corp.example/X3',
      conditionalConflict(
        `${says('F', 'corp.example/X3', 0, 'registry')}; ${says('E', 'corp.example/X3', 1, 'security')}. ${where('WMI filter "Servers only"', 'E')} Elsewhere the result is weak (${says('F', 'corp.example/X3', 0, 'registry')}).`,
        'WMI filter "Servers only"',
        [loc('F', 0, 'registry'), loc('E', 1, 'security')],
      ),
    ],
  ];
  for (const [name, som, want] of cases) {
    test(name, () => {
      assert.deepEqual(rule(scope(r, som), REQ), want);
    });
  }

  test('a conflict that holds with and without the condition stays a conflict', () => {
    // A (GptTmpl.inf 1) and F (Registry.pol 0) unconditional, B (GPP 0) under targeting: without B, A and F still disagree.
    const d2: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['F', 0], ['B', 0]] }], gpcs: [] };
    const e = rule(scope(run(d2, set), 'corp.example'), REQ);
    assert.deepEqual([e.status, e.condition, e.writers?.map((w) => w.gpo)], ['conflict', undefined, [guid('F'), guid('A'), guid('B')]]);
  });
});

describe('a link to a GPO whose group policy container is not in an LDIF that exports the others (audit c17)', () => {
  // OU=K links K: its SYSVOL folder was scanned, its container is not in the export, D's is.
  const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['D', 0]] }, { dn: `OU=K,${DOMAIN_DN}`, links: [['K', 0]] }], gpcs: [{ letter: 'D' }] };
  const set = policySet([obs('D', 1, 'security'), { gpo: 'K', rule: CLIENT, value: 1, status: 'hardened' }]);

  test('LDIF: the link is dropped and reported, naming the link and the OU', () => {
    const r = run(d, set);
    const k = scope(r, 'corp.example/K');
    assert.deepEqual(
      k.gpos.map((g) => g.guid),
      [guid('D')],
    );
    assert.deepEqual(k.dropped, [{ guid: guid('K'), som: 'corp.example/K', reason: 'its group policy container is not in the LDIF export (deleted GPO?)' }]);
    assert.equal(rule(k, CLIENT).status, 'missing');
    assert.deepEqual(r.problems, [
      {
        source: 'corp.ldf',
        severity: 'warning',
        message: `corp.example/K links the GPO ${guid('K')} "GPO K", whose group policy container is not in the LDIF export, which holds other containers of its domain: the GPO was deleted (its SYSVOL folder left behind) or the export is incomplete. The link is dropped (scope-and-evidence.md §1.2, §2.1); if the GPO exists, export its container too.`,
      },
    ]);
  });

  test('the parts keep what the merge needs when they cross a thread (the language server parses the topology on one): the same result', () => {
    const parts = [readLdif(toLdif(d), 'corp.ldf')];
    const direct = effectivePolicy(set, parts, { targetOs: 'legacy' }) as EffectivePolicy;
    const cloned = effectivePolicy(set, structuredClone(parts), { targetOs: 'legacy' }) as EffectivePolicy;
    assert.deepEqual(scope(cloned, 'corp.example/K').dropped, scope(direct, 'corp.example/K').dropped);
    assert.equal(scope(cloned, 'corp.example/K').dropped?.length, 1);
    assert.deepEqual(cloned.problems, direct.problems);
  });

  test('an LDIF with no group policy container at all cannot tell: the link applies', () => {
    const r = run({ ...d, gpcs: [] }, set);
    assert.deepEqual([rule(scope(r, 'corp.example/K'), CLIENT).status, scope(r, 'corp.example/K').dropped, r.problems], ['hardened', undefined, []]);
  });

  test('a link to a container of another domain, whose containers were not exported, applies', () => {
    const ldif = toLdif(d).replace(`cn=${guid('K')},cn=policies,cn=system,${DOMAIN_DN}`, `cn=${guid('K')},cn=policies,cn=system,DC=emea,${DOMAIN_DN}`);
    const r = effectivePolicy(set, [readLdif(ldif, 'corp.ldf')], { targetOs: 'legacy' }) as EffectivePolicy;
    assert.deepEqual([rule(scope(r, 'corp.example/K'), CLIENT).status, scope(r, 'corp.example/K').dropped, r.problems], ['hardened', undefined, []]);
  });

  test('Get-GPInheritance carries no container list: unaffected', () => {
    const r = effectivePolicy(set, [readGpInheritance(JSON.parse(toGpInheritance(d)), 'gpinheritance.json')], { targetOs: 'legacy' }) as EffectivePolicy;
    assert.deepEqual([rule(scope(r, 'corp.example/K'), CLIENT).status, scope(r, 'corp.example/K').dropped, r.problems], ['hardened', undefined, []]);
  });
});

describe('wording of the enforced site link vs enforced domain link (audit c07)', () => {
  test('names the unconfirmed behaviour, not a missing export', () => {
    const d: DomainSpec = {
      soms: [{ dn: DOMAIN_DN, links: [['A', 2]] }, { dn: `CN=HQ,CN=Sites,CN=Configuration,${DOMAIN_DN}`, links: [['S', 2]] }],
      gpcs: [{ letter: 'A' }, { letter: 'S' }],
    };
    const e = rule(scope(run(d, policySet([obs('A', 1, 'security'), obs('S', 0, 'security')])), 'corp.example'), REQ);
    assert.deepEqual(
      [e.status, e.why],
      [
        'undetermined',
        'The result is conditional or hardened depending on whether an enforced site link beats an enforced domain link: presumed, but not confirmed by Microsoft\'s documentation (scope-and-evidence.md P5), so no topology export can decide it.',
      ],
    );
  });
});

describe('SARIF of a conflict (audit c11)', () => {
  test('the other writers are related locations labelled as writers, not as shadowed', () => {
    const d: DomainSpec = { soms: [{ dn: DOMAIN_DN, links: [['A', 0], ['B', 0], ['C', 0]] }], gpcs: [] };
    const r = run(d, policySet([obs('A', 1, 'security'), obs('B', 0, 'registry'), obs('C', 0, 'registry', { line: 30 })]));
    const res = scopeSarifResults(r).filter((x) => x.ruleId === REQ);
    assert.equal(res.length, 1);
    assert.deepEqual(res[0].relatedLocations, [
      {
        id: 1,
        physicalLocation: { artifactLocation: { uri: uri(file('A', 'security')), uriBaseId: 'SRCROOT' }, region: { startLine: 7 } },
        message: { text: `writes 1 in ${guid('A')} via Security Options (GptTmpl.inf); the extensions disagree, no winner` },
      },
      {
        id: 2,
        physicalLocation: { artifactLocation: { uri: uri(file('B', 'registry')), uriBaseId: 'SRCROOT' }, region: { byteOffset: 8 } },
        message: { text: `shadowed: 0 in ${guid('B')}` },
      },
    ]);
  });
});
