// The architecture boundaries in eslint.config.mjs fire: each probe import below is refused with its
// message (and a permitted import is not), so a change to the config cannot drop one silently.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';
import { REPO } from '../helpers/cli';

const CASES: [file: string, code: string, message: string | null][] = [
  ['server/src/core/probe.ts', "import * as fs from 'node:fs';", 'The core is pure: the adapters read files and hand bytes to it.'],
  ['server/src/core/probe.ts', "import * as http from 'http';", 'No network, ever.'],
  ['server/src/core/probe.ts', "import { walk } from '../io/walk';", 'The core never imports an adapter.'],
  ['server/src/cli/probe.ts', "import { judgeFile } from '../core/judge';", 'Adapters reach the core through server/src/core/index.ts only (one door).'],
  ['server/src/lsp/probe.ts', "import { ScopeRun } from '../cli/scope';", 'The language server uses io/ (shared with the CLI), not cli/.'],
  ['server/src/lsp/probe.ts', "import { judgeFile } from '../core/judge';", 'Adapters reach the core through server/src/core/index.ts only (one door).'],
  ['server/src/io/probe.ts', "import { feed } from '../cli/feed';", 'io/ is shared by the CLI and the language server: it imports neither.'],
  ['client/src/probe.ts', "import { walk } from '../../server/src/io/walk';", 'The client talks to the server over LSP only.'],
  ['server/src/lsp/probe.ts', "import { walk } from '../io/walk';", null],
  ['server/src/cli/probe.ts', "import { allRules } from '../core/index';", null],
];

test('every architecture boundary refuses its probe import, with its message', async () => {
  const eslint = new ESLint({ cwd: REPO });
  for (const [file, code, message] of CASES) {
    const [result] = await eslint.lintText(`${code}\nexport const probe = 1;\n`, { filePath: path.join(REPO, file) });
    const restricted = result.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
    if (message === null) assert.deepEqual(restricted, [], `${file}: ${code}`);
    else assert.equal(restricted.length, 1, `${file}: ${code}: ${JSON.stringify(result.messages)}`);
    if (message !== null) assert.ok(restricted[0].endsWith(message), `${file}: ${code}: ${restricted[0]}`);
  }
});
