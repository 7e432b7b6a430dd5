#!/usr/bin/env bash
# Installs what the VS Code extension's end-to-end tests need: Debian's chromium
# and ripgrep, and code-server (a real VS Code) in .tools/code-server.
# Idempotent: every step is skipped when its result is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

CODE_SERVER_VERSION=4.100.3
TOOLS_DIR="$PWD/.tools/code-server"

apt_packages=(chromium ripgrep libkrb5-dev pkg-config)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "e2e-vscode-setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# @vscode/ripgrep's postinstall downloads a binary unless its cache already holds
# the tarball; Debian's rg stands in for it so the install works offline.
rg_cache="${TMPDIR:-/tmp}/vscode-ripgrep-cache-1.15.11"
rg_tarball="$rg_cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz"
if [ ! -s "$rg_tarball" ]; then
  mkdir -p "$rg_cache"
  staging="$(mktemp -d)"
  cp "$(command -v rg)" "$staging/rg"
  tar -czf "$rg_tarball" -C "$staging" rg
  rm -rf "$staging"
fi

installed_version=""
if [ -f "$TOOLS_DIR/node_modules/code-server/package.json" ]; then
  installed_version="$(node -p "require('$TOOLS_DIR/node_modules/code-server/package.json').version")"
fi
if [ "$installed_version" != "$CODE_SERVER_VERSION" ]; then
  echo "e2e-vscode-setup: installing code-server $CODE_SERVER_VERSION into $TOOLS_DIR"
  mkdir -p "$TOOLS_DIR"
  npm_config_yes=true npm_config_unsafe_perm=true \
    npm install --prefix "$TOOLS_DIR" --unsafe-perm --no-audit --no-fund --loglevel=error \
    "code-server@$CODE_SERVER_VERSION"
fi

echo "e2e-vscode-setup: chromium $(command -v chromium), code-server $CODE_SERVER_VERSION ready"
