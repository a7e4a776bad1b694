/**
 * Why a GPO applies nowhere: one judgement for every output that says it (the `gpo.applies-nowhere`
 * finding on a GPO's files, `gpos[].appliesNowhere` and its text line, the editor's diagnostics,
 * which read `gpos[]`, and the links a scope drops), over facts each caller gathers from what it read.
 *
 * Precedence, first match wins (the checks in `CHECKS`, in this order):
 * 1. the computer side is disabled (GPO status, scope-and-evidence.md P8);
 * 2. `gPCFunctionalityVersion` is exported and not 2 (P9);
 * 3. security filtering excludes every computer: members and domain controllers, or the given role (P10);
 * 4. its group policy container is not in an LDIF export that holds the other containers of its
 *    domain, so every link to it is dropped (§1.2 step 3, §2.1);
 * 5. no link to the GPO (P1);
 * 6. every link to the GPO is disabled (P7).
 * Links come from the topology when one with scopes of management is known, else from the GPO's
 * report (`<LinksTo>`); without either they are unknown and checks 4 to 6 do not apply.
 * Where a fact was read is part of the reason: the GPO's own files (a report, then Backup.xml) are
 * named before the topology when both carry it.
 */
import { versionGateReason } from '../topology/model';
import { excludedEverywhere, excludedReason, type ApplyTrustees, type FilterRole } from './filtering';

/** Where a fact about a GPO was read. */
export type FactSource = 'report' | 'backup' | 'topology';

export interface NowhereFacts {
  /** The computer side is disabled, and the first source that says so. */
  computerOff?: FactSource;
  /** LDIF `gPCFunctionalityVersion` as exported (raw); absent: not exported. */
  functionalityVersion?: string;
  /** The trustees allowed / denied Apply Group Policy, and where they were read. */
  filtering?: { trustees: ApplyTrustees; from: FactSource };
  /** The links to the GPO and where they were read (topology or report); absent: unknown. */
  links?: { from: 'report' | 'topology'; total: number; enabled: number };
  /** The topology links the GPO only where its group policy container is missing from an LDIF export that holds the others of its domain. */
  containerMissing?: boolean;
}

/**
 * Facts with every field present (undefined when not known): the checks below then see one kind
 * of object, where facts built field by field in different orders sent them back to the
 * optimizing compiler (bench/README.md, wave 10).
 */
export function nowhereFacts(computerOff?: FactSource, functionalityVersion?: string, filtering?: NowhereFacts['filtering'], links?: NowhereFacts['links'], containerMissing?: boolean): NowhereFacts {
  return { computerOff, functionalityVersion, filtering, links, containerMissing };
}

export type NowhereCode = 'computer-off' | 'version' | 'filtered' | 'container-missing' | 'unlinked' | 'links-disabled';

/** The short form of the container-missing reason: a scope's `dropped` list says it per link (scope/order.ts). */
export const CONTAINER_MISSING_SHORT = 'its group policy container is not in the LDIF export (deleted GPO?)';

export interface NowhereReason {
  code: NowhereCode;
  /** The sentence the finding and `gpos[]` carry. */
  why: string;
  /** The short form of a scope's `dropped` list. */
  short: string;
}

const STATUS_TEXT: Record<FactSource, string> = { report: 'GPO status', backup: 'GPO status in Backup.xml', topology: 'GPO status flags in the topology' };
const FILTER_TEXT: Record<FactSource, string> = { report: '', backup: ' (Backup.xml security descriptor)', topology: ' (nTSecurityDescriptor in the topology)' };
const UNLINKED_TEXT = { report: 'its report shows no link', topology: 'no enabled link to it is in the topology' } as const;
const DISABLED_TEXT = { report: 'every link in its report is disabled', topology: 'every link to it is disabled' } as const;
const NOWHERE = ', so its settings apply nowhere';

/** The checks in precedence order; each gives its reason or undefined. `role`: judge for that role only. */
const CHECKS: readonly ((f: NowhereFacts, role: FilterRole | undefined) => NowhereReason | undefined)[] = [
  (f) => (f.computerOff ? { code: 'computer-off', why: `its computer side is disabled (${STATUS_TEXT[f.computerOff]}), so none of its computer settings apply anywhere`, short: 'computer side disabled' } : undefined),
  (f) => {
    const gate = versionGateReason(f.functionalityVersion);
    return gate ? { code: 'version', why: gate, short: `gPCFunctionalityVersion ${f.functionalityVersion}, not 2` } : undefined;
  },
  (f, role) => {
    if (!f.filtering) return undefined;
    const excluded = role ? excludedReason(f.filtering.trustees, role) : excludedEverywhere(f.filtering.trustees);
    return excluded ? { code: 'filtered', why: `${excluded}${FILTER_TEXT[f.filtering.from]}${NOWHERE}`, short: excluded } : undefined;
  },
  (f) =>
    f.containerMissing
      ? {
          code: 'container-missing',
          why: `its group policy container is not in the LDIF export, which holds the other containers of its domain (a deleted GPO whose SYSVOL folder was left behind, or an incomplete export); its links are dropped${NOWHERE}`,
          short: CONTAINER_MISSING_SHORT,
        }
      : undefined,
  (f) => (f.links && f.links.total === 0 ? { code: 'unlinked', why: `${UNLINKED_TEXT[f.links.from]}${NOWHERE}`, short: 'no link' } : undefined),
  (f) => (f.links && f.links.total > 0 && f.links.enabled === 0 ? { code: 'links-disabled', why: `${DISABLED_TEXT[f.links.from]}${NOWHERE}`, short: 'link disabled' } : undefined),
];

/**
 * Why the GPO of `facts` applies nowhere (first check of the precedence order that holds), or
 * undefined when it applies somewhere or that cannot be told. With `role`, security filtering is
 * judged for computers of that role only (a scope's list of the GPOs that apply there).
 */
export function appliesNowhereReason(facts: NowhereFacts, role?: FilterRole): NowhereReason | undefined {
  for (const check of CHECKS) {
    const r = check(facts, role);
    if (r) return r;
  }
  return undefined;
}
