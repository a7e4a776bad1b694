import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyExceptions, globMatches, lintOptionsFor, parseConfigText, resolveForFile, validateConfig } from '../../server/src/core/config';
import { lint } from '../../server/src/core/engine';
import { parseInf } from '../../server/src/core/parsers/inf';

describe('config globs', () => {
  const table: [string, string, boolean][] = [
    ['GptTmpl.inf', 'GptTmpl.inf', true],
    ['GptTmpl.inf', 'a/b/gpttmpl.INF', true],
    ['*.reg', 'x/y/nas.reg', true],
    ['*.reg', 'x/y/nas.reg.bak', false],
    ['/top.reg', 'top.reg', true],
    ['/top.reg', 'sub/top.reg', false],
    ['lab', 'lab/GPO/GptTmpl.inf', true],
    ['lab/', 'x/lab/GptTmpl.inf', true],
    ['lab/**', 'lab/GPO/GptTmpl.inf', true],
    ['lab/**', 'prod/lab/GptTmpl.inf', false],
    ['**/Machine/**/*.xml', 'Policies/{A}/Machine/Preferences/Registry/Registry.xml', true],
    ['Policies/*/Machine/*.pol', 'Policies/{A}/Machine/Registry.pol', true],
    ['Policies/*/Machine/*.pol', 'Policies/{A}/B/Machine/Registry.pol', false],
    ['DC?/x.inf', 'DC1/x.inf', true],
    ['DC?/x.inf', 'DC12/x.inf', false],
    ['{dc,member}/**', 'member/a.inf', true],
    ['{dc,member}/**', 'other/a.inf', false],
    ['[ab].inf', 'b.inf', true],
    ['[!ab].inf', 'b.inf', false],
    ['[!ab].inf', 'c.inf', true],
    ['./a.inf', 'a.inf', true],
    ['a.b', 'axb', false],
    ['(x)+.inf', '(x)+.inf', true],
  ];
  for (const [glob, path, expected] of table) {
    test(`${glob} ${expected ? 'matches' : 'does not match'} ${path}`, () => assert.equal(globMatches(glob, path), expected));
  }
});

describe('config validation', () => {
  test('a complete valid config', () => {
    const r = parseConfigText(
      JSON.stringify({
        $schema: './schemas/relaylint.schema.json',
        role: 'member',
        targetOs: 'ws2025',
        rules: { 'smb.server.require': 'off', 'ntlm.out': 'warning' },
        overrides: [{ files: ['DC/**'], role: 'dc', rules: { 'smb1.server': 'hint' } }],
        ignore: 'lab/**',
        exceptions: [{ rule: 'smb1.server', files: ['print/**'], reason: 'print server, ticket 7', expires: '2026-12-31' }],
        topology: 'ad/topology.json',
        evidence: ['logs/a.evtx', 'logs/b'],
      }),
    );
    assert.deepEqual(r, {
      found: true,
      problems: [],
      config: {
        role: 'member',
        targetOs: 'ws2025',
        rules: { 'smb.server.require': 'off', 'ntlm.out': 'warning' },
        overrides: [{ files: ['DC/**'], role: 'dc', rules: { 'smb1.server': 'hint' } }],
        ignore: ['lab/**'],
        exceptions: [{ rules: ['smb1.server'], files: ['print/**'], reason: 'print server, ticket 7', expires: '2026-12-31' }],
        topology: ['ad/topology.json'],
        evidence: ['logs/a.evtx', 'logs/b'],
      },
    });
  });

  const bad: [string, string, { pointer: string; message: string; line?: number; column?: number }[]][] = [
    ['not JSON', '{\n  "rules": {,}\n}', [{ pointer: '', message: "Not valid JSON: Expected property name or '}' in JSON at position 14", line: 2, column: 13 }]],
    ['not an object', '[]', [{ pointer: '', message: 'The relaylint config must be a JSON object.' }]],
    ['a typo in a key', '{"rule": {}}', [{ pointer: '/rule', message: 'Unknown key "rule"; the keys are role, targetOs, rules, overrides, ignore, exceptions, topology, evidence.' }]],
    ['an unknown rule', '{"rules": {"smb.server.requires": "off"}}', [{ pointer: '/rules/smb.server.requires', message: 'Unknown rule id "smb.server.requires" (`relaylint rules` lists them).' }]],
    ['a bad level', '{"rules": {"smb.server.require": "silent"}}', [{ pointer: '/rules/smb.server.require', message: 'The level of smb.server.require must be one of "off", "hint", "info", "warning", "error" (got "silent").' }]],
    ['a bad role', '{"role": "DC"}', [{ pointer: '/role', message: '"role" must be one of "any", "dc", "member" (got "DC").' }]],
    ['an override without files', '{"overrides": [{"role": "dc"}]}', [{ pointer: '/overrides/0/files', message: 'An override needs "files": the path globs it applies to.' }]],
    ['a backslash glob', '{"ignore": ["lab\\\\x"]}', [{ pointer: '/ignore/0', message: 'Invalid glob "lab\\x": use "/" to separate folders (a backslash is not allowed).' }]],
    ['an unclosed brace', '{"ignore": "{a,b"}', [{ pointer: '/ignore', message: 'Invalid glob "{a,b": a "{" has no matching "}".' }]],
    [
      'an exception without a reason and a bad date',
      '{"exceptions": [{"rule": "smb1.server", "expires": "2026-02-30"}]}',
      [
        { pointer: '/exceptions/0/reason', message: 'An exception needs a "reason": why this finding is accepted (it is shown wherever the exception applies).' },
        { pointer: '/exceptions/0/expires', message: '"expires" must be a date written YYYY-MM-DD (got "2026-02-30").' },
      ],
    ],
    ['an exception without a rule', '{"exceptions": [{"reason": "x"}]}', [{ pointer: '/exceptions/0/rule', message: 'An exception needs "rule": the rule id (or ids) it excepts.' }]],
  ];
  for (const [name, text, problems] of bad) {
    test(name, () => {
      const r = parseConfigText(text);
      assert.equal(r.config, undefined);
      assert.deepEqual(r.problems, problems);
    });
  }

  test('package.json: only the relaylint key counts', () => {
    assert.deepEqual(parseConfigText('{"name": "x"}', 'package.json'), { found: false, problems: [] });
    // A broken package.json is npm's problem, not a relaylint config (the search goes on upwards).
    assert.deepEqual(parseConfigText('{"name": ', 'package.json'), { found: false, problems: [] });
    assert.deepEqual(parseConfigText('{"name": "x", "relaylint": {"rules": {"ntlm.out": "off"}}}', 'package.json').config?.rules, { 'ntlm.out': 'off' });
    assert.deepEqual(parseConfigText('{"relaylint": {"role": 1}}', 'package.json').problems, [{ pointer: '/relaylint/role', message: '"role" must be one of "any", "dc", "member" (got 1).' }]);
  });

  test('never throws on odd input', () => {
    for (const v of [null, 1, 'x', [], { rules: null }, { overrides: {} }, { overrides: [1, null, []] }, { exceptions: [null] }, { topology: 5 }, { ignore: [1, ''] }]) {
      const r = validateConfig(v);
      assert.ok(r.problems.length > 0, JSON.stringify(v));
      assert.equal(r.config, undefined);
    }
  });
});

describe('config resolution and exceptions', () => {
  const config = parseConfigText(
    JSON.stringify({
      role: 'member',
      rules: { 'smb.client.require': 'error' },
      overrides: [
        { files: ['DC/**'], role: 'dc' },
        { files: ['DC/legacy/**'], targetOs: 'legacy', rules: { 'smb.client.require': 'info' } },
      ],
      ignore: ['lab'],
      exceptions: [
        { rule: 'smb.server.require', files: ['nas/**'], reason: 'NAS appliance, ticket 9', expires: '2026-06-30' },
        { rule: ['ldap.server.cbt'], reason: 'everywhere, no expiry' },
      ],
    }),
  ).config!;
  const base = { role: 'any' as const, targetOs: 'ws2025' as const, rules: { 'ntlm.out': 'off' as const } };

  test('later overrides win; editor settings are the base', () => {
    const r = resolveForFile(config, 'DC/legacy/GptTmpl.inf', base);
    assert.deepEqual(r, {
      ignored: false,
      role: 'dc',
      targetOs: 'legacy',
      rules: { 'ntlm.out': 'off', 'smb.client.require': 'info' },
      exceptions: [{ rules: ['ldap.server.cbt'], reason: 'everywhere, no expiry', source: 'relaylint.json' }],
      overrides: [0, 1],
    });
    assert.equal(resolveForFile(config, 'lab/x/GptTmpl.inf', base).ignored, true);
    assert.equal(resolveForFile(config, 'laboratory/GptTmpl.inf', base).ignored, false);
    assert.deepEqual(resolveForFile(undefined, 'x', base), { ignored: false, ...base, exceptions: [], overrides: [] });
  });

  const weak = ['[Registry Values]', 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,0', ''].join('\r\n');
  const judge = (today: string) => {
    const r = resolveForFile(config, 'nas/GptTmpl.inf', base);
    const f = lint(parseInf(weak, 'utf-16le-bom'), lintOptionsFor(r, today)).find((x) => x.ruleId === 'smb.server.require')!;
    return { suppressed: f.suppressed && { reason: f.suppressed.reason, exception: f.suppressed.exception }, message: f.message };
  };

  test('a valid exception suppresses with its reason, through its last day', () => {
    for (const today of ['2026-01-01', '2026-06-30']) {
      const j = judge(today);
      assert.deepEqual(j.suppressed, { reason: 'NAS appliance, ticket 9 (exception in relaylint.json, until 2026-06-30)', exception: true });
    }
  });

  test('an expired exception becomes a finding again, saying so', () => {
    const j = judge('2026-07-01');
    assert.equal(j.suppressed, undefined);
    assert.ok(
      j.message.endsWith(' (The exception for smb.server.require in relaylint.json expired on 2026-06-30, so this is reported again; its reason was: NAS appliance, ticket 9)'),
      j.message,
    );
  });

  test('an inline suppression is kept as it is; exceptions do not touch other rules', () => {
    const f = [{ ruleId: 'smb1.server', severity: 'error' as const, message: 'm', span: { start: 0, end: 1 }, fixes: [] }];
    applyExceptions(f, { role: 'any', targetOs: 'legacy', exceptions: [{ rules: ['smb.server.require'], reason: 'r', source: 's' }], today: '2026-01-01' });
    assert.equal(f[0].message, 'm');
    assert.equal((f[0] as { suppressed?: unknown }).suppressed, undefined);
  });
});
