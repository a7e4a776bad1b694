/**
 * Rule documentation opens as documentation: a rendered, read-only Markdown preview of a virtual
 * document, never the editable Markdown file inside the extension folder.
 *
 * - `relaylint-docs:/rules/<ruleId>.md` is a page of a read-only file system (registered with
 *   `isReadonly: true`, so VS Code shows it locked and refuses to save it) serving the bundled
 *   docs/rules/<ruleId>.md. The client passes `relaylint-docs:/rules/` as
 *   `docsBase`, so the server's `Diagnostic.codeDescription.href` (the rule code in the Problems panel
 *   and the diagnostic hover) is such a URI, and no `command:` link is needed there.
 * - VS Code opens a link with an unknown scheme in a text editor. When a text tab of this scheme
 *   appears, it is replaced by the Markdown preview of the same virtual document.
 * - Hovers drop links whose scheme is not http(s)/file, so the hover middleware turns the server's
 *   documentation links into `relaylint.showDocumentation` command links (trusted for that command only).
 */
import * as vscode from 'vscode';

export const DOCS_SCHEME = 'relaylint-docs';
export const DOCS_BASE = `${DOCS_SCHEME}:/rules/`;
const RULE_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function docsUri(ruleId: string): vscode.Uri {
  return vscode.Uri.parse(`${DOCS_BASE}${ruleId}.md`);
}

/** The rule id of a `relaylint-docs:/rules/<id>.md` URI (or string), else undefined. */
export function ruleOfDocsUri(uri: vscode.Uri | string): string | undefined {
  const u = typeof uri === 'string' ? safeParse(uri) : uri;
  if (!u || u.scheme !== DOCS_SCHEME) return undefined;
  const m = /^\/rules\/([^/]+)\.md$/.exec(u.path);
  return m && RULE_ID.test(m[1]) ? m[1] : undefined;
}

function safeParse(s: string): vscode.Uri | undefined {
  try {
    return vscode.Uri.parse(s, true);
  } catch {
    return undefined;
  }
}

/** The read-only `relaylint-docs:` file system: `/rules/<ruleId>.md` for each bundled rule page. */
export class DocsFileSystem implements vscode.FileSystemProvider {
  private readonly changed = new vscode.EventEmitter<vscode.FileChangeEvent[]>();
  readonly onDidChangeFile = this.changed.event;
  private readonly mtime = Date.now();

  constructor(private readonly docsDir: vscode.Uri) {}

  async ruleIds(): Promise<string[]> {
    const entries = await vscode.workspace.fs.readDirectory(this.docsDir);
    return entries
      .filter(([name]) => name.endsWith('.md'))
      .map(([name]) => name.slice(0, -3))
      .filter((id) => RULE_ID.test(id))
      .sort();
  }

  private async page(uri: vscode.Uri): Promise<Uint8Array> {
    const id = ruleOfDocsUri(uri);
    if (!id) throw vscode.FileSystemError.FileNotFound(uri);
    try {
      return await vscode.workspace.fs.readFile(vscode.Uri.joinPath(this.docsDir, `${id}.md`));
    } catch {
      throw vscode.FileSystemError.FileNotFound(uri);
    }
  }

  async stat(uri: vscode.Uri): Promise<vscode.FileStat> {
    const dir = uri.path === '/' || uri.path === '/rules' || uri.path === '/rules/';
    const size = dir ? 0 : (await this.page(uri)).byteLength;
    return { type: dir ? vscode.FileType.Directory : vscode.FileType.File, ctime: this.mtime, mtime: this.mtime, size, permissions: vscode.FilePermission.Readonly };
  }

  async readDirectory(uri: vscode.Uri): Promise<[string, vscode.FileType][]> {
    if (uri.path === '/') return [['rules', vscode.FileType.Directory]];
    if (uri.path === '/rules' || uri.path === '/rules/') return (await this.ruleIds()).map((id) => [`${id}.md`, vscode.FileType.File]);
    throw vscode.FileSystemError.FileNotADirectory(uri);
  }

  readFile(uri: vscode.Uri): Promise<Uint8Array> {
    return this.page(uri);
  }

  watch(): vscode.Disposable {
    return new vscode.Disposable(() => undefined);
  }

  createDirectory(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  writeFile(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  delete(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
  rename(uri: vscode.Uri): never {
    throw vscode.FileSystemError.NoPermissions(uri);
  }
}

/** Open the rendered, read-only page of a rule. */
export async function showRulePreview(ruleId: string): Promise<void> {
  const uri = docsUri(ruleId);
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    // The built-in Markdown extension is disabled: the read-only text view still is not an editable file.
    await vscode.window.showTextDocument(uri, { preview: true });
  }
}

/** Replace any text tab of a docs page by its preview (links from the Problems panel and diagnostic hovers). */
export function interceptDocsTabs(): vscode.Disposable {
  const pending = new Set<string>();
  return vscode.window.tabGroups.onDidChangeTabs(async (e) => {
    for (const tab of [...e.opened, ...e.changed]) {
      const input = tab.input;
      if (!(input instanceof vscode.TabInputText) || input.uri.scheme !== DOCS_SCHEME) continue;
      const key = input.uri.toString();
      const id = ruleOfDocsUri(input.uri);
      if (!id || pending.has(key)) continue;
      pending.add(key);
      try {
        await showRulePreview(id);
        const raw = vscode.window.tabGroups.all
          .flatMap((g) => g.tabs)
          .filter((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === key);
        if (raw.length) await vscode.window.tabGroups.close(raw);
      } catch {
        // leave the read-only text view open
      } finally {
        pending.delete(key);
      }
    }
  });
}

/** Hover markdown: `](relaylint-docs:/rules/<id>.md)` → a command link that opens the preview. */
export function rewriteDocLinks(value: string): string | undefined {
  let changed = false;
  const out = value.replace(/\]\((relaylint-docs:\/rules\/[^)\s]+\.md)\)/g, (all, href: string) => {
    const id = ruleOfDocsUri(href);
    if (!id) return all;
    changed = true;
    return `](command:relaylint.showDocumentation?${encodeURIComponent(JSON.stringify([id]))} "Open the rule documentation")`;
  });
  return changed ? out : undefined;
}
