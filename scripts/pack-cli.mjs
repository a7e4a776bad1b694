#!/usr/bin/env node
// `npm run pack:cli`: the relaylint CLI as an installable npm tarball, relaylint-<version>.tgz, in the
// repository root. It holds the bundled CLI (server/out/cli.js, the launcher, with the program
// cli-main.js and the reading thread cli-feed.js it starts; no runtime dependencies), a README and
// the licence, so `npm install --global ./relaylint-<version>.tgz` works offline and puts `relaylint`
// on the PATH. The package is never published under a registry name: install it from the file.
//   node scripts/pack-cli.mjs [--out <dir>]   (after `npm run build -- --production`; npm run pack:cli does both)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outAt = process.argv.indexOf('--out');
const OUT = outAt > 0 && process.argv[outAt + 1] ? resolve(process.argv[outAt + 1]) : ROOT;
const STAGE = join(OUT, '.pack-cli');
const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const cli = join(ROOT, 'server', 'out', 'cli.js');
if (!existsSync(cli)) {
  console.error('pack-cli: server/out/cli.js is missing: run `npm run build` first (npm run pack:cli does)');
  process.exit(2);
}

rmSync(STAGE, { recursive: true, force: true });
mkdirSync(STAGE, { recursive: true });
// The launcher starts the other two by name from its own folder (server/src/cli/launch.ts).
const BUNDLES = ['cli.js', 'cli-main.js', 'cli-feed.js'];
for (const b of BUNDLES) {
  const from = join(ROOT, 'server', 'out', b);
  if (!existsSync(from)) {
    console.error(`pack-cli: server/out/${b} is missing: run \`npm run build\` first (npm run pack:cli does)`);
    process.exit(2);
  }
  copyFileSync(from, join(STAGE, b));
}
copyFileSync(join(ROOT, 'LICENSE'), join(STAGE, 'LICENSE'));

const manifest = {
  name: root.name,
  version: root.version,
  description: 'relaylint CLI: audits Group Policy exports (GptTmpl.inf, .reg, GPP Registry.xml, gpreport/RSoP XML, Registry.pol) for SMB signing, SMBv1, LDAP signing and channel binding, NTLM and Netlogon settings. Text, JSON and SARIF output.',
  license: root.license,
  bin: { relaylint: 'cli.js' },
  files: [...BUNDLES, 'README.md', 'LICENSE'],
  engines: { node: root.engines?.node ?? '>=20' },
  keywords: root.keywords,
  // built from the relaylint repository; installed from this file, never from a registry name
  private: true,
};
writeFileSync(join(STAGE, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');
writeFileSync(
  join(STAGE, 'README.md'),
  `# relaylint ${root.version} (CLI)

Audits Windows Group Policy exports for the settings that stop NTLM relay and man-in-the-middle
attacks. Built from the relaylint repository with \`npm run pack:cli\`; install it from this file:

\`\`\`sh
npm install --global ./relaylint-${root.version}.tgz     # no network needed: no dependencies
relaylint rules                                    # the rule catalog
relaylint scan gpo/ --format sarif --output relaylint.sarif
\`\`\`

Exit codes: 0 clean, 1 findings at or above \`--fail-on\`, 2 usage or I/O error. See the repository
README for every option.
`,
);

// `npm pack` in the staging folder; the tarball lands in the repository root (or --out).
const r = spawnSync('npm', ['pack', '--pack-destination', OUT, '--loglevel=error'], { cwd: STAGE, encoding: 'utf8' });
if (r.status !== 0) {
  console.error(`pack-cli: npm pack failed (${r.status}):\n${r.stdout}${r.stderr}`);
  process.exit(1);
}
const name = `${root.name}-${root.version}.tgz`;
const tgz = join(OUT, name);
if (!existsSync(tgz)) {
  console.error(`pack-cli: npm pack did not write ${name}:\n${r.stdout}`);
  process.exit(1);
}
rmSync(STAGE, { recursive: true, force: true });
const sha256 = createHash('sha256').update(readFileSync(tgz)).digest('hex');
console.log(`${name}  sha256 ${sha256}`);
