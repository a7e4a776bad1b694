// EVTX reader speed: relaylint (the CLI, reading, judging and writing JSON) against python-evtx
// (Debian python3-evtx, the development oracle) on the same file, plus relaylint alone on a large
// synthetic log (a real sample's chunks repeated). Usage:
//   node scripts/bench-evtx.mjs [--size-mb 512] [--no-oracle]
// Needs `npm run build` first (npm run bench:evtx does it). Files are written to a temporary folder
// and deleted.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const args = process.argv.slice(2);
const sizeMb = Number(args[args.indexOf('--size-mb') + 1]) || 512;
const oracle = !args.includes('--no-oracle');
const SAMPLE = 'test/fixtures/evtx/security.evtx';
const CLI = 'server/out/cli.js';

function synth(out, bytes) {
  const s = readFileSync(SAMPLE);
  const chunks = [];
  for (let o = 4096; o + 65536 <= s.length; o += 65536) if (s.subarray(o, o + 8).toString('latin1') === 'ElfChnk\0') chunks.push(s.subarray(o, o + 65536));
  const block = Buffer.concat(chunks);
  const fd = openSync(out, 'w');
  let w = writeSync(fd, s.subarray(0, 4096));
  while (w + 65536 <= bytes) w += writeSync(fd, block, 0, Math.min(block.length, Math.floor((bytes - w) / 65536) * 65536));
  closeSync(fd);
  return w;
}

function timeCli(file) {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [CLI, 'scan', file, '--format', 'json', '--fail-on', 'never'], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(r.stderr);
  const j = JSON.parse(r.stdout);
  return { s, records: j.evidence[0].records };
}

function timePython(file) {
  const py = ['/usr/bin/python3', 'python3'].find((p) => spawnSync(p, ['-c', 'import Evtx']).status === 0);
  if (!py) return undefined;
  const t = process.hrtime.bigint();
  const r = spawnSync(py, ['test/helpers/evtx_oracle.py', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  if (r.status !== 0) throw new Error(r.stderr);
  return { s, records: r.stdout.split('\n').filter(Boolean).length };
}

const mb = (b) => b / 1048576;
const small = statSync(SAMPLE).size;
const ours = timeCli(SAMPLE);
console.log(`same file (${SAMPLE}, ${mb(small).toFixed(1)} MB, ${ours.records} records):`);
console.log(`  relaylint   ${ours.s.toFixed(2)} s  ${(mb(small) / ours.s).toFixed(1)} MB/s (whole CLI run, start-up included)`);
if (oracle) {
  const py = timePython(SAMPLE);
  if (py) console.log(`  python-evtx ${py.s.toFixed(2)} s  ${(mb(small) / py.s).toFixed(2)} MB/s (records rendered as XML and parsed, ${py.records} records)`);
  else console.log('  python-evtx not installed (apt-get install -y python3-evtx)');
}
const dir = mkdtempSync(join(tmpdir(), 'relaylint-bench-evtx-'));
try {
  const big = join(dir, 'big.evtx');
  const bytes = synth(big, sizeMb * 1048576);
  const r = timeCli(big);
  console.log(`synthetic log (${mb(bytes).toFixed(0)} MB, ${r.records} records): relaylint ${r.s.toFixed(2)} s, ${(mb(bytes) / r.s).toFixed(1)} MB/s`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
