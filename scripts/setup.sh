#!/usr/bin/env bash
# Installs everything the workspace needs on a fresh machine: the pinned pnpm, then the locked
# dependencies. better-sqlite3 downloads a prebuilt binary where it can; where only the npm
# registry is reachable, node-gyp builds it against the headers Debian's nodejs ships in /usr.
set -euo pipefail
cd "$(dirname "$0")/.."
want=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
  npm install --global --no-fund --no-audit "pnpm@$want"
fi
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
pnpm install --frozen-lockfile=${SKILL_METRICS_FROZEN_LOCKFILE:-true}
