/**
 * Validates a SARIF log with Microsoft's SARIF Multitool (devDependency
 * @microsoft/sarif-multitool-linux, a self-contained .NET binary): JSON-schema rules (JSON1xxx)
 * plus the SDK's own correctness rules (SARIF1xxx errors, SARIF2xxx warnings).
 *
 * Two Multitool traits this helper works around (seen in 5.0.8, 5.3.1, 5.5.0, 5.6.0 and 5.7.0):
 *
 * 1. `validate` exits 0 and prints "Analysis completed successfully" whatever it finds (by design,
 *    microsoft/sarif-sdk#1799), so the findings are read from its output log, never the exit code.
 *
 * 2. After schema validation, `validate` loads the log into the SDK's object model and only
 *    catches JsonSerializationException there. Any other loader exception (an enum value outside
 *    the SARIF vocabulary such as `"level": "fatal"`, a bad `kind`/`baselineState`/`columnKind`/
 *    `roles`/suppression kind, a string or an out-of-range number where an integer belongs) makes
 *    it drop the file silently: no result at all (not even the schema results it had found), no
 *    notification, `executionSuccessful: true`; every file after it on the command line is dropped
 *    too. So:
 *    - the log is validated together with a sentinel log placed after it that always yields one
 *      known result (JSON1002); a missing sentinel result means the run was abandoned;
 *    - then the log is validated again with `"runs":[{}],` inserted right after its opening brace:
 *      the schema validator (a JObject, where a repeated key replaces the earlier one) still sees
 *      the real runs, while the loader meets the tool-less dummy run first and fails with the
 *      JsonSerializationException it does catch, so the Multitool's schema results survive (the
 *      SARIF1xxx/2xxx rules cannot run on a log the SDK cannot load);
 *    - the loader's exception comes from the `rewrite` verb, which prints it;
 *    - an error with rule id MULTITOOL-ABORT says all this, so such a log can never pass.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SarifValidation {
  /** `RULEID (line:col): message`, for results at level error (including MULTITOOL-ABORT). */
  errors: string[];
  /** Same format, for results at level warning. */
  warnings: string[];
}

/** Rule id of the error reported when the Multitool abandons the log (see trait 2 above). */
export const MULTITOOL_ABORT = 'MULTITOOL-ABORT';

const PACKAGE = '@microsoft/sarif-multitool-linux';
const TIMEOUT_MS = 120_000;
/** A log whose only run lacks `tool`: the Multitool always reports JSON1002 for it. */
const SENTINEL_LOG = '{"version":"2.1.0","runs":[{"results":[]}]}\n';
/**
 * Rule configuration: SARIF2006 (UrisShouldBeReachable) sends an HTTP GET for every URI in the log;
 * it only reports notes, which we drop, so it is disabled to keep the tests off the network. (The
 * Multitool then adds a WRN999.RuleExplicitlyDisabled configuration notification, not an error.)
 */
const CONFIG_XML = `<?xml version="1.0" encoding="utf-8"?>
<Properties>
  <Properties Key="SARIF2006.UrisShouldBeReachable.Options">
    <Property Key="RuleEnabled" Value="Disabled" Type="Driver.RuleEnabledState" />
  </Properties>
</Properties>
`;

/** The Multitool binary: $SARIF_MULTITOOL, else the one in the installed npm package. */
export function multitoolPath(): string {
  const fromEnv = process.env.SARIF_MULTITOOL;
  if (fromEnv) return resolve(fromEnv);
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve(`${PACKAGE}/package.json`));
  } catch {
    // Compiled to .test-out/test/helpers/: the repository root is three levels up.
    pkgDir = join(__dirname, '..', '..', '..', 'node_modules', ...PACKAGE.split('/'));
  }
  return join(pkgDir, 'Sarif.Multitool');
}

function checkBinary(bin: string): void {
  if (process.platform !== 'linux') {
    throw new Error(`validateSarif: ${PACKAGE} only ships a Linux binary (this is ${process.platform}); set SARIF_MULTITOOL to a Multitool for this platform.`);
  }
  if (!existsSync(bin)) {
    throw new Error(`validateSarif: SARIF Multitool not found at ${bin}. Install the devDependency ${PACKAGE} (npm ci) or set SARIF_MULTITOOL.`);
  }
  try {
    accessSync(bin, constants.X_OK);
  } catch {
    throw new Error(`validateSarif: ${bin} is not executable (its postinstall "chmod u+x" did not run, e.g. npm ci --ignore-scripts). Run: chmod u+x '${bin}'`);
  }
}

function runMultitool(bin: string, args: string[]): { status: number | null; out: string } {
  const r = spawnSync(bin, args, {
    encoding: 'utf8',
    timeout: TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
    // The binary aborts at start-up on machines without libicu unless globalization is invariant;
    // validation does not depend on culture data.
    env: { ...process.env, DOTNET_SYSTEM_GLOBALIZATION_INVARIANT: '1', DOTNET_CLI_TELEMETRY_OPTOUT: '1' },
  });
  if (r.error) throw new Error(`validateSarif: could not run ${bin} ${args.join(' ')}: ${r.error.message}`);
  if (r.signal) throw new Error(`validateSarif: ${bin} ${args[0]} was killed by ${r.signal}\n${r.stdout}${r.stderr}`);
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

interface SarifMessage { text?: string; id?: string; arguments?: string[] }
interface SarifRule { id?: string; messageStrings?: Record<string, { text?: string }>; defaultConfiguration?: { level?: string } }
interface SarifResult {
  ruleId?: string;
  ruleIndex?: number;
  level?: string;
  message?: SarifMessage;
  locations?: { physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number; startColumn?: number } } }[];
  properties?: { jsonPath?: string };
}
interface SarifNotification { level?: string; message?: SarifMessage; descriptor?: { id?: string } }
interface OutputLog {
  runs?: {
    tool?: { driver?: { rules?: SarifRule[] } };
    results?: SarifResult[];
    invocations?: { executionSuccessful?: boolean; toolConfigurationNotifications?: SarifNotification[]; toolExecutionNotifications?: SarifNotification[] }[];
  }[];
}

function render(template: string, args: string[] = []): string {
  return template.replace(/\{(\d+)\}/g, (m, i: string) => args[Number(i)] ?? m);
}

function messageOf(result: SarifResult, rule: SarifRule | undefined): string {
  const msg = result.message ?? {};
  if (msg.text) return render(msg.text, msg.arguments);
  const template = msg.id ? rule?.messageStrings?.[msg.id]?.text : undefined;
  if (template) return render(template, msg.arguments);
  return `${msg.id ?? '(no message)'} ${JSON.stringify(msg.arguments ?? [])}`;
}

function uriPath(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : resolve(uri);
  } catch {
    return undefined;
  }
}

/** Why the SDK cannot load the log: the exception the `rewrite` verb prints (it does not swallow it). */
function loaderError(bin: string, input: string, work: string): string {
  const r = runMultitool(bin, ['rewrite', input, '-o', join(work, 'rewrite.sarif'), '--log', 'ForceOverwrite']);
  const line = r.out.split(/\r?\n/).map((l) => l.trim()).find((l) => /^[\w.]+(Exception|Error): /.test(l));
  return line ? line : `no exception reported by "rewrite" (exit ${r.status})`;
}

interface Pass {
  errors: string[];
  warnings: string[];
  /** Whether the sentinel's result came out, i.e. the Multitool did not abandon the run. */
  completed: boolean;
}

/**
 * One `validate` run over `input` and the sentinel. `shift` undoes a text insertion made on line
 * `shift.line` after column `shift.column` (1-based) when reporting positions.
 */
function validatePass(bin: string, work: string, input: string, shift?: { line: number; column: number; length: number }): Pass {
  const sentinel = join(work, 'zz-sentinel.sarif');
  const output = join(work, 'validation.sarif');
  const config = join(work, 'validation.config.xml');
  writeFileSync(sentinel, SENTINEL_LOG);
  writeFileSync(config, CONFIG_XML);
  rmSync(output, { force: true });

  // The Multitool processes its file arguments in order, so the sentinel must come last.
  const args = ['validate', input, sentinel, '-o', output, '--log', 'ForceOverwrite', '-c', config, '--rule-kind', 'Sarif', '--level', 'Error;Warning', '--kind', 'Fail'];
  const run = runMultitool(bin, args);
  if (run.status !== 0) throw new Error(`validateSarif: Sarif.Multitool validate exited with ${run.status}:\n${run.out}`);
  if (!existsSync(output)) throw new Error(`validateSarif: Sarif.Multitool validate wrote no output log:\n${run.out}`);

  let log: OutputLog;
  try {
    log = JSON.parse(readFileSync(output, 'utf8')) as OutputLog;
  } catch (e) {
    throw new Error(`validateSarif: cannot parse the Multitool's output log: ${(e as Error).message}`);
  }
  const outRun = log.runs?.[0];
  if (!outRun) throw new Error(`validateSarif: the Multitool's output log has no run:\n${run.out}`);
  for (const inv of outRun.invocations ?? []) {
    const failures = [...(inv.toolConfigurationNotifications ?? []), ...(inv.toolExecutionNotifications ?? [])].filter((n) => n.level === 'error');
    if (inv.executionSuccessful === false || failures.length > 0) {
      const why = failures.map((n) => `${n.descriptor?.id ?? ''} ${n.message?.text ?? ''}`.trim()).join('; ');
      throw new Error(`validateSarif: Sarif.Multitool validate failed: ${why || 'executionSuccessful is false'}\n${run.out}`);
    }
  }

  const rules = outRun.tool?.driver?.rules ?? [];
  const pass: Pass = { errors: [], warnings: [], completed: false };
  for (const result of outRun.results ?? []) {
    const where = result.locations?.[0]?.physicalLocation;
    if (uriPath(where?.artifactLocation?.uri) === sentinel) {
      pass.completed = true;
      continue;
    }
    const rule = (result.ruleIndex !== undefined ? rules[result.ruleIndex] : undefined) ?? rules.find((r) => r.id === result.ruleId);
    const level = result.level ?? rule?.defaultConfiguration?.level ?? 'warning';
    let pos = '';
    const line = where?.region?.startLine;
    if (line !== undefined) {
      let column = where?.region?.startColumn ?? 1;
      if (shift && line === shift.line && column > shift.column) column = Math.max(shift.column, column - shift.length);
      pos = ` (${line}:${column})`;
    }
    const text = `${result.ruleId ?? '?'}${pos}: ${messageOf(result, rule)}`;
    if (level === 'error') pass.errors.push(text);
    else if (level === 'warning') pass.warnings.push(text);
  }
  return pass;
}

/** Where to insert a dummy first `runs` member: just after the top-level opening brace. */
function openingBrace(text: string): { offset: number; line: number; column: number } | undefined {
  const m = /^\uFEFF?\s*\{/.exec(text);
  if (!m) return undefined;
  const offset = m[0].length;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) - (line === 1 && text.startsWith('\uFEFF') ? 1 : 0);
  return { offset, line, column };
}

/**
 * Validates `file` with `Sarif.Multitool validate <file> <sentinel> -o <log> --log ForceOverwrite
 * -c <config> --rule-kind Sarif --level Error;Warning --kind Fail`.
 * Throws if the Multitool is missing or the run itself fails; validation findings are returned.
 */
export function validateSarif(file: string): SarifValidation {
  const source = resolve(file);
  if (!existsSync(source)) throw new Error(`validateSarif: no such file: ${source}`);
  const bin = multitoolPath();
  checkBinary(bin);

  // realpath: the Multitool reports resolved paths, and tmpdir() may be a symlink (macOS).
  const work = realpathSync(mkdtempSync(join(tmpdir(), 'relaylint-sarif-validate-')));
  try {
    // A fixed name in a private folder: the Multitool treats its arguments as file patterns.
    const input = join(work, 'input.sarif');
    copyFileSync(source, input);
    const full = validatePass(bin, work, input);
    if (full.completed) return { errors: full.errors, warnings: full.warnings };

    // Abandoned (trait 2): recover the schema results with the repeated-"runs" probe.
    const text = readFileSync(source, 'utf8');
    const brace = openingBrace(text);
    let schema: Pass | undefined;
    if (brace) {
      const DUMMY = '"runs":[{}],';
      const probe = join(work, 'schema-only.sarif');
      writeFileSync(probe, text.slice(0, brace.offset) + DUMMY + text.slice(brace.offset));
      schema = validatePass(bin, work, probe, { line: brace.line, column: brace.column + 1, length: DUMMY.length });
      if (!schema.completed) schema = undefined;
    }
    const abort =
      `${MULTITOOL_ABORT}: the SARIF SDK cannot load this log (${loaderError(bin, input, work)}), so Sarif.Multitool ` +
      'abandoned it without a word and its SARIF1xxx/SARIF2xxx rules could not run' +
      (schema ? '; the JSON schema results are reported separately' : '; its JSON schema results are lost too') +
      '. Usual cause: an enum value outside the SARIF 2.1.0 vocabulary (level, kind, baselineState, columnKind, roles, ' +
      'suppression kind) or a string or out-of-range number where an integer belongs.';
    return { errors: [...(schema?.errors ?? []), abort], warnings: schema?.warnings ?? [] };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
