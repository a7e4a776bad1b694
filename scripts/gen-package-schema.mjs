// Writes the per-rule part of the settings schema into package.json: one described property per
// rule id under `relaylint.rules`, generated from the rule catalog, so the Settings UI and
// settings.json completion know every rule. Only that object is touched.
//
//   node scripts/gen-package-schema.mjs           write package.json
//   node scripts/gen-package-schema.mjs --check   exit 1 if package.json is out of date (test/lsp runs this)
//
// The catalog is TypeScript: it is bundled in memory with esbuild and evaluated, no build needed.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCore, root } from './load-core.mjs';

const check = process.argv.includes('--check');

function loadCatalog() {
  return loadCore("export { allRules, docsUrl } from './server/src/core/catalog';");
}

const LEVELS = ['error', 'warning', 'info', 'hint', 'off'];

/** One schema property per rule, in catalog order. */
export function ruleProperties(allRules, docsUrl) {
  const props = {};
  for (const rule of allRules) {
    const name = 'displayName' in rule ? ` ${rule.displayName}.` : '';
    props[rule.id] = {
      type: 'string',
      enum: LEVELS,
      markdownDescription: `**${rule.title}** (default: \`${rule.severity}\`).${name} [Documentation](${docsUrl(rule.id)})`,
    };
  }
  return props;
}

const { allRules, docsUrl } = await loadCatalog();
const path = resolve(root, 'package.json');
const before = readFileSync(path, 'utf8');
const pkg = JSON.parse(before);
const rules = pkg.contributes?.configuration?.properties?.['relaylint.rules'];
if (!rules) {
  console.error('package.json has no contributes.configuration.properties["relaylint.rules"]');
  process.exit(2);
}
const generated = ruleProperties(allRules, docsUrl);
const upToDate = JSON.stringify(rules.properties ?? {}) === JSON.stringify(generated);
rules.properties = generated;
const after = JSON.stringify(pkg, null, 2) + '\n';

if (check) {
  // Compare only the generated object, so formatting elsewhere in package.json never counts as drift.
  if (!upToDate) {
    console.error('package.json: the relaylint.rules schema is out of date. Run: node scripts/gen-package-schema.mjs');
    process.exit(1);
  }
  console.log(`package.json: relaylint.rules schema up to date (${allRules.length} rules)`);
} else if (after !== before) {
  writeFileSync(path, after);
  console.log(`package.json: wrote the relaylint.rules schema (${allRules.length} rules)`);
} else {
  console.log('package.json: relaylint.rules schema already up to date');
}
