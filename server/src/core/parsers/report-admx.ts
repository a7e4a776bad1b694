/**
 * ADMX policies in GPO reports → registry values.
 *
 * A report's Registry extension lists Administrative Template policies by display name and state
 * (`Policy` → `Name`, `State`, `Category`, parts such as `DropDownList`, `ListBox`), not by registry
 * value (settings-and-formats.md §6.4). This table maps the policies relaylint checks to the values
 * their ADMX writes. Sources: §0 rule table, §1.5 (SMBv1, SecGuide ADMX [S30]), §1.8 (Lanman Server /
 * Workstation templates [S9][S10]), §2.3 (LDAP channel binding SecGuide policy).
 *
 * Display strings are not stable (§5.6): names are matched after trimming, collapsing whitespace and
 * lower-casing; drop-down choices are matched on their start, case-insensitively (the dialect
 * drop-down text is UNVERIFIED, so only the version number in it is used). Policies not in the table
 * yield nothing.
 */
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
  /** Something the user should know although no value could be derived (reported as `info`). */
  note?: string;
}

interface PolicyInput {
  /** Display name as written, trimmed. */
  name: string;
  /** 'enabled' | 'disabled' | anything else, lower-cased. */
  state: string;
  /** State as written, trimmed. */
  stateText: string;
  category: string;
  policy: XmlElement;
}

type Side = 'server' | 'workstation';

interface Mapping {
  /** When set, the policy only matches under these Category endings ("…/Lanman Server"). */
  sides?: Side[];
  map(p: PolicyInput, side: Side | undefined): AdmxResult;
}

const POLICIES = 'Software\\Policies\\Microsoft\\Windows';
const LANMAN_KEY: Record<Side, string> = {
  server: `${POLICIES}\\LanmanServer`,
  workstation: `${POLICIES}\\LanmanWorkstation`,
};

/** SMB dialect codes in decimal (§1.8): 0x0202, 0x0210, 0x0300, 0x0302, 0x0311. */
const DIALECTS = new Set([514, 528, 768, 770, 785]);

export function normalizePolicyName(name: string): string {
  return name.replace(/\s+/g, ' ').trim().toLowerCase();
}

function sideOf(category: string): Side | undefined {
  const c = category.replace(/\s+/g, ' ').trim().toLowerCase();
  if (c.endsWith('lanman server')) return 'server';
  if (c.endsWith('lanman workstation')) return 'workstation';
  return undefined;
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

/** Enabled → 1, Disabled → 0. */
function onOff(key: string | ((side: Side | undefined) => string), name: string): Mapping['map'] {
  return (p, side) => {
    const k = typeof key === 'function' ? key(side) : key;
    if (p.state === 'enabled') return { values: [{ key: k, name, type: 'REG_DWORD', value: 1 }] };
    if (p.state === 'disabled') return { values: [{ key: k, name, type: 'REG_DWORD', value: 0 }] };
    return unknownState(p);
  };
}

/** Enabled + a drop-down choice looked up by prefix; Disabled writes nothing. */
function dropDown(
  key: string,
  name: string,
  choices: [prefix: string, value: number][],
  onDisabled?: (p: PolicyInput) => AdmxResult,
): Mapping['map'] {
  return (p) => {
    if (p.state === 'disabled') return onDisabled ? onDisabled(p) : { values: [] };
    if (p.state !== 'enabled') return unknownState(p);
    const choice = dropDownChoice(p.policy);
    if (!choice) return { values: [], note: `Policy "${p.name}" is Enabled but its drop-down choice is missing; ${name} was not derived.` };
    const lower = choice.text.toLowerCase();
    for (const [prefix, value] of choices) {
      if (lower.startsWith(prefix)) return { values: [{ key, name, type: 'REG_DWORD', value }] };
    }
    return { values: [], note: `Drop-down choice "${choice.text}" of policy "${p.name}" is not recognised; ${name} was not derived.` };
  };
}

function dialect(valueName: string): Mapping['map'] {
  return (p, side) => {
    if (p.state === 'disabled') return { values: [] };
    if (p.state !== 'enabled') return unknownState(p);
    const choice = dropDownChoice(p.policy);
    const m = choice ? /(\d)\.(\d)\.(\d)/.exec(choice.text) : null;
    const code = m ? Number(m[1]) * 256 + Number(m[2]) * 16 + Number(m[3]) : NaN;
    if (!choice || !DIALECTS.has(code)) {
      return {
        values: [],
        note: `Policy "${p.name}" is Enabled but no SMB dialect (2.0.2, 2.1.0, 3.0.0, 3.0.2 or 3.1.1) was found in its choice${choice ? ` "${choice.text}"` : ''}; ${valueName} was not derived.`,
      };
    }
    return { values: [{ key: LANMAN_KEY[side ?? 'server'], name: valueName, type: 'REG_DWORD', value: code }] };
  };
}

function hardenedPaths(p: PolicyInput): AdmxResult {
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
          key: `${POLICIES}\\NetworkProvider\\HardenedPaths`,
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

const MAPPINGS = new Map<string, Mapping>([
  // §1.5 [S30]: SecGuide "Configure SMB v1 server" writes LanmanServer\Parameters\SMB1.
  ['configure smb v1 server', { map: onOff('System\\CurrentControlSet\\Services\\LanmanServer\\Parameters', 'SMB1') }],
  // §1.5 [S30][S29]: drop-down "Configure MrxSmb10 driver"; the Disabled radio button writes nothing.
  [
    'configure smb v1 client driver',
    {
      map: dropDown(
        'System\\CurrentControlSet\\Services\\MrxSmb10',
        'Start',
        [
          ['disable driver', 4],
          ['manual start', 3],
          ['automatic start', 2],
        ],
        (p) => ({
          values: [],
          note: `Policy "${p.name}" is Disabled: it writes no registry value, so the SMBv1 client driver's start type is left unmanaged. The policy's help text warns never to choose Disabled; use Enabled with "Disable driver".`,
        }),
      ),
    },
  ],
  // §0 / §1.8: Network/Lanman Workstation.
  ['enable insecure guest logons', { map: onOff(LANMAN_KEY.workstation, 'AllowInsecureGuestAuth') }],
  // §2.3: SecGuide policy, drop-down "Configure LdapEnforceChannelBinding".
  [
    'extended protection for ldap authentication (domain controllers only)',
    {
      map: dropDown('System\\CurrentControlSet\\Services\\NTDS\\Parameters', 'LdapEnforceChannelBinding', [
        ['enabled, always', 2],
        ['enabled, when supported', 1],
        ['disabled', 0],
        ['never', 0],
      ]),
    },
  ],
  // §0: Network/Network Provider, ListBox of UNC path → options.
  ['hardened unc paths', { map: hardenedPaths }],
  // §1.8: Lanman Server / Lanman Workstation templates.
  ['audit client does not support signing', { sides: ['server'], map: onOff(LANMAN_KEY.server, 'AuditClientDoesNotSupportSigning') }],
  ['audit client does not support encryption', { sides: ['server'], map: onOff(LANMAN_KEY.server, 'AuditClientDoesNotSupportEncryption') }],
  ['audit server does not support signing', { sides: ['workstation'], map: onOff(LANMAN_KEY.workstation, 'AuditServerDoesNotSupportSigning') }],
  ['audit server does not support encryption', { sides: ['workstation'], map: onOff(LANMAN_KEY.workstation, 'AuditServerDoesNotSupportEncryption') }],
  ['audit insecure guest logon', { sides: ['server', 'workstation'], map: onOff((s) => LANMAN_KEY[s ?? 'server'], 'AuditInsecureGuestLogon') }],
  ['mandate the minimum version of smb', { sides: ['server', 'workstation'], map: dialect('MinSmb2Dialect') }],
  ['mandate the maximum version of smb', { sides: ['server', 'workstation'], map: dialect('MaxSmb2Dialect') }],
  ['require encryption', { sides: ['workstation'], map: onOff(LANMAN_KEY.workstation, 'RequireEncryption') }],
]);

/**
 * Map one report `Policy` element. Undefined for a policy relaylint does not know (or a known name
 * under a different category), which callers ignore silently.
 */
export function mapAdmxPolicy(policy: XmlElement): AdmxResult | undefined {
  const nameEl = childElement(policy, 'Name');
  const stateEl = childElement(policy, 'State');
  if (!nameEl || !stateEl || !nameEl.closed || !stateEl.closed) return undefined;
  const mapping = MAPPINGS.get(normalizePolicyName(nameEl.text));
  if (!mapping) return undefined;
  const category = childElement(policy, 'Category')?.text ?? '';
  const side = sideOf(category);
  if (mapping.sides && (!side || !mapping.sides.includes(side))) return undefined;
  const input: PolicyInput = { name: nameEl.text.trim(), state: stateEl.text.trim().toLowerCase(), stateText: stateEl.text.trim(), category, policy };
  return mapping.map(input, side);
}
