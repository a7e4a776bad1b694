/** The posture report: level ladder per control family × scope, canary headline, next steps, drift, HTML. */
export * from './input';
export { FAMILIES, LEVEL_NAMES, ROLLOUT_ORDER, familyById, topLevel, type FamilyDef, type FamilyId, type LevelDef, type Condition } from './levels';
export { assess, assessCell, canaryHeadline, nextSteps, type Cell, type CondOutcome, type Posture, type ScopePosture, type Step } from './assess';
export { drift, type Drift, type DriftItem, type DriftKind } from './drift';
export { renderPostureHtml, csp, STYLE, SCRIPT, COMPACT_AFTER, type HtmlOptions, type Sink } from './html';
export { cspHash, sha256 } from './sha256';
