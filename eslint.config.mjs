// ESLint (flat config): typescript-eslint's recommended rules with zero warnings allowed, plus the
// architecture boundaries: the core stays pure, and the adapters reach it through core/index.ts only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Each module under its plain and its `node:` name. */
const banned = (names, message) => names.flatMap((n) => [{ name: n, message }, { name: `node:${n}`, message }]);

const CORE_IMPURE = [
  { name: 'vscode', message: 'The core is pure: no vscode API.' },
  ...banned(['fs'], 'The core is pure: the adapters read files and hand bytes to it.'),
  ...banned(['fs/promises'], 'The core is pure: no file system.'),
  ...banned(['child_process'], 'The core is pure: no processes.'),
  ...banned(['net', 'http', 'https'], 'No network, ever.'),
];

const ONE_DOOR = { regex: '(^|/)core/(?!index$).+', message: 'Adapters reach the core through server/src/core/index.ts only (one door).' };
/** `no-restricted-imports` for adapter code: the one door, plus the given patterns. */
const adapterImports = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns: [ONE_DOOR, ...patterns] }] });

export default tseslint.config(
  { ignores: ['**/out/**', '.test-out/**', '.tsc-out/**', 'node_modules/**', '.e2e/**', 'test/e2e/**', 'test/fixtures/**', 'examples/**', 'scripts/**', 'bench/**', '*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-control-regex': 'off',
    },
  },
  {
    // Tests pin exact text output (columns of spaces included): spelled-out spaces read better there.
    files: ['test/**/*.ts'],
    rules: { 'no-regex-spaces': 'off' },
  },
  {
    files: ['server/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: CORE_IMPURE,
          patterns: [
            { regex: '^vscode-languageserver', message: 'The core is pure: no LSP library.' },
            { regex: '^vscode-languageclient', message: 'The core is pure: no LSP library.' },
            { regex: '(^|/)(lsp|cli|io)(/|$)', message: 'The core never imports an adapter.' },
          ],
        },
      ],
    },
  },
  { files: ['server/src/cli.ts', 'server/src/cli/**/*.ts'], rules: adapterImports() },
  // The language server shares file access with the CLI through io/, never through cli/.
  { files: ['server/src/lsp/**/*.ts'], rules: adapterImports({ regex: '(^|/)cli(/|$)', message: 'The language server uses io/ (shared with the CLI), not cli/.' }) },
  // io/: the file-system adapters the CLI and the language server share; they import neither.
  { files: ['server/src/io/**/*.ts'], rules: adapterImports({ regex: '(^|/)(cli|lsp)(/|$)', message: 'io/ is shared by the CLI and the language server: it imports neither.' }) },
  {
    files: ['client/src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)server/', message: 'The client talks to the server over LSP only.' }] },
      ],
    },
  },
);
