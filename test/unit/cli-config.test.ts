/** The CLI reads the same config file as the editor: found per scanned file, --config, --no-config, --show-config. */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, test } from 'node:test';
import { runCli, tempDir, utf16bom, writeFile } from '../helpers/cli';

const SERVER = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
const CBT = 'MACHINE\\System\\CurrentControlSet\\Services\\NTDS\\Parameters\\LdapEnforceChannelBinding';
const weak = utf16bom(['[Unicode]', 'Unicode=yes', '[Registry Values]', `${SERVER}=4,0`, `${CBT}=4,0`, '[Version]', 'signature="$CHICAGO$"', 'Revision=1', ''].join('\r\n'));

function tree(config: Record<string, unknown> | string | undefined, configName = 'relaylint.json'): string {
  const dir = tempDir('relaylint-cfg-');
  writeFile(dir, 'dc/GptTmpl.inf', weak);
  writeFile(dir, 'members/GptTmpl.inf', weak);
  writeFile(dir, 'lab/GptTmpl.inf', weak);
  if (config !== undefined) writeFile(dir, configName, typeof config === 'string' ? config : JSON.stringify(config));
  return dir;
}

interface JsonDoc {
  files: { path: string; findings: { ruleId: string; severity: string; message: string }[]; suppressed: { ruleId: string; suppressed: { reason: string } }[] }[];
  summary: { files: number; skipped: number };
}
const scanJson = (dir: string, ...extra: string[]) => {
  const r = runCli(['scan', '.', '--format', 'json', '--no-coverage', ...extra], { cwd: dir });
  return { code: r.code, stderr: r.stderr, doc: r.stdout ? (JSON.parse(r.stdout) as JsonDoc) : undefined };
};
const perFile = (doc: JsonDoc | undefined) =>
  Object.fromEntries((doc?.files ?? []).map((f) => [f.path, f.findings.map((x) => `${x.ruleId}/${x.severity}`).join(' ')]));

const CONFIG = {
  rules: { 'smb.server.require': 'warning' },
  overrides: [{ files: ['members/**'], role: 'member' }],
  ignore: ['lab'],
  exceptions: [{ rule: 'ldap.server.cbt', files: ['dc/**'], reason: 'vendor appliance, ticket 12', expires: '2999-01-01' }],
};

describe('CLI config file', () => {
  test('the nearest relaylint.json applies per file: severities, overrides, ignore, exceptions', () => {
    const dir = tree(CONFIG);
    const { code, doc, stderr } = scanJson(dir);
    // --fail-on error (the default): nothing at error level remains.
    assert.equal(code, 0, stderr);
    assert.deepEqual(perFile(doc), { 'dc/GptTmpl.inf': 'smb.server.require/warning', 'members/GptTmpl.inf': 'smb.server.require/warning' });
    assert.equal(doc!.summary.skipped, 1);
    assert.deepEqual(
      doc!.files[0].suppressed.map((s) => [s.ruleId, s.suppressed.reason]),
      [['ldap.server.cbt', 'vendor appliance, ticket 12 (exception in relaylint.json, until 2999-01-01)']],
    );
    assert.equal(runCli(['scan', '.', '--no-coverage', '--fail-on', 'warning'], { cwd: dir }).code, 1);
  });

  test('a config file found in the scanned folders that changes the judgement is said on stderr (once per file, not for --config)', () => {
    const dir = tree(CONFIG);
    const notice =
      'relaylint: the config file relaylint.json applied to 2 scanned files: rules smb.server.require=warning; 1 override; 1 exception; ignore lab (1 file not scanned) (--show-config lists them per file; --no-config audits without it)\n';
    assert.equal(scanJson(dir).stderr, notice);
    assert.equal(runCli(['scan', '.', '--no-coverage'], { cwd: dir }).stderr, notice);
    assert.equal(scanJson(dir, '--config', 'relaylint.json').stderr, '', 'named on the command line: the user said so');
    assert.equal(scanJson(dir, '--no-config').stderr, '');
    // Only where and what to read: nothing judged differently, nothing said.
    assert.equal(scanJson(tree({ exceptions: [] })).stderr, '');
  });

  test('--no-config: the defaults; explicit flags win over the config', () => {
    const dir = tree(CONFIG);
    assert.deepEqual(perFile(scanJson(dir, '--no-config').doc), {
      'dc/GptTmpl.inf': 'smb.server.require/error ldap.server.cbt/error',
      'lab/GptTmpl.inf': 'smb.server.require/error ldap.server.cbt/error',
      'members/GptTmpl.inf': 'smb.server.require/error ldap.server.cbt/error',
    });
    assert.deepEqual(perFile(scanJson(dir, '--role', 'dc').doc), { 'dc/GptTmpl.inf': 'smb.server.require/warning', 'members/GptTmpl.inf': 'smb.server.require/warning ldap.server.cbt/error' });
  });

  test('--config FILE is used for every file instead of the nearest one', () => {
    const dir = tree(CONFIG);
    writeFile(dir, 'strict.json', JSON.stringify({ rules: { 'ldap.server.cbt': 'off' } }));
    assert.deepEqual(perFile(scanJson(dir, '--config', 'strict.json').doc), {
      'dc/GptTmpl.inf': 'smb.server.require/error',
      'lab/GptTmpl.inf': 'smb.server.require/error',
      'members/GptTmpl.inf': 'smb.server.require/error',
    });
    const missing = runCli(['scan', '.', '--config', 'nope.json'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `relaylint: --config nope.json is not valid: Cannot read the config file: ENOENT.\nRun "relaylint --help" for usage.\n`);
    const both = runCli(['scan', '.', '--config', 'strict.json', '--no-config'], { cwd: dir });
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--config and --no-config cannot be used together/);
  });

  test('a package.json relaylint key', () => {
    const dir = tree({ name: 'gpo', relaylint: { rules: { 'smb.server.require': 'off', 'ldap.server.cbt': 'off' } } }, 'package.json');
    const r = runCli(['scan', '.', '--no-coverage'], { cwd: dir });
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  test('an invalid config: a clear message, the files are scanned with the defaults, exit 2', () => {
    const dir = tree('{"rules": {"smb.server.require": "none"}}');
    const { code, doc, stderr } = scanJson(dir);
    assert.equal(code, 2);
    assert.equal(
      stderr,
      `relaylint: ${path.join(dir, 'relaylint.json')}: the config file is not valid and is not applied: /rules/smb.server.require: The level of smb.server.require must be one of "off", "hint", "info", "warning", "error" (got "none").\n`,
    );
    assert.equal(perFile(doc)['dc/GptTmpl.inf'], 'smb.server.require/error ldap.server.cbt/error');
  });

  test('an expired exception is reported again', () => {
    const dir = tree({ exceptions: [{ rule: 'smb.server.require', reason: 'old NAS', expires: '2001-02-03' }] });
    const f = scanJson(dir).doc!.files[0];
    assert.deepEqual(f.suppressed, []);
    assert.ok(f.findings[0].message.endsWith('(The exception for smb.server.require in relaylint.json expired on 2001-02-03, so this is reported again; its reason was: old NAS)'), f.findings[0].message);
  });

  test('--show-config prints what applies to each file and scans nothing', () => {
    const dir = tree({ ...CONFIG, topology: 'ad/topology.json', evidence: ['logs'] });
    const r = runCli(['scan', '.', '--show-config'], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    const cfg = path.join(dir, 'relaylint.json');
    assert.equal(
      r.stdout,
      [
        'dc/GptTmpl.inf',
        `  config: ${cfg}`,
        '  role: any, targetOs: legacy',
        '  rules: smb.server.require=warning',
        '  exception: ldap.server.cbt: vendor appliance, ticket 12 (until 2999-01-01)',
        `  topology: ${path.join(dir, 'ad', 'topology.json')}`,
        `  evidence: ${path.join(dir, 'logs')}`,
        'lab/GptTmpl.inf',
        `  config: ${cfg}`,
        '  ignored: yes (matches "ignore"; not scanned)',
        '  role: any, targetOs: legacy',
        '  rules: smb.server.require=warning',
        `  topology: ${path.join(dir, 'ad', 'topology.json')}`,
        `  evidence: ${path.join(dir, 'logs')}`,
        'members/GptTmpl.inf',
        `  config: ${cfg}`,
        '  role: member, targetOs: legacy (overrides 0)',
        '  rules: smb.server.require=warning',
        `  topology: ${path.join(dir, 'ad', 'topology.json')}`,
        `  evidence: ${path.join(dir, 'logs')}`,
        '',
      ].join('\n'),
    );
    const j = runCli(['scan', 'members', '--show-config', '--format', 'json', '--no-config'], { cwd: dir });
    assert.deepEqual(JSON.parse(j.stdout), [
      { path: 'members/GptTmpl.inf', config: null, ignored: false, role: 'any', targetOs: 'legacy', rules: {}, overrides: [], exceptions: [], topology: [], evidence: [] },
    ]);
  });
  test('terminal escapes from the folder (file names, config keys and values, a baseline) reach stderr and --show-config escaped', () => {
    const ESC = '\u001b[2J\u001b]8;;https://evil.example/\u0007x\u001b]8;;\u0007\u202e';
    const SHOWN = '\\x1b[2J\\x1b]8;;https://evil.example/\\x07x\\x1b]8;;\\x07\\u202e';
    const dir = tree({ exceptions: [{ rule: 'ldap.server.cbt', reason: `ok${ESC}`, expires: '2999-01-01' }], ignore: ['ign*'], topology: `t${ESC}.ldf` });
    writeFile(dir, `ign${ESC.replace(/\//g, '\u2215')}.inf`, weak);
    const name = `ign${SHOWN.replace(/\//g, '\u2215')}.inf`;
    const cfg = path.join(dir, 'relaylint.json');
    const show = runCli(['scan', 'dc', `ign${ESC.replace(/\//g, '\u2215')}.inf`, `missing${ESC}`, '--show-config'], { cwd: dir });
    assert.equal(
      show.stdout,
      [
        'dc/GptTmpl.inf',
        `  config: ${cfg}`,
        '  role: any, targetOs: legacy',
        '  rules: defaults',
        `  exception: ldap.server.cbt: ok${SHOWN} (until 2999-01-01)`,
        `  topology: ${path.join(dir, `t${SHOWN}.ldf`)}`,
        name,
        `  config: ${cfg}`,
        '  ignored: yes (matches "ignore"; not scanned)',
        '  role: any, targetOs: legacy',
        '  rules: defaults',
        `  exception: ldap.server.cbt: ok${SHOWN} (until 2999-01-01)`,
        `  topology: ${path.join(dir, `t${SHOWN}.ldf`)}`,
        '',
      ].join('\n'),
    );
    assert.equal(show.stderr, `relaylint: missing${SHOWN}: no such file or folder\n`);
    const ignored = runCli(['scan', `ign${ESC.replace(/\//g, '\u2215')}.inf`], { cwd: dir });
    // (the config's topology is read too: its missing file is named, escaped, with the path normalised)
    // (and the config file that changed what is judged is named: it scanned nothing and ignored the file)
    assert.equal(
      ignored.stderr,
      `relaylint: ${name}: not scanned, the config file ${cfg} ignores it\n` +
        'relaylint: the config file relaylint.json applied to 0 scanned files: 1 exception; ignore ign* (1 file not scanned) (--show-config lists them per file; --no-config audits without it)\n' +
        `relaylint: t${SHOWN.replace('//', '/')}.ldf: no such file\n`,
    );
    const bad = tree({ rules: { [ESC]: 'off' } });
    assert.equal(
      scanJson(bad).stderr,
      `relaylint: ${path.join(bad, 'relaylint.json')}: the config file is not valid and is not applied: /rules/${SHOWN}: Unknown rule id "${SHOWN}" (\`relaylint rules\` lists them).\n`,
    );
    const baseline = writeFile(dir, 'baseline.json', `${ESC}{`);
    const b = runCli(['scan', 'dc', '--baseline', baseline, '--no-config'], { cwd: dir });
    assert.equal(b.code, 2);
    assert.equal(b.stderr, `relaylint: the baseline ${baseline} is not JSON: Unexpected token '\\x1b', "\\x1b[2J\\x1b]8;;h"... is not valid JSON\nRun "relaylint --help" for usage.\n`);
  });
});
