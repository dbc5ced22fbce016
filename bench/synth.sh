#!/usr/bin/env bash
# Wall time and peak memory of synthesizing the default environment, against an
# empty CDK app on the same aws-cdk-go version (the jsii kernel's boot floor).
# Both run as built binaries with cdk.json's context, as `cdk synth` runs the
# app, on the Node.js that package.json pins. Needs `npm ci` and GNU time.
#
#   bench/synth.sh            5 runs of each, interleaved
#   RUNS=11 bench/synth.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
[ -x /usr/bin/time ] || { echo "bench/synth.sh needs GNU time (apt-get install time)" >&2; exit 2; }
[ -x node_modules/.bin/node ] || { echo "bench/synth.sh needs the pinned Node.js: run npm ci" >&2; exit 2; }
export PATH="$PWD/node_modules/.bin:$PATH"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/project-1" .
go build -o "$tmp/empty" ./bench/emptyapp
export CDK_CONTEXT_JSON
CDK_CONTEXT_JSON=$(node -e 'const c = require("./cdk.json").context; c["aws:cdk:enable-path-metadata"] = true; c["aws:cdk:enable-asset-metadata"] = true; console.log(JSON.stringify(c))')

for i in $(seq "$runs"); do
	for app in empty project-1; do
		CDK_OUTDIR="$tmp/out-$app-$i" /usr/bin/time -f "$app %e %M" -a -o "$tmp/times" "$tmp/$app" >/dev/null 2>"$tmp/stderr" ||
			{ cat "$tmp/stderr" >&2; exit 1; }
	done
done

# Median wall time and the largest peak RSS (GNU time's %M: of the app or of the
# jsii kernel it waits for, whichever is larger) of each app.
awk -v runs="$runs" '
	{ wall[$1] = wall[$1] " " $2; if ($3 > rss[$1]) rss[$1] = $3 }
	function median(list,   a, n, i, j, t) {
		n = split(substr(list, 2), a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return a[int((n + 1) / 2)]
	}
	END {
		fw = median(wall["empty"]); pw = median(wall["project-1"])
		printf "%-28s %12s %14s\n", "synthesis (" runs " runs)", "median wall", "peak RSS"
		printf "%-28s %11.2fs %11.0f MiB\n", "empty app (floor)", fw, rss["empty"] / 1024
		printf "%-28s %11.2fs %11.0f MiB\n", "project-1 default env", pw, rss["project-1"] / 1024
		printf "%-28s %11.2fx %13.2fx\n", "ratio", pw / fw, rss["project-1"] / rss["empty"]
		printf "%-28s %11.2fs\n", "above the floor", pw - fw
	}' "$tmp/times"
