#!/usr/bin/env bash
# Wall time and peak memory of synthesizing the default environment and of the
# compiled test suite, against an empty CDK app on the same aws-cdk-go version
# (the jsii kernel's boot floor). The apps run as built binaries with
# cdk.json's context, as `cdk synth` runs the app, on the Node.js that
# package.json pins. Needs `npm ci` and GNU time.
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
go test -c -o "$tmp/suite" ./test
context=$(node -e 'const c = require("./cdk.json").context; c["aws:cdk:enable-path-metadata"] = true; c["aws:cdk:enable-asset-metadata"] = true; console.log(JSON.stringify(c))')

for i in $(seq "$runs"); do
	for app in empty project-1 suite; do
		if [ "$app" = suite ]; then
			(cd test && /usr/bin/time -f "$app %e %M" -a -o "$tmp/times" "$tmp/suite" >"$tmp/out" 2>&1) || { cat "$tmp/out" >&2; exit 1; }
		else
			CDK_CONTEXT_JSON="$context" CDK_OUTDIR="$tmp/out-$app-$i" /usr/bin/time -f "$app %e %M" -a -o "$tmp/times" "$tmp/$app" >/dev/null 2>"$tmp/stderr" ||
				{ cat "$tmp/stderr" >&2; exit 1; }
		fi
	done
done

# Median wall time and the largest peak RSS (GNU time's %M: of the program or
# of the jsii kernel it waits for, whichever is larger) of each.
awk -v runs="$runs" '
	{ wall[$1] = wall[$1] " " $2; if ($3 > rss[$1]) rss[$1] = $3 }
	function median(list,   a, n, i, j, t) {
		n = split(substr(list, 2), a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return a[int((n + 1) / 2)]
	}
	function row(label, app) { printf "%-28s %11.2fs %11.0f MiB\n", label, median(wall[app]), rss[app] / 1024 }
	END {
		printf "%-28s %12s %14s\n", "(" runs " runs)", "median wall", "peak RSS"
		row("empty app (floor)", "empty")
		row("project-1 default env", "project-1")
		printf "%-28s %11.2fs\n", "  above the floor", median(wall["project-1"]) - median(wall["empty"])
		row("go test ./test (compiled)", "suite")
	}' "$tmp/times"
