#!/usr/bin/env bash
# Bundles the delivery scripts into dist/delivery: our code from the checked-out commit, and the packages it imports
# as package-lock.json pins them, by the lockfile's own esbuild (no npx: nothing is resolved or downloaded here).
#
# Run right after `npm ci --ignore-scripts`: no package's install script has run, and nothing but esbuild runs here.
# The jobs that hold a role or a key (plan, apply, drift) build their bundle this way themselves, before credentials,
# instead of downloading one (docs/delivery.md, "Nothing untrusted beside credentials").
set -euo pipefail

# npm links the bin whatever --ignore-scripts says: esbuild's JS launcher then runs the lockfile's platform binary
# (@esbuild/<platform>, pinned with its integrity hash).
esbuild="node_modules/.bin/esbuild"
[[ -x "$esbuild" ]] || {
  echo "bundle.sh: ${esbuild} is missing: run npm ci --ignore-scripts first" >&2
  exit 1
}
mkdir -p dist/delivery
for entry in cli github; do
  "$esbuild" "scripts/delivery/${entry}.ts" --bundle --platform=node --target=node20 --format=cjs \
    --outfile="dist/delivery/${entry}.cjs" --log-level=warning
done
cp scripts/delivery/seal.sh scripts/delivery/plan-status.sh dist/delivery/
