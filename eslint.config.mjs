// ESLint (flat config): typescript-eslint's recommended rules with zero warnings allowed, plus the
// architecture boundaries: the core stays pure, and the adapters reach it through core/index.ts only.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const CORE_IMPURE = [
  { name: 'vscode', message: 'The core is pure: no vscode API.' },
  { name: 'fs', message: 'The core is pure: the adapters read files and hand bytes to it.' },
  { name: 'node:fs', message: 'The core is pure: the adapters read files and hand bytes to it.' },
  { name: 'fs/promises', message: 'The core is pure: no file system.' },
  { name: 'node:fs/promises', message: 'The core is pure: no file system.' },
  { name: 'child_process', message: 'The core is pure: no processes.' },
  { name: 'node:child_process', message: 'The core is pure: no processes.' },
  { name: 'net', message: 'No network, ever.' },
  { name: 'node:net', message: 'No network, ever.' },
  { name: 'http', message: 'No network, ever.' },
  { name: 'node:http', message: 'No network, ever.' },
  { name: 'https', message: 'No network, ever.' },
  { name: 'node:https', message: 'No network, ever.' },
];

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
  {
    files: ['server/src/lsp/**/*.ts', 'server/src/cli.ts', 'server/src/cli/**/*.ts', 'server/src/io/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)core/(?!index$).+',
              message: 'Adapters reach the core through server/src/core/index.ts only (one door).',
            },
          ],
        },
      ],
    },
  },
  {
    // io/: the file-system adapters the CLI and the language server share; they import neither.
    files: ['server/src/io/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '(^|/)core/(?!index$).+', message: 'Adapters reach the core through server/src/core/index.ts only (one door).' },
            { regex: '(^|/)(cli|lsp)(/|$)', message: 'io/ is shared by the CLI and the language server: it imports neither.' },
          ],
        },
      ],
    },
  },
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
