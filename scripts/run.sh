#!/usr/bin/env bash
# The one entry point behind `npm test`, `npm run demo` and `npm run bench`:
# Node 24 on PATH, dependencies installed from the lockfile, then the task.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
# shellcheck source=scripts/node24.sh
source "$root/scripts/node24.sh"

stamp="node_modules/.kassa-installed"
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ "$(cat "$stamp")" != "$(node --version)" ]; then
  echo "kassa: installing dependencies with node $(node --version)" >&2
  # `npm ci` refuses this machine's lockfile: the registry here lacks some other platforms' optional binaries
  # (e.g. @biomejs/cli-android-arm64), npm leaves them out of the lock, and `npm ci` then calls the lock out of
  # sync. `npm install` installs the same locked versions and tolerates the gap.
  # npm install also rewrites package-lock.json when its own resolution differs in any byte (another npm version,
  # a registry lacking a platform's optional binary): a test run must not leave the committed lock modified, so
  # the committed bytes are put back and the difference is reported instead.
  lock_before="$(mktemp)"
  cp package-lock.json "$lock_before"
  npm install --no-audit --no-fund --loglevel=error
  if ! cmp -s package-lock.json "$lock_before"; then
    cp "$lock_before" package-lock.json
    echo "kassa: npm install wanted to change package-lock.json; kept the committed lock (run npm install yourself to update it)" >&2
  fi
  rm -f "$lock_before"
  node --version > "$stamp"
fi

task="${1:-}"; shift || true
case "$task" in
  test)
    npm run --silent build
    npm run --silent lint
    npm run --silent typecheck
    npm run --silent check:exports
    node scripts/vitest-summary.mjs "$@"
    if [ "$#" -eq 0 ] && [ "${KASSA_SKIP_NODE22:-}" != "1" ]; then
      # The published packages say `engines: >=22`: the library and Medusa tests run again on Node 22 LTS, on the
      # same build and node_modules (no reinstall: the stamp stays Node 24's).
      (
        # shellcheck source=scripts/node22.sh
        source "$root/scripts/node22.sh"
        echo "kassa: again on node $(node --version): core, sandbox, cli, medusa" >&2
        node scripts/vitest-summary.mjs --project core --project sandbox --project cli --project medusa
      )
    fi
    ;;
  demo)
    # A Medusa shop with the Robokassa plugin, paying into the local sandbox (examples/medusa-store).
    # `npm run demo:sandbox` runs the sandbox with its own tiny demo shop instead.
    npm run --silent build
    exec node examples/medusa-store/scripts/demo.mts "$@"
    ;;
  demo-sandbox)
    npm run --silent build
    exec node packages/sandbox/dist/cli.js demo "$@"
    ;;
  bench)
    npm run --silent build
    npm run --silent bench --workspaces --if-present
    ;;
  exec)
    exec "$@"
    ;;
  *)
    echo "usage: scripts/run.sh test|demo|demo-sandbox|bench|exec CMD…" >&2
    exit 2
    ;;
esac
