/**
 * Rules about the files themselves. Each parse problem code maps to one of these ids.
 */
import type { ProblemCode } from '../types';
import type { MetaRule } from './types';

/** The format specifications behind settings-and-formats.md §6, each under its own source tag (§9). */
const formats = [
  { tag: 'S32', title: 'MS-GPSB 2.2: security templates (GptTmpl.inf), settings-and-formats.md §6.1' },
  { tag: 'S35', title: 'KB310516: .reg file syntax, settings-and-formats.md §6.2' },
  { tag: 'S33', title: 'MS-GPPREF 2.2.1.17.1: GPP Registry.xml items, settings-and-formats.md §6.3' },
  { tag: 'S34', title: 'MS-GPREG 2.2.1: Registry.pol, settings-and-formats.md §6.5' },
];

export const metaRules: MetaRule[] = [
  {
    id: 'file.parse',
    title: 'The file could not be read completely',
    category: 'meta',
    severity: 'error',
    explanation: {
      what: 'A line, element or record does not follow the format, or the file ends early.',
      why: 'Windows may skip the broken part or the whole file, so the settings it holds may never apply. relaylint reports what it could not read instead of guessing.',
      fix: 'Correct the marked place, or export the GPO again with the Group Policy Management Console.',
    },
    references: formats,
  },
  {
    id: 'file.encoding',
    title: 'Unexpected file encoding',
    category: 'meta',
    severity: 'warning',
    explanation: {
      what: 'The file is not in the encoding Group Policy tools write (UTF-16LE with a byte order mark for security templates and reports).',
      why: 'MS-GPSB requires UTF-16LE with a BOM for security templates, and some readers of GPO exports accept only that form; a truncated or mis-encoded file may not apply at all.',
      fix: 'Save the file as UTF-16LE with a BOM (what GPMC and secedit write), or re-export it.',
    },
    references: formats,
  },
  {
    id: 'file.duplicate',
    title: 'The same registry value is set twice in one file',
    category: 'meta',
    severity: 'warning',
    explanation: {
      what: 'One file configures the same registry value more than once.',
      why: 'The formats do not say which occurrence wins, so the effective value is a guess. relaylint judges each occurrence and links them.',
      fix: 'Keep one line for the value and delete the other.',
    },
    references: formats,
  },
  {
    id: 'file.limit',
    title: 'The file is over a size limit',
    category: 'meta',
    severity: 'error',
    explanation: {
      what: 'The file, a line or the XML nesting is larger than relaylint reads (see the README for the limits).',
      why: 'The limits keep scans fast and memory bounded on hostile input; the part that was not read was not checked.',
      fix: 'Check whether the file is really a Group Policy export. Split or trim it if it is.',
    },
    references: formats,
  },
  {
    id: 'file.unsafe-xml',
    title: 'The XML uses a document type declaration or entities',
    category: 'meta',
    severity: 'error',
    explanation: {
      what: 'The XML file declares a DOCTYPE, entities or external references. Group Policy never writes these.',
      why: 'Entity expansion and external entities are classic attacks on XML readers. relaylint refuses them and does not expand anything.',
      fix: 'Remove the DOCTYPE, or export the GPO again.',
    },
    references: formats,
  },
  {
    id: 'file.unknown',
    title: 'Not a Group Policy export relaylint understands',
    category: 'meta',
    severity: 'info',
    explanation: {
      what: 'The file was named on the command line but is none of the formats relaylint reads.',
      why: 'Nothing in it was checked.',
      fix: 'Point relaylint at GptTmpl.inf, .reg, Registry.xml, gpreport.xml, RSoP XML or Registry.pol files.',
    },
    references: formats,
  },
  {
    id: 'file.io',
    title: 'The file could not be read from disk',
    category: 'meta',
    severity: 'error',
    explanation: {
      what: 'Reading the file failed (permissions, a broken link, a device error).',
      why: 'Nothing in it was checked.',
      fix: 'Fix access to the file and scan again.',
    },
    references: [],
  },
  {
    id: 'file.internal',
    title: 'relaylint failed on this file',
    category: 'meta',
    severity: 'error',
    explanation: {
      what: 'A parser or a rule of relaylint raised an unexpected error on this file. The rest of the scan went on.',
      why: 'What the failing part should have checked was not checked, so the file may hide a weak setting: it counts as an error.',
      fix: 'Report the problem with the file (or a reduced copy) to the relaylint maintainers; the message names the part that failed.',
    },
    references: [],
  },
  {
    id: 'suppression.reason',
    title: 'A relaylint suppression has no reason',
    category: 'meta',
    severity: 'warning',
    explanation: {
      what: 'A `relaylint-disable-next-line` comment does not say why the finding is accepted (`-- reason`).',
      why: 'A reviewer cannot tell a deliberate exception from a hidden weakness. Suppressions without a reason do not suppress anything.',
      fix: 'Add the reason after two dashes: `; relaylint-disable-next-line smb.server.require -- legacy scanner, ticket 1234`.',
    },
    references: [],
  },
  {
    id: 'gpo.applies-nowhere',
    title: "The GPO's computer settings apply nowhere",
    category: 'meta',
    severity: 'info',
    explanation: {
      what: 'The GPO is not linked anywhere, all its links are disabled, its computer side is disabled (GPO status), its `gPCFunctionalityVersion` is not 2 (clients use only version 2), or its security filtering grants Apply Group Policy to no one or denies it to a group every computer is in (Authenticated Users, Everyone; Domain Computers and Domain Controllers together), so none of its computer settings reach any machine.',
      why: 'A hardened value in such a GPO protects nothing; coverage and the effective policy do not count it. A weak value in it does no harm today but comes back the day the GPO is linked or enabled.',
      fix: 'Link the GPO where its settings are meant to apply, enable its computer side and grant Apply Group Policy to the computers it is meant for, or delete it if it is no longer used.',
    },
    references: [{ tag: 'E1', title: 'MS-GPOL 3.2.5.1.5 and 3.2.5.1.6: GPO search and filter evaluation (scope-and-evidence.md P7–P10)' }],
  },
  {
    id: 'topology.problem',
    title: 'A topology export could not be read completely',
    category: 'meta',
    severity: 'warning',
    explanation: {
      what: 'An LDIF, SharpHound or Get-GPInheritance export has a damaged part, a link to a GPO that was not scanned, an OU whose parent is missing, or is of a type that carries no topology.',
      why: 'The effective policy per scope is computed from the rest; results that depend on the missing part may be incomplete.',
      fix: 'Export the topology again (the recipes are in docs/effective-policy.md), and scan every GPO it links to.',
    },
    references: [{ tag: 'E9', title: 'RFC 2849 and the topology formats of scope-and-evidence.md §2' }],
  },
  {
    id: 'evidence.problem',
    title: 'An event log could not be read completely',
    category: 'meta',
    severity: 'warning',
    explanation: {
      what: 'An event-log export (EVTX, event XML or CSV) given for rollout readiness has a damaged chunk or record, is cut short, is not well-formed, or holds nothing relaylint uses. The result\'s level is the problem\'s: an error when part of the log was not read.',
      why: 'Events in the part not read are not counted: a client that would fail may be hidden there, so readiness judged from such a log holds only as far as the logs read show (its `why` and `unread` name the files).',
      fix: 'Export the log again (the recipes are in docs/evidence.md) and scan the new export.',
    },
    references: [],
  },
];

export const problemRuleId: Record<ProblemCode, string> = {
  parse: 'file.parse',
  encoding: 'file.encoding',
  duplicate: 'file.duplicate',
  limit: 'file.limit',
  'unsafe-xml': 'file.unsafe-xml',
  'unknown-format': 'file.unknown',
  io: 'file.io',
  internal: 'file.internal',
};
