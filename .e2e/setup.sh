#!/usr/bin/env bash
# Installs what the real-editor tests need, only when it is missing (safe to re-run; a warm run takes < 1 s):
#   - Debian packages: chromium (the browser Playwright drives), libkrb5-dev + pkg-config + a C++ toolchain
#     (code-server's native modules build from source), ripgrep (seeds @vscode/ripgrep's download cache);
#   - .e2e/node_modules: playwright-core, pinned by .e2e/package-lock.json;
#   - .e2e/code-server/node_modules: code-server 4.100.3 (Code 1.100.3), pinned by its own lockfile.
# Recipe and the reasons for every env var: ../shared/docs/real-vscode-tests.md §2 (kept in .e2e/README.md).
set -euo pipefail

E2E="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf '[e2e setup] %s\n' "$*" >&2; }
t0=$SECONDS

# ---- 1. Debian packages ------------------------------------------------------------------------------
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
[ -f /usr/include/gssapi/gssapi.h ] || missing+=(libkrb5-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)
command -v make >/dev/null 2>&1 || missing+=(make)
command -v python3 >/dev/null 2>&1 || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || { log "need root (or sudo) to apt-get install ${missing[*]}"; exit 1; }
    SUDO="sudo"
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# ---- 2. playwright-core (in .e2e's own package, not the extension's devDependencies) -------------------
if [ ! -f "$E2E/node_modules/playwright-core/package.json" ]; then
  log "npm ci in .e2e (playwright-core)"
  (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error)
fi

# ---- 3. code-server 4.100.3 ------------------------------------------------------------------------------
CS_DIR="$E2E/code-server"
STAMP="$CS_DIR/node_modules/.relaylint-e2e-installed"
LOCK_SUM="$(sha256sum "$CS_DIR/package-lock.json" | cut -d' ' -f1)"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$LOCK_SUM" ] || [ ! -x "$CS_DIR/node_modules/.bin/code-server" ]; then
  # @vscode/ripgrep 1.15.11 downloads rg from api.github.com in its postinstall; it looks in
  # os.tmpdir()/vscode-ripgrep-cache-<version> first, so seed that with Debian's rg under the asset name it wants.
  RG_CACHE="$(node -p "require('os').tmpdir()")/vscode-ripgrep-cache-1.15.11"
  RG_ASSET="$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
  if [ ! -s "$RG_ASSET" ]; then
    mkdir -p "$RG_CACHE"
    d="$(mktemp -d)"; cp "$(command -v rg)" "$d/rg"
    tar czf "$RG_ASSET" -C "$d" rg; rm -rf "$d"
  fi
  log "npm ci in .e2e/code-server (code-server 4.100.3; builds native modules, about 45 s)"
  # npm_config_unsafe_perm: code-server's install script refuses root without it (npm 11 prints
  #   'Unknown env config "unsafe-perm"', harmless); npm_config_yes: node-pty's postinstall runs `npx node-gyp`.
  mkdir -p "$E2E/artifacts"
  (cd "$CS_DIR" && rm -rf node_modules && \
    npm_config_unsafe_perm=true npm_config_yes=true \
    npm ci --no-audit --no-fund --loglevel=error > "$E2E/artifacts/code-server-install.log" 2>&1) || {
      log "code-server install failed; last lines of .e2e/artifacts/code-server-install.log:"; tail -40 "$E2E/artifacts/code-server-install.log" >&2; exit 1; }
  # (XDG_CONFIG_HOME in a temp folder: code-server writes ~/.config/code-server/config.yaml even for --version.)
  cfg="$(mktemp -d)"
  XDG_CONFIG_HOME="$cfg" XDG_DATA_HOME="$cfg" "$CS_DIR/node_modules/.bin/code-server" --version </dev/null 2>/dev/null | grep -o "^4[^ ]* [^ ]* with Code [0-9.]*" >&2 || true
  rm -rf "$cfg"
  echo "$LOCK_SUM" > "$STAMP"
fi

log "ready ($((SECONDS - t0)) s)"
