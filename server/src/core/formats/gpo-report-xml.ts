/** GPO reports (`Get-GPOReport -ReportType Xml`, backup `gpreport.xml`) and RSoP reports. Read-only: findings name the GPO setting to change. */
import { parseGpoReport } from '../parsers/report';
import { XML_COMMENT } from './shared';
import type { FormatProvider } from './types';

export const gpoReportProvider: FormatProvider = {
  id: 'gpo-report-xml',
  formats: ['gpo-report-xml', 'rsop-xml'],
  languageIds: ['xml'],
  extensions: ['xml'],
  parse: parseGpoReport,
  comment: XML_COMMENT,
  editable: false,
};
