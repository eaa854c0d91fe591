#!/usr/bin/env bash
# The README's first command: installs what Switchboard needs on a fresh Debian machine,
# builds it, and starts the sandbox (nats-server, API, controller, simulated BMCs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system-packages.sh
if [ ! -d node_modules ] || ! cmp -s package-lock.json node_modules/.package-lock.json.installed; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.package-lock.json.installed
fi
npm run build
# Workspace commands (mctl, conditions-api) are linked once their dist/ exists.
npm rebuild --ignore-scripts >/dev/null
exec node apps/stack/dist/main.js --sandbox "$@"
