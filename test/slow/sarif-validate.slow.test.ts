/**
 * Proves the SARIF validator used by the tests is live: it must reject logs that are invalid in
 * the ways relaylint could get wrong, name the rule that caught each defect, and accept a clean log.
 * Each validateSarif call runs the Multitool once (about 1 to 2.5 s).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { MULTITOOL_ABORT, validateSarif } from '../helpers/sarif-validate';
import type { SarifValidation } from '../helpers/sarif-validate';

const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function driver(): object {
  return {
    name: 'relaylint',
    version: '0.1.0',
    informationUri: 'https://github.com/relaylint/relaylint',
    rules: [
      {
        id: 'RL1001',
        name: 'SmbServerRequireSigning',
        shortDescription: { text: 'SMB server signing must be required.' },
        fullDescription: { text: 'Microsoft network server: Digitally sign communications (always) must be enabled.' },
        helpUri: 'https://github.com/relaylint/relaylint/blob/main/docs/rules/smb.server.require.md',
      },
    ],
  };
}

function result(overrides: Record<string, unknown> = {}, startLine = 3): object {
  return {
    ruleId: 'RL1001',
    ruleIndex: 0,
    level: 'error',
    message: { text: 'SMB server signing is not required.' },
    locations: [{ physicalLocation: { artifactLocation: { uri: 'GptTmpl.inf' }, region: { startLine, startColumn: 1 } } }],
    ...overrides,
  };
}

function log(runs: object[]): object {
  return { $schema: SCHEMA, version: '2.1.0', runs };
}

let dir: string;
function validate(name: string, content: object | string): SarifValidation {
  const file = join(dir, name);
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return validateSarif(file);
}

/** The one error reported by `ruleId` whose text matches `text`. */
function hasError(v: SarifValidation, ruleId: string, text: RegExp): void {
  const hits = v.errors.filter((e) => e.startsWith(`${ruleId} `) || e.startsWith(`${ruleId}:`));
  assert.ok(hits.some((e) => text.test(e)), `expected a ${ruleId} error matching ${text}; errors:\n${v.errors.join('\n')}`);
}

describe('validateSarif (SARIF Multitool)', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'relaylint-sarif-test-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('a minimal valid log has no errors and no warnings', () => {
    const v = validate('valid.sarif', log([{ tool: { driver: driver() }, results: [result()] }]));
    assert.deepEqual(v, { errors: [], warnings: [] });
  });

  test('a run without tool and a region with startLine 0 are schema errors', () => {
    const v = validate('structure.sarif', log([{ results: [] }, { tool: { driver: driver() }, results: [result({}, 0)] }]));
    hasError(v, 'JSON1002', /runs\[0\]: The required property 'tool' is missing/);
    hasError(v, 'JSON1008', /runs\[1\]\.results\[0\]\.locations\[0\]\.physicalLocation\.region\.startLine: 0 is less than the minimum permitted value of 1/);
  });

  test('a ruleIndex outside tool.driver.rules is a SARIF1009 error, startLine 0 a JSON1008 one', () => {
    const v = validate('semantics.sarif', log([{ tool: { driver: driver() }, results: [result({ ruleIndex: 5 }, 0)] }]));
    hasError(v, 'SARIF1009', /runs\[0\]\.results\[0\].*'ruleIndex' with value 5.*runs\[0\]\.tool\.driver\.rules/);
    hasError(v, 'JSON1008', /startLine: 0 is less than the minimum permitted value of 1/);
    hasError(v, 'SARIF1007', /runs\[0\]\.results\[0\]\.locations\[0\]\.physicalLocation\.region/);
  });

  test('a result level outside the SARIF vocabulary is an error, not a silent pass', () => {
    // Sarif.Multitool 5.x abandons such a log without a single result; the helper must say so and
    // recover the schema results.
    const v = validate('level.sarif', log([{ tool: { driver: driver() }, results: [result({ level: 'fatal' })] }]));
    hasError(v, 'JSON1019', /runs\[0\]\.results\[0\]\.level: "fatal" does not match any of the enum values \["none", "note", "warning", "error"\]/);
    hasError(v, MULTITOOL_ABORT, /Requested value 'Fatal' was not found/);
  });

  test('bad level, startLine 0 and ruleIndex out of range at once: every schema defect is reported, at its line', () => {
    const content = log([{ tool: { driver: driver() }, results: [result({ level: 'fatal', ruleIndex: 5 }, 0)] }]);
    const v = validate('all.sarif', content);
    const lines = JSON.stringify(content, null, 2).split('\n');
    const lineOf = (needle: string): number => lines.findIndex((l) => l.includes(needle)) + 1;
    hasError(v, 'JSON1019', new RegExp(`^JSON1019 \\(${lineOf('"level": "fatal"')}:\\d+\\): runs\\[0\\]\\.results\\[0\\]\\.level: "fatal"`));
    hasError(v, 'JSON1008', new RegExp(`^JSON1008 \\(${lineOf('"startLine": 0')}:\\d+\\): .*startLine: 0 is less than the minimum permitted value of 1`));
    // The SDK cannot load the log, so no SARIF1xxx rule (SARIF1009 for the ruleIndex) can run.
    hasError(v, MULTITOOL_ABORT, /SARIF1xxx\/SARIF2xxx rules could not run; the JSON schema results are reported separately/);
  });

  test('an integer property holding a string is an error', () => {
    const v = validate('type.sarif', log([{ tool: { driver: driver() }, results: [result({ ruleIndex: 'zero' })] }]));
    hasError(v, 'JSON1001', /runs\[0\]\.results\[0\]\.ruleIndex: The schema requires one of the types \[Integer\], but a token of type 'String' was found/);
    hasError(v, MULTITOOL_ABORT, /Could not convert string to integer: zero\. Path 'runs\[0\]\.results\[0\]\.ruleIndex'/);
  });

  test('a log that is schema-valid but that the SDK cannot load still fails', () => {
    const v = validate('overflow.sarif', log([{ tool: { driver: driver() }, results: [result({}, 99_999_999_999)] }]));
    assert.equal(v.errors.length, 1, v.errors.join('\n'));
    hasError(v, MULTITOOL_ABORT, /too large or small for an Int32/);
  });

  test('a file that is not JSON is a JSON0001 error', () => {
    const v = validate('garbage.sarif', 'not json');
    hasError(v, 'JSON0001', /JSON syntax error/);
  });

  test('warnings are reported separately from errors', () => {
    const d = { ...driver(), informationUri: undefined };
    const v = validate('warning.sarif', log([{ tool: { driver: d }, results: [result()] }]));
    assert.deepEqual(v.errors, []);
    assert.ok(v.warnings.some((w) => /^SARIF2005 .*does not provide 'informationUri'/.test(w)), v.warnings.join('\n'));
  });

  test('a missing Multitool or input file throws a clear error', () => {
    const saved = process.env.SARIF_MULTITOOL;
    process.env.SARIF_MULTITOOL = join(dir, 'no-such-multitool');
    try {
      assert.throws(() => validateSarif(join(dir, 'valid.sarif')), /SARIF Multitool not found at .*no-such-multitool/);
    } finally {
      if (saved === undefined) delete process.env.SARIF_MULTITOOL;
      else process.env.SARIF_MULTITOOL = saved;
    }
    assert.throws(() => validateSarif(join(dir, 'absent.sarif')), /no such file/);
  });
});
