#!/usr/bin/env bash
# Where the jsii kernel spends a synthesis: profiles the kernel (node
# --cpu-prof) of the default environment's synthesis and of the empty app,
# and prints each by phase. Needs `npm ci`.
#
#   bench/profile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x node_modules/.bin/node ] || { echo "bench/profile.sh needs the pinned Node.js: run npm ci" >&2; exit 2; }
export PATH="$PWD/node_modules/.bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/project-1" .
go build -o "$tmp/empty" ./bench/emptyapp
export CDK_CONTEXT_JSON
CDK_CONTEXT_JSON=$(node -e 'const c = require("./cdk.json").context; c["aws:cdk:enable-path-metadata"] = true; c["aws:cdk:enable-asset-metadata"] = true; console.log(JSON.stringify(c))')
for app in empty project-1; do
	"$tmp/$app" >/dev/null 2>&1 # warm the package cache
	CDK_OUTDIR="$tmp/out-$app" NODE_OPTIONS="--cpu-prof --cpu-prof-dir=$tmp/prof-$app" "$tmp/$app" >/dev/null
	# jsii-runtime.js relays to the kernel in a child process: the larger profile is the kernel's.
	echo "== $app"
	node bench/profile.js "$(ls -S "$tmp/prof-$app"/*.cpuprofile | head -1)"
done
