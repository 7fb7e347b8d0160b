#!/usr/bin/env bash
# Puts `skill-metrics` on PATH. The CLI's workspace packages are not on npm, so a global npm or
# pnpm install cannot fetch them: this builds the CLI, deploys it with its production
# dependencies (the workspace packages copied in) into one folder of its own, and links its bin
# into a folder you name. Rerun it to update; `rm` the link and the folder to remove it.
#
#   bash scripts/install-cli.sh BIN_DIR [APP_DIR]
#     BIN_DIR  where the `skill-metrics` link goes, a folder on your PATH (e.g. ~/.local/bin)
#     APP_DIR  where the CLI is deployed (default: ~/.local/share/skill-metrics)
set -euo pipefail
if [ $# -lt 1 ] || [ $# -gt 2 ]; then
  echo "usage: bash scripts/install-cli.sh BIN_DIR [APP_DIR]" >&2
  exit 2
fi
absolute() { mkdir -p "$1" && (cd "$1" && pwd); }
bin_dir=$(absolute "$1")
app_dir=${2:-${XDG_DATA_HOME:-$HOME/.local/share}/skill-metrics}
app_parent=$(absolute "$(dirname "$app_dir")")
app_dir="$app_parent/$(basename "$app_dir")"
marker=.skill-metrics-cli
if [ -e "$app_dir" ] && [ ! -e "$app_dir/$marker" ]; then
  echo "$app_dir exists and is not a skill-metrics install: name another APP_DIR" >&2
  exit 4
fi

cd "$(dirname "$0")/.."
# A fresh clone has no dependencies yet.
[ -d node_modules ] || bash scripts/setup.sh
TURBO_TELEMETRY_DISABLED=1 pnpm turbo run build --filter=@skill-metrics/cli --output-logs=errors-only

staging=$(mktemp -d "$app_parent/.skill-metrics-cli.XXXXXX")
trap 'rm -rf "$staging"' EXIT
pnpm --silent --filter @skill-metrics/cli deploy --prod "$staging/app" >/dev/null
# db-store ships its SQL as a link to the repository's migrations/, and a deploy copies no
# links: copy the folder itself.
stores=("$staging"/app/node_modules/.pnpm/@skill-metrics+db-store@*/node_modules/@skill-metrics/db-store)
if [ ${#stores[@]} -ne 1 ] || [ ! -d "${stores[0]}" ]; then
  echo "the deployed CLI has no single @skill-metrics/db-store: ${stores[*]}" >&2
  exit 1
fi
rm -rf "${stores[0]}/migrations"
cp -R migrations "${stores[0]}/migrations"
touch "$staging/app/$marker"
"$staging/app/bin/run.js" --version >/dev/null

rm -rf "$app_dir"
mv "$staging/app" "$app_dir"
ln -sfn "$app_dir/bin/run.js" "$bin_dir/skill-metrics"
echo "Installed: $bin_dir/skill-metrics -> $app_dir ($("$bin_dir/skill-metrics" --version))"
case ":$PATH:" in
*":$bin_dir:"*) ;;
*) echo "$bin_dir is not on your PATH: add it, e.g. export PATH=\"$bin_dir:\$PATH\"" ;;
esac
