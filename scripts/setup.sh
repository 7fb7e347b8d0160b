#!/usr/bin/env bash
# Installs everything the workspace needs on a fresh machine: the pinned pnpm, then the locked
# dependencies. better-sqlite3 downloads a prebuilt binary where it can; where only the npm
# registry is reachable, node-gyp builds it against the headers Debian's nodejs ships in /usr.
set -euo pipefail

# Runs a command with its output appended to a log file (node-gyp prints pages of compiler lines while it
# builds better-sqlite3): one line on success, the whole log on failure, with its exit code.
quietly() {
  local log=$1 label=$2
  shift 2
  printf '%s (output in %s)\n' "$label" "$log"
  local status=0
  "$@" >>"$log" 2>&1 || status=$?
  if [ "$status" -ne 0 ]; then
    cat "$log" >&2
    printf '%s failed (exit %s); its output is above and in %s\n' "$label" "$status" "$log" >&2
  fi
  return "$status"
}

main() {
  cd "$(dirname "$0")/.."
  local log
  log=$(mktemp -t skill-metrics-setup.XXXXXX.log)
  local want
  want=$(node -p 'require("./package.json").packageManager.split("@")[1]')
  if [ "$(pnpm --version 2>/dev/null)" != "$want" ]; then
    quietly "$log" "Installing pnpm $want" \
      npm install --global --no-fund --no-audit "pnpm@$want"
  fi
  if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
    export npm_config_nodedir=/usr
  fi
  quietly "$log" "Installing the locked dependencies" \
    pnpm install --frozen-lockfile="${SKILL_METRICS_FROZEN_LOCKFILE:-true}"
  echo "Ready."
}

# Sourced by the test of quietly; run as a script, it installs.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then main; fi
