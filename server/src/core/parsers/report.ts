/**
 * GPO report XML (`Get-GPOReport -ReportType Xml`, backup `gpreport.xml`; root `GPO`, or `GPOs`
 * wrapping several) and RSoP XML (`Get-GPResultantSetOfPolicy -ReportType Xml`; root `Rsop`).
 * Layout: settings-and-formats.md §6.4.
 *
 * Namespace prefixes (`q1`, `q2`, …) differ per file, so nothing here looks at a prefix: each
 * `Extension`'s `xsi:type` is resolved through the declared namespace URIs, and the elements inside
 * are matched by local name plus that namespace.
 *
 * What becomes a `Setting`:
 * - Security extension: registry-backed `SecurityOptions` (`KeyName` + `SettingNumber` |
 *   `SettingString` | `SettingStrings`). System Access entries are not registry values and are skipped.
 * - Registry extension: ADMX `Policy` elements relaylint knows (see report-admx.ts), and "extra
 *   registry settings" (`RegistrySetting`). Hive from the section: Computer → HKLM, User → HKCU.
 * - Windows/Registry extension (GPP): the same items as a Registry.xml (gpp.ts).
 * Report spans point into the report, but a report is not the policy itself: no `valueSyntax`, so no
 * text fix is offered.
 *
 * RSoP: every setting element carries `GPO` (`Identifier`) and `Precedence`; only the winner
 * (precedence 1, or none given) becomes a setting, with `gpo.precedence` set. The losers are kept in
 * `shadowed` for the effective-policy view and never judged as findings of the file.
 *
 * Scope data of a report (scope-and-evidence.md §2.9 [E21][E28]): `<LinksTo>` (SOMName, SOMPath,
 * Enabled, NoOverride), `Computer/Enabled`, the trustees with "Apply Group Policy" and the WMI
 * `FilterName` of each GPO. `Get-GPOReport -All` writes a `<report>` root holding many
 * `<GPO>` elements; a single report has a `<GPO>` root. The scope data goes to `reportGpos`.
 */
import { enforceRegistryLimits } from './inf-reg-shared';
import { cleanKey, hiveOf } from '../keys';
import type { Encoding, GpoRef, Hive, ParsedFile, Problem, RegData, RegType, ReportGpo, ReportLink, RsopGpo, Setting, Span, Trustee } from '../types';
import { emptyParse } from './empty';
import { extractGppItems, reportDuplicateItems } from './gpp';
import { mapAdmxPolicy } from './report-admx';
import { capProblems, childElement, childElements, nameInMessage, preview, readXml, xsiType, type XmlElement } from './xml';

export const GP_NS = {
  settings: 'http://www.microsoft.com/GroupPolicy/Settings',
  types: 'http://www.microsoft.com/GroupPolicy/Types',
  base: 'http://www.microsoft.com/GroupPolicy/Settings/Base',
  rsop: 'http://www.microsoft.com/GroupPolicy/Rsop',
  security: 'http://www.microsoft.com/GroupPolicy/Settings/Security',
  registry: 'http://www.microsoft.com/GroupPolicy/Settings/Registry',
  gppRegistry: 'http://www.microsoft.com/GroupPolicy/Settings/Windows/Registry',
} as const;

/** Decides the GPO of a setting element; `null` = not the winning setting (RSoP), skip it. */
type GpoOf = (el: XmlElement) => GpoRef | null | undefined;

interface Ctx {
  out: ParsedFile;
  hive: Hive;
  gpoOf: GpoOf;
  /** Report (not RSoP): check GPP items for values written twice. */
  checkDuplicates: boolean;
}

function withCse(list: Setting[], from: number, cse: NonNullable<Setting['cse']>): void {
  for (let i = from; i < list.length; i++) list[i].cse = cse;
}

function trimmedText(el: XmlElement | undefined): string | undefined {
  return el && el.closed ? el.text.trim() : undefined;
}

function gpoRef(name: string | undefined, guid: string | undefined, precedence?: number): GpoRef {
  const g: GpoRef = {};
  if (name) g.name = name;
  if (guid) g.guid = guid;
  if (precedence !== undefined) g.precedence = precedence;
  return g;
}

function withGpo(s: Setting, gpo: GpoRef | undefined): Setting {
  if (gpo) s.gpo = gpo;
  return s;
}

// ---------------------------------------------------------------------------------------------
// Security extension.

function unquote(s: string): string {
  return s.length >= 2 && s.startsWith('"') && s.endsWith('"') ? s.slice(1, -1) : s;
}

function readSecurityOption(el: XmlElement, ns: string, ctx: Ctx): void {
  if (childElement(el, 'SystemAccessPolicyName', ns)) return;
  const keyEl = childElement(el, 'KeyName', ns);
  const keyName = trimmedText(keyEl);
  if (!keyEl || !keyName) return;
  const gpo = ctx.gpoOf(el);
  if (gpo === null) return;
  const problems = ctx.out.problems;

  const bs = keyName.indexOf('\\');
  const hive = bs > 0 ? hiveOf(keyName.slice(0, bs)) : undefined;
  const last = keyName.lastIndexOf('\\');
  if (!hive || last <= bs) {
    problems.push({
      code: 'parse',
      severity: 'warning',
      message: `Security option key "${preview(keyName, 400)}" does not start with a hive (MACHINE\\…) followed by a key and a value name; it was skipped.`,
      span: keyEl.textSpan,
    });
    return;
  }
  const key = cleanKey(keyName.slice(bs + 1, last));
  const name = keyName.slice(last + 1);

  let type: RegType;
  let value: RegData;
  let valueSpan: Span;
  const num = childElement(el, 'SettingNumber', ns);
  const str = childElement(el, 'SettingString', ns);
  const strs = childElement(el, 'SettingStrings', ns);
  const bool = childElement(el, 'SettingBoolean', ns);
  if (num) {
    if (!num.closed) return;
    const t = num.text.trim();
    type = 'REG_DWORD';
    value = /^-?\d+$/.test(t) ? Number(t) : null;
    valueSpan = num.textSpan;
    if (value === null) {
      problems.push({ code: 'parse', severity: 'error', message: `SettingNumber "${preview(t, 100)}" of ${preview(keyName, 400)} is not a number; its value is unknown.`, span: num.textSpan });
    }
  } else if (str) {
    if (!str.closed) return;
    type = 'REG_SZ';
    value = unquote(str.text);
    valueSpan = str.textSpan;
  } else if (strs) {
    if (!strs.closed) return;
    type = 'REG_MULTI_SZ';
    value = childElements(strs, 'Value', ns).map((v) => v.text);
    valueSpan = strs.content ?? strs.span;
  } else if (bool) {
    if (!bool.closed) return;
    type = 'REG_DWORD';
    value = bool.text.trim().toLowerCase() === 'true' ? 1 : 0;
    valueSpan = bool.textSpan;
  } else {
    return;
  }

  const display = childElement(el, 'Display', ns);
  const policyName = display ? trimmedText(childElement(display, 'Name', ns)) : undefined;
  const s: Setting = {
    hive,
    key,
    name,
    type,
    value,
    state: 'set',
    span: el.span,
    valueSpan,
    origin: `Security Option "${policyName || keyName}"`,
  };
  if (policyName) s.policyName = policyName;
  // The value name inside the KeyName text, when the raw text has no references.
  const raw = ctx.out.text.slice(keyEl.textSpan.start, keyEl.textSpan.end);
  if (raw === keyEl.text) {
    const end = raw.trimEnd().length;
    const lastRaw = raw.lastIndexOf('\\', end - 1);
    s.nameSpan = { start: keyEl.textSpan.start + lastRaw + 1, end: keyEl.textSpan.start + end };
  }
  ctx.out.settings.push(withGpo(s, gpo));
}

// ---------------------------------------------------------------------------------------------
// Registry (ADMX) extension.

function readPolicy(el: XmlElement, ctx: Ctx): void {
  const result = mapAdmxPolicy(el);
  if (!result) return;
  const gpo = ctx.gpoOf(el);
  if (gpo === null) return;
  const name = (childElement(el, 'Name')?.text ?? '').trim();
  const stateEl = childElement(el, 'State') as XmlElement;
  const state = stateEl.text.trim();
  for (const v of result.values) {
    ctx.out.settings.push(
      withGpo(
        {
          hive: ctx.hive,
          key: v.key,
          name: v.name,
          type: v.type,
          value: v.value,
          state: 'set',
          span: el.span,
          valueSpan: v.valueSpan ?? stateEl.textSpan,
          origin: `ADMX policy "${name}" (${state})`,
          policyName: name,
        },
        gpo,
      ),
    );
  }
  if (result.note) ctx.out.problems.push({ code: 'parse', severity: 'info', message: result.note, span: stateEl.span });
}

/** Extra registry settings: values with no ADMX behind them. */
function readExtraRegistry(el: XmlElement, ns: string, ctx: Ctx): void {
  let keyPath = trimmedText(childElement(el, 'KeyPath', ns));
  const valueEl = childElement(el, 'Value', ns);
  if (keyPath === undefined || !valueEl) return;
  const nameEl = childElement(valueEl, 'Name', ns);
  const num = childElement(valueEl, 'Number', ns);
  const str = childElement(valueEl, 'String', ns);
  let type: RegType;
  let value: RegData;
  let valueSpan: Span;
  if (num && num.closed) {
    const t = num.text.trim();
    type = 'REG_DWORD';
    value = /^-?\d+$/.test(t) ? Number(t) : null;
    valueSpan = num.textSpan;
  } else if (str && str.closed) {
    type = 'REG_SZ';
    value = str.text;
    valueSpan = str.textSpan;
  } else {
    return;
  }
  const gpo = ctx.gpoOf(el);
  if (gpo === null) return;
  let hive = ctx.hive;
  // Tolerate a hive spelled at the front of the path (not seen in the corpus).
  const bs = keyPath.indexOf('\\');
  const first = hiveOf(bs < 0 ? keyPath : keyPath.slice(0, bs));
  if (first) {
    hive = first;
    keyPath = bs < 0 ? '' : keyPath.slice(bs + 1);
  }
  const s: Setting = {
    hive,
    key: cleanKey(keyPath),
    name: nameEl && nameEl.closed ? nameEl.text : '',
    type,
    value,
    state: 'set',
    span: el.span,
    valueSpan,
    origin: 'extra registry setting',
  };
  if (nameEl && nameEl.closed) s.nameSpan = nameEl.textSpan;
  ctx.out.settings.push(withGpo(s, gpo));
}

// ---------------------------------------------------------------------------------------------
// Extensions and sections.

function readExtension(ext: XmlElement, ctx: Ctx): void {
  const ns = xsiType(ext)?.ns ?? ext.children[0]?.ns ?? '';
  const from = ctx.out.settings.length;
  readExtensionBody(ext, ns, ctx);
  const cse = ns === GP_NS.security ? 'security' : ns === GP_NS.registry ? 'registry' : ns === GP_NS.gppRegistry ? 'gpp' : undefined;
  if (cse) withCse(ctx.out.settings, from, cse);
}

function readExtensionBody(ext: XmlElement, ns: string, ctx: Ctx): void {
  switch (ns) {
    case GP_NS.security:
      for (const c of ext.children) if (c.local === 'SecurityOptions' && c.ns === ns) readSecurityOption(c, ns, ctx);
      break;
    case GP_NS.registry:
      for (const c of ext.children) {
        if (c.ns !== ns) continue;
        if (c.local === 'Policy') readPolicy(c, ctx);
        else if (c.local === 'RegistrySetting') readExtraRegistry(c, ns, ctx);
      }
      break;
    case GP_NS.gppRegistry:
      for (const c of ext.children) {
        if (c.local !== 'RegistrySettings' || c.ns !== ns) continue;
        const items = extractGppItems(c, ctx.out.problems, { gpo: ctx.gpoOf });
        if (ctx.checkDuplicates) reportDuplicateItems(items, ctx.out.problems);
        ctx.out.settings.push(...items);
      }
      break;
    default:
      break;
  }
}

function readSection(section: XmlElement, ctx: Ctx): void {
  for (const ed of childElements(section, 'ExtensionData')) {
    for (const ext of childElements(ed, 'Extension')) readExtension(ext, ctx);
  }
}

const SECTIONS: [string, Hive][] = [
  ['Computer', 'HKLM'],
  ['User', 'HKCU'],
];

function boolText(el: XmlElement | undefined): boolean | undefined {
  const t = trimmedText(el)?.toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
}

/** `<LinksTo>`: one per link of the GPO. */
function readLinks(gpoEl: XmlElement, out: ParsedFile): ReportLink[] {
  const links: ReportLink[] = [];
  for (const l of childElements(gpoEl, 'LinksTo')) {
    const somPath = trimmedText(childElement(l, 'SOMPath'));
    if (!somPath) {
      out.problems.push({ code: 'parse', severity: 'warning', message: 'A <LinksTo> without a <SOMPath> was skipped.', span: l.startTag });
      continue;
    }
    const link: ReportLink = {
      somPath,
      enabled: boolText(childElement(l, 'Enabled')) ?? true,
      enforced: boolText(childElement(l, 'NoOverride')) ?? false,
      span: l.span,
    };
    const somName = trimmedText(childElement(l, 'SOMName'));
    if (somName) link.somName = somName;
    links.push(link);
  }
  return links;
}

/** Security filtering: the trustees allowed or denied "Apply Group Policy" [E28]. */
function readApplyTrustees(gpoEl: XmlElement): ReportGpo['applyTrustees'] {
  const sd = childElement(gpoEl, 'SecurityDescriptor');
  const perms = sd && childElement(sd, 'Permissions');
  if (!perms) return undefined;
  const allow: Trustee[] = [];
  const deny: Trustee[] = [];
  for (const tp of childElements(perms, 'TrusteePermissions')) {
    // One <Standard> per permission (the corpus report hardenad-security-logs lists two).
    const access = childElements(tp, 'Standard').flatMap((std) => childElements(std, 'GPOGroupedAccessEnum').map((e) => e.text.trim().toLowerCase()));
    if (!access.includes('apply group policy')) continue;
    const tr = childElement(tp, 'Trustee');
    const trustee: Trustee = {};
    const sid = tr && trimmedText(childElement(tr, 'SID'));
    const name = tr && trimmedText(childElement(tr, 'Name'));
    if (sid) trustee.sid = sid;
    if (name) trustee.name = name;
    const typeEl = childElement(tp, 'Type');
    const kind = typeEl ? (trimmedText(childElement(typeEl, 'PermissionType')) ?? trimmedText(typeEl)) : undefined;
    (kind?.toLowerCase() === 'deny' ? deny : allow).push(trustee);
  }
  return { allow, deny };
}

function readGpo(gpoEl: XmlElement, out: ParsedFile): void {
  const name = trimmedText(childElement(gpoEl, 'Name'));
  const idEl = childElement(gpoEl, 'Identifier');
  const guid = idEl ? trimmedText(childElement(idEl, 'Identifier') ?? idEl) : undefined;
  const gpo = gpoRef(name, guid);
  const scope: ReportGpo = gpoRef(name, guid);
  scope.span = gpoEl.startTag;
  const computer = childElement(gpoEl, 'Computer');
  const computerEnabled = boolText(computer && childElement(computer, 'Enabled'));
  if (computerEnabled !== undefined) scope.computerEnabled = computerEnabled;
  const user = childElement(gpoEl, 'User');
  const userEnabled = boolText(user && childElement(user, 'Enabled'));
  if (userEnabled !== undefined) scope.userEnabled = userEnabled;
  scope.links = readLinks(gpoEl, out);
  const trustees = readApplyTrustees(gpoEl);
  if (trustees) scope.applyTrustees = trustees;
  const wmi = trimmedText(childElement(gpoEl, 'FilterName'));
  if (wmi) scope.wmiFilter = wmi;
  (out.gpos ??= []).push(gpo);
  (out.reportGpos ??= []).push(scope);
  for (const [local, hive] of SECTIONS) {
    for (const section of childElements(gpoEl, local)) readSection(section, { out, hive, gpoOf: () => gpo, checkDuplicates: true });
  }
}

// ---------------------------------------------------------------------------------------------
// RSoP.

const RSOP_SECTIONS: [string, Hive][] = [
  ['ComputerResults', 'HKLM'],
  ['UserResults', 'HKCU'],
];

function numText(el: XmlElement | undefined): number | undefined {
  const t = trimmedText(el);
  return t !== undefined && /^\d+$/.test(t) ? Number(t) : undefined;
}

/**
 * Why a GPO did not apply on the RSoP's computer: `AccessDenied` true = security filtering,
 * `FilterAllowed` false = WMI filter, `Enabled` false, `IsValid` false (meaning UNVERIFIED), or no
 * link with a non-zero `AppliedOrder` (0 = not applied) [E6][E30].
 */
/** RSoP `<GPO>` flags and `<Link>` fields: element name → field, read when present. */
const RSOP_GPO_FLAGS = [['Enabled', 'enabled'], ['IsValid', 'isValid'], ['FilterAllowed', 'filterAllowed'], ['AccessDenied', 'accessDenied']] as const;
const RSOP_LINK_FLAGS = [['Enabled', 'enabled'], ['NoOverride', 'enforced']] as const;
const RSOP_LINK_NUMBERS = [['AppliedOrder', 'appliedOrder'], ['LinkOrder', 'linkOrder']] as const;

function readRsopGpo(g: XmlElement, name: string | undefined, guid: string | undefined): RsopGpo {
  const r: RsopGpo = { links: [] };
  if (name) r.name = name;
  if (guid) r.guid = guid;
  for (const [el, field] of RSOP_GPO_FLAGS) {
    const v = boolText(childElement(g, el));
    if (v !== undefined) r[field] = v;
  }
  for (const l of childElements(g, 'Link')) {
    const somPath = trimmedText(childElement(l, 'SOMPath'));
    if (!somPath) continue;
    const link: RsopGpo['links'][number] = { somPath };
    for (const [el, field] of RSOP_LINK_FLAGS) {
      const v = boolText(childElement(l, el));
      if (v !== undefined) link[field] = v;
    }
    for (const [el, field] of RSOP_LINK_NUMBERS) {
      const v = numText(childElement(l, el));
      if (v !== undefined) link[field] = v;
    }
    r.links.push(link);
  }
  const why =
    r.accessDenied === true
      ? 'security filtering denied it on this computer (AccessDenied)'
      : r.filterAllowed === false
        ? 'its WMI filter excluded this computer (FilterAllowed false)'
        : r.enabled === false
          ? 'it is disabled (Enabled false)'
          : r.isValid === false
            ? 'the report marks it not valid (IsValid false)'
            : r.links.length && r.links.every((l) => l.appliedOrder === 0)
              ? 'none of its links applied on this computer (AppliedOrder 0)'
              : undefined;
  if (why) r.notApplied = why;
  return r;
}

function readRsop(root: XmlElement, out: ParsedFile): void {
  const names = new Map<string, string>();
  const gpos: GpoRef[] = (out.gpos ??= []);
  for (const [local] of RSOP_SECTIONS) {
    for (const results of childElements(root, local)) {
      for (const g of childElements(results, 'GPO')) {
        const name = trimmedText(childElement(g, 'Name'));
        const path = childElement(g, 'Path');
        const guid = path ? trimmedText(childElement(path, 'Identifier')) : undefined;
        const id = (guid ?? name ?? '').toLowerCase();
        if (local === 'ComputerResults') (out.rsopGpos ??= []).push(readRsopGpo(g, name, guid));
        if (!id || names.has(id)) continue;
        names.set(id, name ?? '');
        gpos.push(gpoRef(name, guid));
      }
    }
  }

  /** GPO and precedence of a setting: on the element itself or the nearest ancestor inside its extension. */
  const gpoOf = (el: XmlElement, losers: boolean): GpoRef | null | undefined => {
    for (let e: XmlElement | undefined = el; e && e.local !== 'Extension'; e = e.parent) {
      const g = childElement(e, 'GPO');
      const precText = trimmedText(childElement(e, 'Precedence'));
      if (!g && precText === undefined) continue;
      const precedence = precText !== undefined && /^\d+$/.test(precText) ? Number(precText) : undefined;
      if ((precedence !== undefined && precedence !== 1) !== losers) return null;
      const guid = g ? trimmedText(childElement(g, 'Identifier')) : undefined;
      const name = (g && trimmedText(childElement(g, 'Name'))) || (guid ? names.get(guid.toLowerCase()) : undefined);
      return gpoRef(name, guid, precedence);
    }
    return losers ? null : undefined;
  };

  for (const [local, hive] of RSOP_SECTIONS) {
    for (const results of childElements(root, local)) readSection(results, { out, hive, gpoOf: (el) => gpoOf(el, false), checkDuplicates: false });
  }
  // The losers, read in a second pass into a scratch file whose problems are dropped: they were
  // already reported (or not) by the first pass, and a loser never becomes a finding of this file.
  const scratch = emptyParse('rsop-xml', out.text, out.encoding);
  for (const [local, hive] of RSOP_SECTIONS) {
    for (const results of childElements(root, local)) readSection(results, { out: scratch, hive, gpoOf: (el) => gpoOf(el, true), checkDuplicates: false });
  }
  if (scratch.settings.length) out.shadowed = scratch.settings;
}

/** Parse a GPO report or RSoP report. Never throws. */
export function parseGpoReport(text: string, encoding: Encoding): ParsedFile {
  const doc = readXml(text);
  const root = doc.root;
  const out = emptyParse(root?.local === 'Rsop' ? 'rsop-xml' : 'gpo-report-xml', text, encoding);
  out.problems.push(...doc.problems);
  out.comments = doc.comments;
  if (!root) return out;
  switch (root.local) {
    case 'GPO':
      readGpo(root, out);
      break;
    case 'GPOs':
    case 'report':
      out.gpos = [];
      for (const g of childElements(root, 'GPO')) readGpo(g, out);
      break;
    case 'Rsop':
      readRsop(root, out);
      break;
    default: {
      const p: Problem = {
        code: 'parse',
        severity: 'warning',
        message: `The root element is <${nameInMessage(root.name)}>, not <GPO>, <GPOs>, <report> or <Rsop>: this is not a GPO or RSoP report.`,
        span: root.startTag,
      };
      out.problems.push(p);
    }
  }
  out.settings = enforceRegistryLimits(out.settings, (p) => out.problems.push(p));
  capProblems(out.problems);
  return out;
}
