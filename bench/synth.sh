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
. bench/setup.sh
go test -c -o "$tmp/suite" ./test

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
awk -v runs="$runs" -f bench/median.awk -f <(printf '%s' '
	{ wall[$1] = wall[$1] " " $2; if ($3 > rss[$1]) rss[$1] = $3 }
	function row(label, app) { printf "%-28s %11.2fs %11.0f MiB\n", label, median(wall[app]), rss[app] / 1024 }
	END {
		printf "%-28s %12s %14s\n", "(" runs " runs)", "median wall", "peak RSS"
		row("empty app (floor)", "empty")
		row("project-1 default env", "project-1")
		printf "%-28s %11.2fs\n", "  above the floor", median(wall["project-1"]) - median(wall["empty"])
		row("go test ./test (compiled)", "suite")
	}') "$tmp/times"
