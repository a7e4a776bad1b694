/**
 * A large domain's SharpHound computers.json, over the 64 MiB file limit, given to `relaylint scan`
 * with `--topology`, loose and in SharpHound's zip: read as a stream (core/topology/computers-stream.ts),
 * every computer placed in its OU, and the process's peak memory held to what the computers need,
 * not the file's size.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { LIMITS } from '../../server/src/core/limits';
import { CLI, tempDir, writeFile } from '../helpers/cli';
import { zip } from '../helpers/domain';

const COMPUTERS = 40_000;

/** One computer object as SharpHound CE writes it (§2.7 fields), padded with access-control entries as real ones are. */
function computer(i: number, padded: boolean): string {
  const ou = i % 2 ? 'OU=WEB,OU=SERVERS,DC=CORP,DC=EXAMPLE' : 'OU=SERVERS,DC=CORP,DC=EXAMPLE';
  const aces = Array.from({ length: 12 }, (_, k) => ({ PrincipalSID: `S-1-5-21-1-2-3-${500 + k}`, PrincipalType: 'Group', RightName: k % 2 ? 'GenericAll' : 'WriteDacl', IsInherited: k > 3 }));
  if (!padded) return JSON.stringify({ Properties: { name: `PC${i}.CORP.EXAMPLE`, distinguishedname: `CN=PC${i},${ou}` }, ObjectIdentifier: `S-1-5-21-1-2-3-${10_000 + i}` });
  return JSON.stringify({
    Properties: { domain: 'CORP.EXAMPLE', name: `PC${i}.CORP.EXAMPLE`, distinguishedname: `CN=PC${i},${ou}`, domainsid: 'S-1-5-21-1-2-3', enabled: true, operatingsystem: 'Windows Server 2022 Datacenter', description: 'x'.repeat(600) },
    ObjectIdentifier: `S-1-5-21-1-2-3-${10_000 + i}`,
    Aces: aces,
    IsDeleted: false,
    IsACLProtected: false,
  });
}

function writeComputers(file: string, padded: boolean): number {
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, '{"data":[');
  for (let i = 0; i < COMPUTERS; i++) fs.writeSync(fd, (i ? ',' : '') + computer(i, padded));
  fs.writeSync(fd, `],"meta":{"methods":46067,"type":"computers","count":${COMPUTERS},"version":6,"collectorversion":"2.5.0"}}`);
  fs.closeSync(fd);
  return fs.statSync(file).size;
}

test(`a ${COMPUTERS}-computer computers.json over the ${LIMITS.maxFileBytes}-byte limit is read as a stream, loose and in its zip, and every computer placed`, () => {
  const dir = tempDir('relaylint-bigcomputers-');
  const link = (g: string) => `[LDAP://cn=${g},cn=policies,cn=system,DC=corp,DC=example;0]`;
  const g = '{31B2F340-016D-11D2-945F-00C04FB984F9}';
  writeFile(dir, `sysvol/Policies/${g}/GPT.INI`, '[General]\r\nVersion=1\r\ndisplayName=Default Domain Policy\r\n');
  writeFile(
    dir,
    `sysvol/Policies/${g}/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf`,
    '[Unicode]\r\nUnicode=yes\r\n[Registry Values]\r\nMACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature=4,1\r\n[Version]\r\nsignature="$CHICAGO$"\r\nRevision=1\r\n',
  );
  writeFile(dir, 'corp.ldf', ['dn: DC=corp,DC=example', `gPLink: ${link(g)}`, '', 'dn: OU=Servers,DC=corp,DC=example', '', 'dn: OU=Web,OU=Servers,DC=corp,DC=example', ''].join('\n'));
  // The same computers twice: padded as SharpHound writes them (over the limit: streamed), and bare (read whole).
  const file = path.join(dir, '20261206101500_computers.json');
  const size = writeComputers(file, true);
  assert.ok(size > LIMITS.maxFileBytes, `${size} bytes`);
  const small = path.join(dir, 'small_computers.json');
  assert.ok(writeComputers(small, false) < LIMITS.maxFileBytes);

  // Peak resident memory of the scan's process (every thread), written by a hook as it exits.
  const hook = path.join(dir, 'peak.js');
  fs.writeFileSync(hook, "process.on('exit', () => require('fs').writeSync(2, `\\npeak-kb ${process.resourceUsage().maxRSS}\\n`));\n");
  const run = (extra: string[]) => {
    const r = spawnSync(process.execPath, ['--require', hook, CLI, 'scan', 'sysvol', '--topology', 'corp.ldf', ...extra, '--format', 'json', '--fail-on', 'never'], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
    });
    // The last one: worker threads run the hook too, and the main thread exits last.
    const peak = [...r.stderr.matchAll(/peak-kb (\d+)/g)].at(-1);
    assert.ok(peak, r.stderr);
    return { ...r, peakMb: Number(peak[1]) / 1024 };
  };
  const whole = run(['--topology', path.basename(small)]);
  assert.equal(whole.status, 0, whole.stderr);
  const r = run(['--topology', path.basename(file)]);
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.deepEqual(j.topology.problems, []);
  const hosts = Object.fromEntries(j.scopes.map((s: { som: string; computers?: string[] }) => [s.som, s.computers?.length ?? 0]));
  assert.deepEqual(hosts, { 'corp.example': 0, 'corp.example/Servers': COMPUTERS / 2, 'corp.example/Servers/Web': COMPUTERS / 2 });
  const web = j.scopes.find((s: { som: string }) => s.som === 'corp.example/Servers/Web').computers;
  assert.deepEqual(
    [...web].sort(),
    Array.from({ length: COMPUTERS / 2 }, (_, k) => `PC${2 * k + 1}.CORP.EXAMPLE`).sort(),
  );
  // The same scopes as the bare file read whole.
  assert.deepEqual(j.scopes, JSON.parse(whole.stdout).scopes);
  // The file was never held whole: the streamed scan's peak is the bare file's, give or take.
  process.stdout.write(`# ${(size / 2 ** 20).toFixed(0)} MiB computers.json streamed: peak ${r.peakMb.toFixed(0)} MiB; the same ${COMPUTERS} computers read whole from ${(fs.statSync(small).size / 2 ** 20).toFixed(0)} MiB: ${whole.peakMb.toFixed(0)} MiB\n`);
  assert.ok(r.peakMb < whole.peakMb + 16, `streamed: peak ${r.peakMb.toFixed(0)} MiB, read whole: ${whole.peakMb.toFixed(0)} MiB`);

  // The same file in SharpHound's zip (deflated): inflated a piece at a time into the same stream.
  fs.writeFileSync(path.join(dir, '20261206101500_BloodHound.zip'), zip({ '20261206101500_computers.json': fs.readFileSync(file, 'utf8') }));
  fs.rmSync(file);
  const z = run(['--topology', '20261206101500_BloodHound.zip']);
  assert.equal(z.status, 0, z.stderr);
  const jz = JSON.parse(z.stdout);
  assert.deepEqual(jz.topology.problems, []);
  assert.deepEqual(jz.scopes, j.scopes);
  process.stdout.write(`# the same in a zip of ${(fs.statSync(path.join(dir, '20261206101500_BloodHound.zip')).size / 2 ** 20).toFixed(1)} MiB: peak ${z.peakMb.toFixed(0)} MiB\n`);
  assert.ok(z.peakMb < whole.peakMb + 16, `zip: peak ${z.peakMb.toFixed(0)} MiB, read whole: ${whole.peakMb.toFixed(0)} MiB`);
  fs.rmSync(dir, { recursive: true, force: true });
});
