#!/usr/bin/env bash
# Wall time and peak memory of the test suite (test/, compiled once, every
# environment synthesized once in TestMain), against the empty app's synthesis
# (the jsii kernel's boot floor). Needs `npm ci` and GNU time.
#
#   bench/suite.sh            5 runs of each, interleaved
#   RUNS=11 bench/suite.sh
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
[ -x /usr/bin/time ] || { echo "bench/suite.sh needs GNU time (apt-get install time)" >&2; exit 2; }
[ -x node_modules/.bin/node ] || { echo "bench/suite.sh needs the pinned Node.js: run npm ci" >&2; exit 2; }
export PATH="$PWD/node_modules/.bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -c -o "$tmp/test.test" ./test
go build -o "$tmp/empty" ./bench/emptyapp
for i in $(seq "$runs"); do
	CDK_OUTDIR="$tmp/out-$i" /usr/bin/time -f "empty %e %M" -a -o "$tmp/times" "$tmp/empty" >/dev/null 2>&1
	(cd test && /usr/bin/time -f "suite %e %M" -a -o "$tmp/times" "$tmp/test.test" >"$tmp/out" 2>&1) || { cat "$tmp/out" >&2; exit 1; }
done
awk -v runs="$runs" '
	{ wall[$1] = wall[$1] " " $2; if ($3 > rss[$1]) rss[$1] = $3 }
	function median(list,   a, n, i, j, t) {
		n = split(substr(list, 2), a, " ")
		for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
		return a[int((n + 1) / 2)]
	}
	END {
		printf "%-28s %12s %14s\n", "test suite (" runs " runs)", "median wall", "peak RSS"
		printf "%-28s %11.2fs %11.0f MiB\n", "empty app synthesis (floor)", median(wall["empty"]), rss["empty"] / 1024
		printf "%-28s %11.2fs %11.0f MiB\n", "go test ./test (compiled)", median(wall["suite"]), rss["suite"] / 1024
	}' "$tmp/times"
