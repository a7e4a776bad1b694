/**
 * The core's public API: what the CLI, the language server and the tests import.
 * Nothing below this folder imports vscode, vscode-languageserver or node:fs.
 */
export * from './types';
export { decode, applyEdits, applyEditsToBytes, LineIndex, dominantEol, lineIndexFor, viewLineIndex, escapeControls } from './text';
export { detectFormat, parseText, parseBytes, polHive, type ByteSource as ParseByteSource } from './parse';
export { lint, lintJudged, fixAllEdits } from './engine';
export { isSettingRule, type Rule, type SettingRule, type MetaRule } from './catalog/types';
export { mdLiteral, ruleMarkdown } from './catalog/render';
export { allRules, settingRules, ruleById, settingRuleById, metaRuleById, ruleForValue, ruleOf, docsUrl, DEFAULT_DOCS_BASE } from './catalog';
export { LIMITS } from './limits';
export { Column } from './column';
export { BoundedInterner, detach } from './intern';
export { CoverageAccumulator, coverageSources, type CoverageEntry, type CoverageSource } from './coverage';
export { displayKey } from './keys';
export { emptyParse } from './parsers/empty';
export { parsePol } from './parsers/pol';
export { boundFindings, FINDING_LIMITS } from './bounds';
export { hoverAt, type HoverOptions, type HoverResult } from './hover';
export { completionsAt, type CompletionEntry, type CompletionKind } from './completion';
export { formatProviders, providerOf, candidateExtensions, textFormats, type FormatProvider, type CommentSyntax } from './formats';
export { judgeFile, judgeValue, isPolicyJudgement, DEFAULT_PROFILE, type Judged, type JudgedStatus, type Profile } from './judge';
export { applicabilityOf, type FixAllOptions } from './engine';
export { filePolicy, OBSERVATION_CODES, PolicySetBuilder, appliesNowhereByFiles, appliesNowhereFindings, type TopologyReach, type FilePolicy, type Observation, type PolicySet, type PolicyGpo, type GpoFacts, type Extension } from './policy/set';
export { parseGptIni, parseBackupXml, parseBkupInfo, mergeIdentity, type GpoIdentity } from './policy/identity';
export { computersAdvice, ComputersStream, emptyPart, givesTopology, LoadComputers, withNothingRead, sharpHoundTypeByName, sharpHoundTypeOfTail, readTopologyInput, mergeTopology, topologyFromReports, topologyReach, type Topology, type TopologyPart, type TopologyProblem, type InflateRaw, type ZipEntry } from './topology';
export { EXTENSION_LABEL, effectivePolicy, effectivePolicyStream, computeEffective, scopeSections, appliesNowhere, readinessScopes, readinessScope, type EffectivePolicy, type EffectiveStream, type EffectiveView, type ScopeResult, type EffectiveEntry, type GpoSummary } from './scope';
export {
  detectEvidence,
  readEvidenceFile,
  readEvidenceSteps,
  runSteps,
  type EvidenceProgress,
  EvidenceCollector,
  EVENT_KINDS,
  RULE_EVIDENCE,
  bytesSource,
  type ByteSource,
  type EvidenceFormat,
  auditSwitchesFrom,
  type EvidenceFileSummary,
  type EvidenceProblem,
  type Readiness,
  type ReadinessClient,
  type ReadinessOptions,
  type ReadinessScope,
  type ReadinessStatus,
} from './evidence';
export {
  parseConfigText,
  validateConfig,
  resolveForFile,
  lintOptionsFor,
  globMatches,
  todayIso,
  describeConfigProblem,
  CONFIG_FILE_NAME,
  PACKAGE_JSON_KEY,
  RULE_LEVELS,
  type RelaylintConfig,
  type ConfigProblem,
  type ConfigParseResult,
  type ResolvedFileConfig,
  type BaseOptions,
  type RuleLevel,
} from './config';
export * as posture from './posture';
export { compareText } from './collate';
