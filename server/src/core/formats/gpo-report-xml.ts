/** GPO reports (`Get-GPOReport -ReportType Xml`, backup `gpreport.xml`) and RSoP reports. Read-only: findings name the GPO setting to change. */
import { parseGpoReport } from '../parsers/report';
import { mayBeXml, XML_COMMENT, XML_ROOT_ORDER } from './shared';
import type { FormatProvider } from './types';

export const gpoReportProvider: FormatProvider = {
  id: 'gpo-report-xml',
  formats: ['gpo-report-xml', 'rsop-xml'],
  languageIds: ['xml'],
  extensions: ['xml'],
  parse: parseGpoReport,
  comment: XML_COMMENT,
  editable: false,
  // Every .xml on disk (a report may be saved under any name); elsewhere, by the usual names.
  editorFilters: [
    { scheme: 'file', pattern: '**/*.{xml,XML,Xml}' },
    { pattern: '**/{gpreport,GPReport,GpReport,GPREPORT}*.{xml,XML}' },
    { pattern: '**/*{rsop,RSoP,Rsop,RSOP}*.{xml,XML}' },
  ],
  detect: [
    {
      order: XML_ROOT_ORDER,
      what: 'XML root element `GPO` or `GPOs` (GPO report), `report` holding `<GPO>` elements (`-All`), `Rsop` (RSoP report)',
      test: (c) => {
        if (!mayBeXml(c)) return undefined;
        const root = c.xmlRoot();
        // `Get-GPOReport -All` writes a `<report>` root holding many `<GPO>` elements.
        if (root === 'GPO' || root === 'GPOs' || (root === 'report' && /<GPO[\s>]/.test(c.head))) return 'gpo-report-xml';
        if (root === 'Rsop') return 'rsop-xml';
        return undefined;
      },
    },
  ],
};
