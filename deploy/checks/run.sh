#!/usr/bin/env bash
# Offline checks of deploy/terraform and .github/workflows (run by `./mvnw verify`, module deploy).
# Needs Node.js >= 20 and npm; the checkers themselves are pinned in package-lock.json and
# installed here with `npm ci` from the npm registry (only when the lock file changed).
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "deploy checks: Node.js >= 20 and npm are required (https://nodejs.org, or: apt-get install nodejs npm)." >&2
  echo "deploy checks: skip them with -DskipTests or -Dfanout.deploy-checks.skip=true." >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "deploy checks: Node.js $(node --version) is too old; >= 20 is required (node --test)." >&2
  exit 1
fi

stamp=node_modules/.fanout-package-lock
if ! cmp -s package-lock.json "$stamp" 2>/dev/null; then
  npm ci --no-audit --no-fund --prefer-offline --loglevel=error
  cp package-lock.json "$stamp"
fi

exec node --test --test-reporter=spec "$@"
