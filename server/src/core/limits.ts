/**
 * Hard limits that keep every scan bounded on hostile input. Documented in the README.
 * A file over a limit gets a `file.limit` problem naming the limit; it never hangs or crashes the run.
 */
export const LIMITS = {
  /** Largest file read at all. */
  maxFileBytes: 64 * 1024 * 1024,
  /**
   * Most bytes read from one zip (SharpHound's `_BloodHound.zip`): its entries of the types the
   * topology comes from (ous, domains, gpos, computers) together, the same 64 MiB as one file, so a
   * zipped export is held to what the same export given as loose files may hold per file.
   */
  maxZipTotalBytes: 64 * 1024 * 1024,
  /**
   * Most bytes inflated from one zip, every JSON entry together: the entries of other types (users,
   * groups: large in a large domain) are inflated only to read their type from the end and dropped, and a
   * zip whose entries inflate to gigabytes (a zip bomb) stops here (480 MiB of zeros inflate in about 0.5 s on the bench VM).
   */
  maxZipInflateBytes: 512 * 1024 * 1024,
  /**
   * Largest SharpHound computers file read as a stream, and most bytes of such entries of one zip (a
   * `computers.json` over maxFileBytes, loose or in SharpHound's zip: a large domain's, each computer
   * object carrying its properties and access-control entries). Only the CLI reads it so, a few MB
   * at a time; the computers are kept, not the file.
   */
  maxStreamedFileBytes: 4 * 1024 * 1024 * 1024,
  /** Most computers placed from one SharpHound computers file, read whole or as a stream (past it they are counted and said; memory holds each one placed). */
  maxComputersPerFile: 250_000,
  /**
   * Most text the computers placed from one file hold (their DNs, names and identifiers, in UTF-16
   * units): 128 Mi, twice what a 64 MiB file read whole can hold; 250,000 computers of 500
   * characters each fit. It bounds a 4 GiB streamed file of long names (audit, wave 18).
   */
  maxComputerTextPerFile: 128 * 1024 * 1024,
  /** Most computers placed from all the topology files of one scan (several domains' computers files: each file's own cap does not bound their sum). */
  maxComputersPerLoad: 500_000,
  /** Most text the computers of all the topology files of one scan hold (as maxComputerTextPerFile). */
  maxComputerTextPerLoad: 256 * 1024 * 1024,
  /**
   * Deepest OU nesting read from a topology (OU components of a DN): deeper OUs and their scopes are
   * left out with an error. 64 is a product choice that leaves room for deep trees and bounds the
   * work per scope, which grows with its depth (audit, wave 18: 2,500 nested OUs).
   */
  maxOuDepth: 64,
  /** Most OUs, domains and sites the editor computes the effective policy for per pass (the CLI: any number). */
  maxEditorScopes: 10_000,
  /** Most entries in one zip (SharpHound writes about a dozen JSON files); a zip with more is not read. */
  maxZipEntries: 1000,
  /** Deepest XML element nesting (GPO reports nest about 12 deep). */
  maxXmlDepth: 256,
  /** Most records read from one Registry.pol (real files hold hundreds; this bounds memory on hostile input). */
  maxPolRecords: 200_000,
  /** Longest key or value name in a Registry.pol record, in UTF-16 code units (the registry allows 255/16383). */
  maxPolStringChars: 32_768,
  /** Most problems reported per file; the rest are summarised in one line. */
  maxProblemsPerFile: 200,
} as const;
