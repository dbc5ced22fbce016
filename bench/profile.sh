#!/usr/bin/env bash
# Where the jsii kernel spends a synthesis: profiles the kernel (node
# --cpu-prof) of the default environment's synthesis and of the empty app,
# and prints each by phase. Needs `npm ci`.
#
#   bench/profile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/setup.sh
export CDK_CONTEXT_JSON="$context"
for app in empty project-1; do
	"$tmp/$app" >/dev/null 2>&1 # warm the package cache
	CDK_OUTDIR="$tmp/out-$app" NODE_OPTIONS="--cpu-prof --cpu-prof-dir=$tmp/prof-$app" "$tmp/$app" >/dev/null
	# jsii-runtime.js relays to the kernel in a child process: the larger profile is the kernel's.
	echo "== $app"
	node bench/profile.js "$(ls -S "$tmp/prof-$app"/*.cpuprofile | head -1)"
done
