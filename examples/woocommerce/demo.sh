#!/usr/bin/env bash
# One command for the WooCommerce demo: builds the workspace packages the demo loads (sandbox, core), then starts the
# real WooCommerce with the plugin, the bridge and the sandbox (examples/woocommerce/demo.ts).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
source scripts/node24.sh
bash scripts/system-deps.sh
bash scripts/services.sh
npm run --silent build >/dev/null
exec node --import ./plugins/woocommerce/scripts/source-hooks.mjs examples/woocommerce/demo.ts "$@"
