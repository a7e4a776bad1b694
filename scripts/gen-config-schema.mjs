// Writes the JSON schema of the config file (schemas/relaylint.schema.json, and
// schemas/package.schema.json for the `relaylint` key of a package.json) from the rule catalog, so
// VS Code completes and checks relaylint.json (package.json contributes.jsonValidation).
//
//   node scripts/gen-config-schema.mjs           write the schemas
//   node scripts/gen-config-schema.mjs --check   exit 1 if they are out of date (test/lsp runs this)
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCore, root } from './load-core.mjs';

const check = process.argv.includes('--check');

function loadCatalog() {
  return loadCore("export { allRules, docsUrl } from './server/src/core/catalog';");
}

const { allRules, docsUrl } = await loadCatalog();
const LEVELS = ['off', 'hint', 'info', 'warning', 'error'];
const nonEmpty = { type: 'string', pattern: '\\S' };
const glob = { type: 'string', pattern: '^[^\\\\]*[^\\\\\\s][^\\\\]*$', description: 'A path glob relative to the folder of this file, with "/" between folders: *, ?, **, [abc], {a,b}. Without a "/" it matches a name at any depth; a matching folder matches everything in it. Case-insensitive.' };
const globs = { anyOf: [{ $ref: '#/definitions/glob' }, { type: 'array', items: { $ref: '#/definitions/glob' } }] };
const paths = { anyOf: [nonEmpty, { type: 'array', items: nonEmpty }] };

const rules = {};
for (const rule of allRules) {
  const name = 'displayName' in rule ? ` ${rule.displayName}.` : '';
  rules[rule.id] = { $ref: '#/definitions/level', markdownDescription: `**${rule.title}** (default: \`${rule.severity}\`).${name} [Documentation](${docsUrl(rule.id)})` };
}

const role = {
  enum: ['any', 'dc', 'member'],
  markdownEnumDescriptions: [
    'The GPOs may apply to domain controllers and to members: judge DC-only settings too.',
    'The GPOs apply to domain controllers.',
    'The GPOs apply to member servers and workstations only: DC-only settings are not judged.',
  ],
  description: 'Which machines the Group Policy files apply to.',
};
const targetOs = {
  enum: ['legacy', 'win11-24h2', 'ws2025'],
  markdownEnumDescriptions: [
    'Some machines run Windows before Windows 11 24H2 / Server 2025: assume the older, weaker defaults.',
    'The oldest machines run Windows 11 24H2.',
    'The oldest machines run Windows Server 2025.',
  ],
  description: 'The oldest Windows the Group Policy files apply to; operating system defaults changed in Windows 11 24H2 and Windows Server 2025.',
};

const schema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'relaylint configuration (relaylint.json)',
  description: 'Shared by the relaylint CLI and editor. The nearest relaylint.json (or package.json "relaylint" key) above a file applies.',
  type: 'object',
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    role,
    targetOs,
    rules: { $ref: '#/definitions/rules' },
    overrides: {
      type: 'array',
      description: 'Role, target OS and rule levels for the files that match; later entries win.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['files'],
        properties: {
          files: { anyOf: [{ $ref: '#/definitions/glob' }, { type: 'array', minItems: 1, items: { $ref: '#/definitions/glob' } }] },
          role,
          targetOs,
          rules: { $ref: '#/definitions/rules' },
        },
      },
    },
    ignore: { ...globs, description: 'Files that are not checked.' },
    exceptions: {
      type: 'array',
      description: 'Accepted findings, each with a reason (shown wherever it applies) and an optional expiry date after which the finding is reported again.',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['rule', 'reason'],
        properties: {
          rule: { anyOf: [{ $ref: '#/definitions/ruleId' }, { type: 'array', minItems: 1, items: { $ref: '#/definitions/ruleId' } }] },
          files: { ...globs, description: 'The files it applies to (default: every file under this config).' },
          reason: { ...nonEmpty, description: 'Why the finding is accepted (ticket, owner, plan).' },
          expires: { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'The last day the exception applies (YYYY-MM-DD); afterwards the finding is reported again.' },
        },
      },
    },
    topology: { ...paths, description: 'Where the domain topology export is (relative to this file).' },
    evidence: { ...paths, description: 'Where the event-log evidence is (files or folders, relative to this file).' },
  },
  definitions: {
    level: { enum: LEVELS },
    ruleId: { enum: allRules.map((r) => r.id) },
    glob,
    rules: {
      type: 'object',
      description: 'A level per rule id: off, hint, info, warning or error.',
      additionalProperties: false,
      properties: rules,
    },
  },
};

const pkgSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'relaylint configuration in package.json',
  type: 'object',
  properties: { relaylint: { $ref: './relaylint.schema.json' } },
};

let stale = 0;
for (const [file, value] of [
  ['schemas/relaylint.schema.json', schema],
  ['schemas/package.schema.json', pkgSchema],
]) {
  const path = resolve(root, file);
  const text = JSON.stringify(value, null, 2) + '\n';
  const before = existsSync(path) ? readFileSync(path, 'utf8') : '';
  if (before === text) continue;
  if (check) {
    console.error(`${file} is out of date. Run: node scripts/gen-config-schema.mjs`);
    stale++;
  } else {
    writeFileSync(path, text);
    console.log(`wrote ${file}`);
  }
}
if (stale) process.exit(1);
if (check) console.log(`schemas up to date (${allRules.length} rules)`);
