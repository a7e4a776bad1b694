/**
 * Restricted Mode. package.json declares every setting that can hide or soften a finding in
 * `capabilities.untrustedWorkspaces.restrictedConfigurations`, so in an untrusted workspace VS Code
 * drops the workspace and folder values of those settings before anyone (this client, the server
 * through `workspace/configuration`) reads them. VS Code does not tell an extension which values it
 * dropped, so this module reads the folder settings files itself, only to say which ones are ignored.
 */
import * as vscode from 'vscode';

/** One folder/workspace value that Restricted Mode ignores. */
export interface IgnoredSetting {
  key: string;
  /** The settings file that sets it. */
  file: vscode.Uri;
}

/** The restricted settings, from package.json (one list, read by VS Code and by this client). */
export function restrictedSettings(context: vscode.ExtensionContext): string[] {
  const caps = (context.extension.packageJSON as { capabilities?: { untrustedWorkspaces?: { restrictedConfigurations?: unknown } } }).capabilities;
  const list = caps?.untrustedWorkspaces?.restrictedConfigurations;
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Parse a VS Code settings file (JSON with comments and trailing commas). Returns undefined when it
 * is not an object; never throws.
 */
export function parseJsonc(text: string): Record<string, unknown> | undefined {
  let out = '';
  let i = 0;
  const n = text.length;
  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      const start = i++;
      while (i < n && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 2;
      out += ' ';
    } else {
      out += c;
      i++;
    }
  }
  // trailing commas before } or ]
  out = out.replace(/,(\s*[}\]])/g, '$1');
  try {
    const v: unknown = JSON.parse(out);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function readSettingsFile(uri: vscode.Uri): Promise<Record<string, unknown> | undefined> {
  try {
    const bytes = await vscode.workspace.fs.readFile(uri);
    return parseJsonc(Buffer.from(bytes).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The settings files of the open workspace: each folder's `.vscode/settings.json`, and the `.code-workspace` file. */
export function workspaceSettingsFiles(): vscode.Uri[] {
  const files: vscode.Uri[] = [];
  for (const f of vscode.workspace.workspaceFolders ?? []) files.push(vscode.Uri.joinPath(f.uri, '.vscode', 'settings.json'));
  const wsFile = vscode.workspace.workspaceFile;
  if (wsFile && wsFile.scheme !== 'untitled') files.push(wsFile);
  return files;
}

/** The relaylint settings each workspace settings file sets (top level or in a `"[language]"` section). */
export async function scanSettingsFiles(): Promise<{ file: vscode.Uri; keys: string[] }[]> {
  const out: { file: vscode.Uri; keys: string[] }[] = [];
  for (const file of workspaceSettingsFiles()) {
    let obj = await readSettingsFile(file);
    if (!obj) continue;
    if (file.path.endsWith('.code-workspace')) {
      const s = obj.settings;
      obj = typeof s === 'object' && s !== null && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
    }
    const keys = new Set<string>();
    const visit = (o: Record<string, unknown>) => {
      for (const k of Object.keys(o)) {
        if (k.startsWith('relaylint.')) keys.add(k);
        const v = o[k];
        if (/^\[.*\]$/.test(k) && typeof v === 'object' && v !== null && !Array.isArray(v)) visit(v as Record<string, unknown>);
      }
    };
    visit(obj);
    if (keys.size) out.push({ file, keys: [...keys].sort() });
  }
  return out;
}

/** The folder/workspace values Restricted Mode ignores right now (none in a trusted workspace). */
export async function ignoredSettings(restricted: readonly string[]): Promise<IgnoredSetting[]> {
  if (vscode.workspace.isTrusted) return [];
  const out: IgnoredSetting[] = [];
  for (const { file, keys } of await scanSettingsFiles()) {
    for (const key of keys) if (restricted.includes(key)) out.push({ key, file });
  }
  return out;
}
