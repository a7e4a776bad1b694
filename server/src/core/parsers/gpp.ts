/**
 * Group Policy Preferences registry items: `Machine|User\Preferences\Registry\Registry.xml`
 * (settings-and-formats.md §6.3, MS-GPPREF 2.2.1.17 [S33]) and the same `RegistrySettings` tree
 * embedded in GPO reports (§6.4 "GPP inside a report").
 *
 * Semantics kept from the fact base:
 * - `action` C/R/U/D, default U when absent; C, R and U all write the value ('set'); D removes it.
 * - REG_DWORD / REG_QWORD `value` is hexadecimal (8 / 16 digits) whatever `displayDecimal` says (§6.3, §7.5).
 * - REG_MULTI_SZ layout is UNVERIFIED: both a `Values/Value` list and the `value` attribute are read.
 * - `disabled="1"` on the item or on an enclosing Collection: not applied. Non-empty `Filters`
 *   (item-level targeting) on the item or an enclosing Collection: 'conditional'.
 * Element names are matched by local name only, so the namespace-qualified copy inside a report
 * (`q2:Registry`, …) reads the same way as the file.
 */
import { enforceRegistryLimits } from './inf-reg-shared';
import { cleanKey, displayKey, hiveOf, valueId } from '../keys';
import type { Encoding, GpoRef, ParsedFile, Problem, RegData, RegType, Setting, SettingState, Span } from '../types';
import { emptyParse } from './empty';
import { capProblems, childElement, childElements, getAttr, nameInMessage, preview, readXml, type XmlElement } from './xml';

const KNOWN_TYPES = new Set<string>([
  'REG_NONE',
  'REG_SZ',
  'REG_EXPAND_SZ',
  'REG_BINARY',
  'REG_DWORD',
  'REG_DWORD_BIG_ENDIAN',
  'REG_LINK',
  'REG_MULTI_SZ',
  'REG_QWORD',
]);

export interface GppExtractOptions {
  /**
   * Set for an editable Registry.xml: REG_DWORD and string values get `valueSyntax: 'gpp'` so a fix can rewrite
   * `value="…"`. Reports leave it unset (editing a report changes no policy).
   */
  editable?: boolean;
  /**
   * The GPO every item belongs to, or a function deciding it per item (RSoP: `null` = the item did
   * not win, skip it).
   */
  gpo?: GpoRef | ((item: XmlElement) => GpoRef | null | undefined);
}

interface Frame {
  el: XmlElement;
  /** Innermost named Collection, for the origin text. */
  collection: string | undefined;
  disabled: boolean;
  conditions: string[];
}

function isTrue(v: string | undefined): boolean {
  if (v === undefined) return false;
  const t = v.trim().toLowerCase();
  return t === '1' || t === 'true';
}

/** Filters element → one-line summaries of its filter children (empty when there are none). */
function summarizeFilters(filters: XmlElement | undefined): string[] {
  if (!filters) return [];
  const out: string[] = [];
  for (const f of filters.children) out.push(summarizeFilter(f, 0));
  return out;
}

function summarizeFilter(f: XmlElement, depth: number): string {
  const name = getAttr(f, 'name')?.value;
  const bool = getAttr(f, 'bool')?.value?.trim().toUpperCase() || 'AND';
  const not = isTrue(getAttr(f, 'not')?.value);
  let s = f.local;
  if (name !== undefined && name !== '') s += ` name="${name}"`;
  s += ` (${bool}${not ? ', NOT' : ''})`;
  // FilterCollection groups other filters; show them, shallowly (XML depth is already bounded).
  if (f.children.length && depth < 4 && /collection/i.test(f.local)) {
    s += ` [${f.children.map((c) => summarizeFilter(c, depth + 1)).join('; ')}]`;
  }
  return s;
}

/** Parse a hex number of at most `maxDigits` digits; undefined when it is not one. */
function parseHex(raw: string, maxDigits: number): number | undefined {
  const t = raw.trim();
  if (!/^[0-9A-Fa-f]+$/.test(t) || t.length > maxDigits) return undefined;
  return maxDigits <= 8 ? parseInt(t, 16) : Number(BigInt(`0x${t}`));
}

/**
 * Extract registry items from a `RegistrySettings` element (or any element whose subtree holds
 * `Registry` / `Collection` children). Iterative walk; Collections nest to any depth.
 */
function previewOrUndefined(s: string | undefined): string | undefined {
  return s === undefined ? undefined : preview(s, 200);
}

export function extractGppItems(container: XmlElement, problems: Problem[], options: GppExtractOptions = {}): Setting[] {
  const settings: Setting[] = [];
  const stack: Frame[] = [{ el: container, collection: undefined, disabled: false, conditions: [] }];
  while (stack.length) {
    const frame = stack.pop() as Frame;
    if (frame.el.local === 'Registry' && frame.el !== container) {
      const s = readItem(frame, problems, options);
      if (s) settings.push(s);
      continue;
    }
    // A container (RegistrySettings or Collection): visit its items and collections in document
    // order (pushed in reverse onto the stack).
    const kids = frame.el.children;
    for (let i = kids.length - 1; i >= 0; i--) {
      const child = kids[i];
      if (child.local === 'Registry') {
        stack.push({ el: child, collection: frame.collection, disabled: frame.disabled, conditions: frame.conditions });
      } else if (child.local === 'Collection') {
        stack.push({
          el: child,
          // Shortened once here: a long collection name must not be copied into every item below it.
          collection: previewOrUndefined(getAttr(child, 'name')?.value) || frame.collection,
          disabled: frame.disabled || isTrue(getAttr(child, 'disabled')?.value),
          conditions: [...frame.conditions, ...summarizeFilters(childElement(child, 'Filters'))],
        });
      }
    }
  }
  return settings;
}

function readItem(frame: Frame, problems: Problem[], options: GppExtractOptions): Setting | undefined {
  const item = frame.el;
  const props = childElement(item, 'Properties');
  const itemName = getAttr(item, 'name')?.value;
  if (!props) {
    problems.push({
      code: 'parse',
      severity: 'warning',
      message: `GPP registry item${itemName ? ` "${preview(itemName, 100)}"` : ''} has no Properties element; it was skipped.`,
      span: item.startTag,
    });
    return undefined;
  }
  let gpo: GpoRef | undefined;
  if (typeof options.gpo === 'function') {
    const g = options.gpo(item);
    if (g === null) return undefined;
    gpo = g;
  } else {
    gpo = options.gpo;
  }

  const hiveAttr = getAttr(props, 'hive');
  const hive = hiveAttr ? hiveOf(hiveAttr.value.trim()) : undefined;
  if (!hive) {
    problems.push({
      code: 'parse',
      severity: 'warning',
      message: hiveAttr
        ? `GPP registry item${itemName ? ` "${preview(itemName, 100)}"` : ''} names an unknown hive "${preview(hiveAttr.value, 100)}"; it was skipped.`
        : `GPP registry item${itemName ? ` "${preview(itemName, 100)}"` : ''} has no hive; it was skipped.`,
      span: hiveAttr ? hiveAttr.valueSpan : props.startTag,
    });
    return undefined;
  }
  const key = cleanKey(getAttr(props, 'key')?.value ?? '');
  const nameAttr = getAttr(props, 'name');
  const isDefault = isTrue(getAttr(props, 'default')?.value);
  const name = isDefault ? '' : (nameAttr?.value ?? '');

  const actionAttr = getAttr(props, 'action');
  let action = (actionAttr?.value ?? 'U').trim().toUpperCase() || 'U';
  if (!['C', 'R', 'U', 'D'].includes(action)) {
    problems.push({
      code: 'parse',
      severity: 'warning',
      message: `Unknown GPP action "${preview(actionAttr?.value ?? '', 100)}" (expected C, R, U or D); read as U (update).`,
      span: actionAttr?.valueSpan ?? props.startTag,
    });
    action = 'U';
  }

  const typeAttr = getAttr(props, 'type');
  const typeText = (typeAttr?.value ?? '').trim().toUpperCase();
  let type: RegType | null = null;
  if (KNOWN_TYPES.has(typeText)) type = typeText as RegType;
  else if (typeText && action !== 'D') {
    problems.push({
      code: 'parse',
      severity: 'warning',
      message: `Unknown registry type "${preview(typeAttr?.value ?? '', 100)}" in a GPP item; its value was read as text.`,
      span: typeAttr?.valueSpan ?? props.startTag,
    });
  }

  const valueAttr = getAttr(props, 'value');
  const raw = valueAttr?.value ?? '';
  let value: RegData = raw;
  let valueSpan: Span | undefined = valueAttr?.valueSpan;
  const deleting = action === 'D';
  if (type === 'REG_DWORD' || type === 'REG_QWORD') {
    const digits = type === 'REG_DWORD' ? 8 : 16;
    const n = parseHex(raw, digits);
    value = n ?? null;
    if (n === undefined && !deleting) {
      problems.push({
        code: 'parse',
        severity: 'error',
        message: `${type} value "${preview(raw, 100)}" is not a hexadecimal number of at most ${digits} digits (GPP writes e.g. ${'0'.repeat(digits - 1)}1); its value is unknown.`,
        span: valueAttr?.valueSpan ?? props.startTag,
      });
    }
  } else if (type === 'REG_MULTI_SZ') {
    const list = childElement(props, 'Values');
    const entries = list ? childElements(list, 'Value') : [];
    if (list && entries.length) {
      value = entries.map((v) => getAttr(v, 'value')?.value ?? v.text);
      valueSpan = list.span;
    } else {
      // UNVERIFIED layout: a line-separated attribute (`&#xA;` survives attribute normalisation).
      value = raw === '' ? [] : raw.split('\n');
    }
  }

  let state: SettingState;
  if (frame.disabled || isTrue(getAttr(item, 'disabled')?.value)) state = 'disabled';
  else if (deleting) state = 'deleted';
  else state = 'set';
  const conditions = [...frame.conditions, ...summarizeFilters(childElement(item, 'Filters'))];
  if (conditions.length && state === 'set') state = 'conditional';

  const label = itemName || name || key;
  const setting: Setting = {
    hive,
    key,
    name,
    type,
    value,
    state,
    span: item.span,
    origin: `GPP item "${preview(label, 200)}" (action ${action})${frame.collection ? ` in collection "${frame.collection}"` : ''}`,
  };
  if (nameAttr) setting.nameSpan = nameAttr.valueSpan;
  if (valueSpan) setting.valueSpan = valueSpan;
  if (options.editable && (type === 'REG_DWORD' || type === 'REG_SZ' || type === 'REG_EXPAND_SZ') && valueAttr) setting.valueSyntax = 'gpp';
  if (deleting) setting.deleteScope = name !== '' || isDefault ? 'value' : 'key';
  if (conditions.length) setting.condition = conditions.join('; ');
  if (gpo) setting.gpo = gpo;
  return setting;
}

/**
 * Report a value written twice by items that both apply unconditionally (`set`). GPP applies items
 * in order, so the later one wins; the problem sits on the later item and points at the first.
 */
export function reportDuplicateItems(settings: readonly Setting[], problems: Problem[]): void {
  const first = new Map<string, Setting>();
  for (const s of settings) {
    if (s.state !== 'set') continue;
    const id = valueId(s.hive, s.key, s.name);
    const prev = first.get(id);
    if (!prev) {
      first.set(id, s);
      continue;
    }
    const shown = preview(`${displayKey(s.hive, s.key)}\\${s.name || '(Default)'}`, 400);
    problems.push({
      code: 'duplicate',
      severity: 'warning',
      message: `${shown} is written again by a later GPP item; the last item applied wins.`,
      span: s.span,
      related: [{ span: prev.span, message: 'First item writing this value' }],
    });
  }
}

/** Parse a GPP `Registry.xml`. Never throws. */
/** The span of the first git merge-conflict marker line (`<<<<<<< `, `=======`, `>>>>>>> `), if any. */
export function conflictMarker(text: string): Span | undefined {
  if (text.indexOf('<<<<<<<') < 0 && text.indexOf('>>>>>>>') < 0) return undefined;
  const m = /^(?:<{7}|>{7})(?:[ \t][^\r\n]*)?$|^={7}$/m.exec(text);
  if (!m) return undefined;
  return { start: m.index, end: m.index + m[0].length };
}

export function parseGppRegistry(text: string, encoding: Encoding): ParsedFile {
  const out = emptyParse('gpp-registry-xml', text, encoding);
  const marker = conflictMarker(text);
  if (marker) {
    // One clear problem instead of one XML error per '<' of the markers; nothing is judged from
    // a file whose content is two versions at once.
    out.problems.push({
      code: 'parse',
      severity: 'error',
      message: 'The file contains git merge conflict markers (<<<<<<<, =======, >>>>>>>): resolve the merge conflict first. It was not read.',
      span: marker,
    });
    return out;
  }
  const doc = readXml(text);
  out.problems.push(...doc.problems);
  out.comments = doc.comments;
  const root = doc.root;
  if (!root) return out;
  if (root.local !== 'RegistrySettings') {
    out.problems.push({
      code: 'parse',
      severity: 'warning',
      message: `The root element is <${nameInMessage(root.name)}>, not <RegistrySettings>: this is not a GPP Registry.xml.`,
      span: root.startTag,
    });
    return out;
  }
  out.settings = enforceRegistryLimits(extractGppItems(root, out.problems, { editable: true }), (p) => out.problems.push(p));
  reportDuplicateItems(out.settings, out.problems);
  capProblems(out.problems);
  return out;
}
