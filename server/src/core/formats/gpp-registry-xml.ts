/** Group Policy Preferences registry items (`Preferences/Registry/Registry.xml`). */
import { parseGppRegistry } from '../parsers/gpp';
import { HEX8, mayBeXml, xmlAttr, XML_COMMENT, XML_ROOT_ORDER } from './shared';
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
  // Every .xml on disk (the server reads the root element); elsewhere, by the names GPMC writes.
  editorFilters: [
    { scheme: 'file', pattern: '**/*.{xml,XML,Xml}' },
    { pattern: '**/{Preferences,preferences,PREFERENCES}/{Registry,registry,REGISTRY}/*.{xml,XML}' },
    { pattern: '**/{Registry,registry,REGISTRY}.{xml,XML}' },
  ],
  detect: [
    { order: XML_ROOT_ORDER, what: 'XML root element `RegistrySettings`', test: (c) => (mayBeXml(c) && c.xmlRoot() === 'RegistrySettings' ? 'gpp-registry-xml' : undefined) },
  ],
};
