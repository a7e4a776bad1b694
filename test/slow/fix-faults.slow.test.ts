/**
 * `--fix` under real faults (issue 10): killed with SIGKILL at random moments, and on a file system
 * that is really full (a tiny tmpfs, when this runs as root and may mount one). Every file must be
 * either the original or the fully fixed version afterwards, never anything else.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI, runCli, tempDir, utf16bom } from '../helpers/cli';

const SERVER_REQUIRE = 'MACHINE\\System\\CurrentControlSet\\Services\\LanManServer\\Parameters\\RequireSecuritySignature';
/** A weak template padded to ~`kb` KB so that writing it takes a measurable moment. */
function template(kb: number, value: 0 | 1): Buffer {
  const pad: string[] = [];
  for (let i = 0; pad.join('\r\n').length * 2 < kb * 1024; i++) pad.push(`MACHINE\\Software\\Policies\\Corp\\Pad\\Value${i}=4,${i % 7}`);
  return utf16bom(['[Unicode]', 'Unicode=yes', '[Registry Values]', ...pad, `${SERVER_REQUIRE}=4,${value}`, '[Version]', 'signature="$CHICAGO$"', 'Revision=1', ''].join('\r\n'));
}

/** The same weak value as a .reg file and as a GPP Registry.xml of ~`kb` KB: the other formats --fix writes. */
function regFile(kb: number, value: 0 | 1): Buffer {
  const pad: string[] = [];
  for (let i = 0; pad.join('\r\n').length * 2 < kb * 1024; i++) pad.push(`"Pad${i}"=dword:0000000${i % 7}`);
  return utf16bom(['Windows Registry Editor Version 5.00', '', '[HKEY_LOCAL_MACHINE\\SOFTWARE\\Corp\\Pad]', ...pad, '', '[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters]', `"RequireSecuritySignature"=dword:0000000${value}`, ''].join('\r\n'));
}
function gppFile(kb: number, value: 0 | 1): Buffer {
  const item = (key: string, name: string, v: string) =>
    `<Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="${name}"><Properties action="U" hive="HKEY_LOCAL_MACHINE" key="${key}" name="${name}" type="REG_DWORD" value="${v}"/></Registry>`;
  const pad: string[] = [];
  for (let i = 0; pad.join('\r\n').length < kb * 1024; i++) pad.push(item('SOFTWARE\\Corp\\Pad', `Pad${i}`, `0000000${i % 7}`));
  const smb = item('SYSTEM\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'RequireSecuritySignature', `0000000${value}`);
  return Buffer.from(['<?xml version="1.0" encoding="utf-8"?>', '<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}">', ...pad, smb, '</RegistrySettings>', ''].join('\r\n'));
}

function runKilled(dir: string, delayMs: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'scan', '.', '--fix', '--unsafe-fixes', '--format', 'json', '--no-coverage'], { cwd: dir, stdio: 'ignore', env: { ...process.env, RELAYLINT_LEAN_CHILD: '1' } });
    const timer = setTimeout(() => child.kill('SIGKILL'), delayMs);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test('--fix killed with SIGKILL at random moments: every file is the original or the fully fixed version', async () => {
  // Each format --fix writes, in every folder: [name, original, fully fixed].
  const KINDS: [string, Buffer, Buffer][] = [
    ['GptTmpl.inf', template(300, 0), template(300, 1)],
    ['nas.reg', regFile(300, 0), regFile(300, 1)],
    ['Registry.xml', gppFile(300, 0), gppFile(300, 1)],
  ];
  const FILES = 12;
  const dir = tempDir('relaylint-kill-');
  const reset = () => {
    for (const e of fs.readdirSync(dir)) fs.rmSync(path.join(dir, e), { recursive: true, force: true });
    for (let i = 0; i < FILES; i++) {
      fs.mkdirSync(path.join(dir, `g${i}`));
      for (const [name, weak] of KINDS) fs.writeFileSync(path.join(dir, `g${i}`, name), weak);
    }
  };
  // How long a whole run takes here, to spread the kills over it.
  reset();
  const t0 = Date.now();
  spawnSync(process.execPath, [CLI, 'scan', '.', '--fix', '--unsafe-fixes', '--no-coverage'], { cwd: dir, env: { ...process.env, RELAYLINT_LEAN_CHILD: '1' } });
  const full = Math.max(50, Date.now() - t0);
  let seed = 12345;
  const rnd = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const outcomes = new Map(KINDS.map(([name]) => [name, { original: 0, fixed: 0 }]));
  for (let round = 0; round < 60; round++) {
    reset();
    await runKilled(dir, Math.floor(rnd() * full * 1.1));
    for (let i = 0; i < FILES; i++) {
      for (const [name, weak, fixed] of KINDS) {
        const bytes = fs.readFileSync(path.join(dir, `g${i}`, name));
        const seen = outcomes.get(name) as { original: number; fixed: number };
        if (bytes.equals(weak)) seen.original++;
        else if (bytes.equals(fixed)) seen.fixed++;
        else assert.fail(`round ${round}, file ${i}/${name}: ${bytes.length} bytes, neither the original (${weak.length}) nor the fixed version`);
      }
    }
  }
  for (const [name, seen] of outcomes) {
    process.stdout.write(`# SIGKILL rounds, ${name}: ${seen.original} files left original, ${seen.fixed} fully fixed (run ${full} ms)\n`);
    assert.ok(seen.original > 0 && seen.fixed > 0, `${name}: the kills landed before, during and after the writes`);
  }
});

test('--fix on a really full file system leaves the file intact and says so', (t) => {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return t.skip('needs root to mount a tmpfs');
  const mnt = tempDir('relaylint-full-');
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=512k', 'tmpfs', mnt]);
  if (m.status !== 0) return t.skip(`cannot mount a tmpfs here: ${String(m.stderr).trim()}`);
  try {
    const WEAK = template(200, 0);
    const file = path.join(mnt, 'GptTmpl.inf');
    fs.writeFileSync(file, WEAK);
    // Fill the rest of the file system.
    const fd = fs.openSync(path.join(mnt, 'filler'), 'w');
    try {
      const chunk = Buffer.alloc(4096, 0x20);
      for (;;) fs.writeSync(fd, chunk);
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    } finally {
      fs.closeSync(fd);
    }
    const r = runCli(['scan', file, '--fix', '--unsafe-fixes', '--format', 'json', '--no-coverage']);
    assert.equal(r.code, 2, r.stderr);
    assert.deepEqual(fs.readFileSync(file), WEAK);
    const doc = JSON.parse(r.stdout);
    assert.match(doc.files[0].problems[0].message, /^The fixes could not be written \(ENOSPC: /);
    assert.deepEqual(fs.readdirSync(mnt).sort(), ['GptTmpl.inf', 'filler'], 'no temporary file left behind');
  } finally {
    spawnSync('umount', [mnt]);
    fs.rmSync(mnt, { recursive: true, force: true });
  }
});
