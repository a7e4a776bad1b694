/** Group Policy Preferences registry items (`Preferences/Registry/Registry.xml`). */
import { parseGppRegistry } from '../parsers/gpp';
import { HEX8, xmlAttr, XML_COMMENT } from './shared';
import type { FormatProvider } from './types';

export const gppRegistryProvider: FormatProvider = {
  id: 'gpp-registry-xml',
  formats: ['gpp-registry-xml'],
  languageIds: ['xml'],
  extensions: ['xml'],
  parse: parseGppRegistry,
  valueSyntax: 'gpp',
  // The span covers the inside of `value="…"`; a delete item has no value to rewrite.
  writeValue: (setting, _rule, value) => (setting.state === 'deleted' ? undefined : typeof value === 'number' ? HEX8(value) : xmlAttr(value)),
  comment: XML_COMMENT,
  editable: true,
};
