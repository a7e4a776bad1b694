// Bundles the three entry points: the VS Code client, the language server and the CLI.
// `node esbuild.mjs` (development, with source maps), `--production` (minified, no maps), `--watch`.
import * as esbuild from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  legalComments: 'none',
  define: { RELAYLINT_VERSION: JSON.stringify(pkg.version) },
};

const builds = [
  { ...common, entryPoints: ['client/src/extension.ts'], outfile: 'client/out/extension.js', external: ['vscode'] },
  { ...common, entryPoints: ['server/src/lsp/server.ts'], outfile: 'server/out/server.js' },
  // The server parses a large topology export on a thread of its own (lsp/topology-parse.ts).
  { ...common, entryPoints: ['server/src/lsp/topology-thread.ts'], outfile: 'server/out/topology-thread.js' },
  // The CLI is three bundles: the `relaylint` command is a small launcher (cli/launch.ts) that starts
  // the program (cli.ts) and the reading thread (cli/feed-thread.ts) on worker threads, so neither
  // the launching thread nor the reading thread loads the whole program (bench/README.md).
  { ...common, entryPoints: ['server/src/cli/launch.ts'], outfile: 'server/out/cli.js', banner: { js: '#!/usr/bin/env node' } },
  { ...common, entryPoints: ['server/src/cli.ts'], outfile: 'server/out/cli-main.js' },
  { ...common, entryPoints: ['server/src/cli/feed-thread.ts'], outfile: 'server/out/cli-feed.js' },
];

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('esbuild: watching');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
