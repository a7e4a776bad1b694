// Loads the product's rule catalog (server/src/core/catalog) straight from its TypeScript source,
// bundled in memory with esbuild, so the e2e tests read rule titles, fix titles and hover
// explanations from the catalog instead of copying them. Used by the harness suite (inside the
// extension host) and by the Playwright scenario.
'use strict';
const path = require('path');
const Module = require('module');

const REPO = path.resolve(__dirname, '..', '..', '..');
let cached;

function loadCatalog() {
  if (cached) return cached;
  const esbuild = require(require.resolve('esbuild', { paths: [REPO] }));
  const entry = path.join(REPO, 'server', 'src', 'core', 'catalog', 'index.ts');
  const out = esbuild.buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'silent',
  });
  const m = new Module(entry, module);
  m.filename = entry;
  m.paths = Module._nodeModulePaths(path.dirname(entry));
  m._compile(out.outputFiles[0].text, entry);
  cached = m.exports;
  return cached;
}

/** The setting rule with this id; throws a readable error when the catalog does not have it (yet). */
function rule(id) {
  const r = loadCatalog().ruleById(id);
  if (!r) throw new Error(`rule ${id} is not in server/src/core/catalog (yet)`);
  return r;
}

/** Collapse whitespace: hovers are markdown, wrapping may differ from the catalog's source strings. */
function norm(s) {
  return String(s).replace(/\s+/g, ' ').trim();
}

module.exports = { loadCatalog, rule, norm, REPO };
