/**
 * ADMX policies in GPO reports → registry values.
 *
 * A report's Registry extension lists Administrative Template policies by display name and state
 * (`Policy` → `Name`, `State`, `Category`, parts such as `DropDownList`, `ListBox`), not by registry
 * value (settings-and-formats.md §6.4). Each catalog entry's `admx` field says which policy sets it,
 * under which category, and how the state and its parts become the value; this file only applies
 * those identities (the table below is derived from the catalog).
 *
 * Display strings are not stable (§5.6): names are matched after trimming, collapsing whitespace and
 * lower-casing; drop-down choices are matched on their start, case-insensitively (the dialect
 * drop-down text is UNVERIFIED, so only the version number in it is used). Policies not in the table
 * yield nothing.
 */
import { settingRules } from '../catalog';
import type { AdmxPolicyIdentity } from '../catalog/types';
import type { RegData, RegType, Span } from '../types';
import { childElement, childElements, type XmlElement } from './xml';

export interface AdmxValue {
  key: string;
  name: string;
  type: RegType;
  value: RegData;
  /** Where the value shows in the report; the caller falls back to the State text. */
  valueSpan?: Span;
}

export interface AdmxResult {
  values: AdmxValue[];
  /** Something the user should know: no value could be derived, or one was read by its wording (reported as `info`). */
  note?: string;
}

export interface PolicyInput {
  /** Display name as written, trimmed. */
  name: string;
  /** 'enabled' | 'disabled' | anything else, lower-cased. */
  state: string;
  /** State as written, trimmed. */
  stateText: string;
  category: string;
  policy: XmlElement;
}

/** SMB dialect codes in decimal (§1.8): 0x0202, 0x0210, 0x0300, 0x0302, 0x0311. */
const DIALECTS = new Set([514, 528, 768, 770, 785]);

export function normalizePolicyName(name: string): string {
  return name.replace(/\s+/g, ' ').trim().toLowerCase();
}

/** The last segment of a category path, normalised: `Network/Lanman Server` → `lanman server`. */
function categoryEnd(category: string): string {
  const parts = category.split(/[\\/]/);
  return normalizePolicyName(parts[parts.length - 1] ?? '');
}

/** The chosen item of the policy's first drop-down: `DropDownList/Value/Name`, whitespace collapsed. */
function dropDownChoice(policy: XmlElement): { text: string; span: Span } | undefined {
  for (const dd of childElements(policy, 'DropDownList')) {
    const valueEl = childElement(dd, 'Value');
    const nameEl = valueEl && childElement(valueEl, 'Name');
    if (!nameEl || !nameEl.closed) continue;
    return { text: nameEl.text.replace(/\s+/g, ' ').trim(), span: nameEl.textSpan };
  }
  return undefined;
}

function unknownState(p: PolicyInput): AdmxResult {
  return { values: [], note: `State "${p.stateText}" of policy "${p.name}" is not Enabled or Disabled; no registry value was derived from it.` };
}

function onOff(id: AdmxPolicyIdentity, enabled: number, disabled: number, p: PolicyInput): AdmxResult {
  if (p.state === 'enabled') return { values: [{ key: id.key, name: id.valueName, type: 'REG_DWORD', value: enabled }] };
  if (p.state === 'disabled') return { values: [{ key: id.key, name: id.valueName, type: 'REG_DWORD', value: disabled }] };
  return unknownState(p);
}

/** Enabled + a drop-down choice looked up by prefix; Disabled writes nothing. */
function dropDown(id: AdmxPolicyIdentity, choices: readonly (readonly [string, number, 'inferred'?])[], disabledNote: string | undefined, p: PolicyInput): AdmxResult {
  if (p.state === 'disabled') return disabledNote ? { values: [], note: `Policy "${p.name}" is Disabled: ${disabledNote}` } : { values: [] };
  if (p.state !== 'enabled') return unknownState(p);
  const choice = dropDownChoice(p.policy);
  if (!choice) return { values: [], note: `Policy "${p.name}" is Enabled but its drop-down choice is missing; ${id.valueName} was not derived.` };
  const lower = choice.text.toLowerCase();
  for (const [prefix, value, inferred] of choices) {
    if (!lower.startsWith(prefix)) continue;
    const values: AdmxValue[] = [{ key: id.key, name: id.valueName, type: 'REG_DWORD', value }];
    return inferred
      ? { values, note: `Drop-down choice "${choice.text}" of policy "${p.name}" was read as ${id.valueName} = ${value} from its wording; the value behind this label is not confirmed against a real GPO.` }
      : { values };
  }
  return { values: [], note: `Drop-down choice "${choice.text}" of policy "${p.name}" is not recognised; ${id.valueName} was not derived.` };
}

function dialect(id: AdmxPolicyIdentity, p: PolicyInput): AdmxResult {
  if (p.state === 'disabled') return { values: [] };
  if (p.state !== 'enabled') return unknownState(p);
  const choice = dropDownChoice(p.policy);
  const m = choice ? /(\d)\.(\d)\.(\d)/.exec(choice.text) : null;
  const code = m ? Number(m[1]) * 256 + Number(m[2]) * 16 + Number(m[3]) : NaN;
  if (!choice || !DIALECTS.has(code)) {
    return {
      values: [],
      note: `Policy "${p.name}" is Enabled but no SMB dialect (2.0.2, 2.1.0, 3.0.0, 3.0.2 or 3.1.1) was found in its choice${choice ? ` "${choice.text}"` : ''}; ${id.valueName} was not derived.`,
    };
  }
  return { values: [{ key: id.key, name: id.valueName, type: 'REG_DWORD', value: code }] };
}

function list(id: AdmxPolicyIdentity, p: PolicyInput): AdmxResult {
  if (p.state !== 'enabled') return p.state === 'disabled' ? { values: [] } : unknownState(p);
  const values: AdmxValue[] = [];
  for (const lb of childElements(p.policy, 'ListBox')) {
    for (const v of childElements(lb, 'Value')) {
      for (const el of childElements(v, 'Element')) {
        const nameEl = childElement(el, 'Name');
        const dataEl = childElement(el, 'Data');
        if (!nameEl || !nameEl.closed || (dataEl && !dataEl.closed)) continue;
        // Names can carry bare LFs and padding in some reports (§6.4).
        const name = nameEl.text.trim();
        if (!name) continue;
        values.push({
          key: id.key,
          name,
          type: 'REG_SZ',
          value: dataEl ? dataEl.text.trim() : '',
          valueSpan: dataEl ? dataEl.textSpan : nameEl.textSpan,
        });
      }
    }
  }
  return { values };
}

/** Apply one policy identity (from a catalog entry) to a report policy. */
export function applyAdmxIdentity(id: AdmxPolicyIdentity, p: PolicyInput): AdmxResult {
  const st = id.state;
  switch (st.kind) {
    case 'on-off':
      return onOff(id, st.enabled, st.disabled, p);
    case 'drop-down':
      return dropDown(id, st.choices, st.disabledNote, p);
    case 'smb-dialect':
      return dialect(id, p);
    case 'list':
      return list(id, p);
  }
}

/** The ADMX identities of every catalog entry, by normalised policy name (derived, never edited here). */
const MAPPINGS = new Map<string, AdmxPolicyIdentity[]>();
for (const rule of settingRules) {
  for (const id of rule.admx ?? []) {
    const k = normalizePolicyName(id.name);
    const list = MAPPINGS.get(k) ?? [];
    list.push(id);
    MAPPINGS.set(k, list);
  }
}

/**
 * Map one report `Policy` element. Undefined for a policy relaylint does not know (or a known name
 * under a different category), which callers ignore silently.
 */
export function mapAdmxPolicy(policy: XmlElement): AdmxResult | undefined {
  const nameEl = childElement(policy, 'Name');
  const stateEl = childElement(policy, 'State');
  if (!nameEl || !stateEl || !nameEl.closed || !stateEl.closed) return undefined;
  const candidates = MAPPINGS.get(normalizePolicyName(nameEl.text));
  if (!candidates) return undefined;
  const category = childElement(policy, 'Category')?.text ?? '';
  const cat = normalizePolicyName(category);
  const id = candidates.find((c) => !c.categoryMustMatch || cat.endsWith(categoryEnd(c.category)));
  if (!id) return undefined;
  const input: PolicyInput = { name: nameEl.text.trim(), state: stateEl.text.trim().toLowerCase(), stateText: stateEl.text.trim(), category, policy };
  return applyAdmxIdentity(id, input);
}
