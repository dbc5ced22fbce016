#!/usr/bin/env bash
# The whole benchmark in one table (issue #25): the empty Go CDK app (the jsii
# kernel's floor), the same architecture written plainly in JavaScript
# (bench/jsapp, on the aws-cdk-lib the Go modules embed), project-1's synthesis
# of the default environment, `go test ./...` with a warm build cache, `go test
# ./test -run` of one construct test and `go test ./constructs/web`, each run
# ROUNDS times, interleaved (one of each per round, so a load on the machine
# falls on every row alike); medians of wall and CPU time, and the largest peak
# RSS of any one process (GNU time's %M: the program's or the largest child's it
# waited for). The apps run as built binaries with cdk.json's context and
# -c alarmEmail=alarms@example.com, as .ci/run and the tests synthesize. Needs
# `npm ci` (the pinned Node.js) and GNU time; says so and exits 2 without them.
#
#   bench/all.sh            5 rounds
#   ROUNDS=9 bench/all.sh
#   SUITE=0 bench/all.sh    the syntheses only (no go test rows)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-5}
suite=${SUITE:-1}
[ -x /usr/bin/time ] || { echo "bench/all.sh needs GNU time for wall, CPU and peak memory (apt-get install time)" >&2; exit 2; }
. bench/setup.sh
. bench/jsapp/setup.sh
context=$(node -e 'const c = JSON.parse(process.argv[1]); c.alarmEmail = "alarms@example.com"; console.log(JSON.stringify(c))' "$context")
export CDK_CONTEXT_JSON="$context"
onetest=${ONETEST:-TestConstructsTakeImportedResources}
if [ "$suite" = 1 ]; then
	go test -count=1 -run '^$' ./... >/dev/null # a warm build cache: compiled, linked once
fi

run() { # label command...: one timed run, its output kept only when it fails
	/usr/bin/time -f "$1 %e %U %S %M" -a -o "$tmp/times" "${@:2}" >"$tmp/out" 2>&1 || { cat "$tmp/out" >&2; echo "bench/all.sh: $1 failed" >&2; exit 1; }
}
for i in $(seq "$rounds"); do
	run floor env CDK_OUTDIR="$tmp/out-empty" "$tmp/empty"
	run js env CDK_OUTDIR="$tmp/out-js" node "$tmp/jsapp/app.js"
	run jsnonag env NAG=0 CDK_OUTDIR="$tmp/out-jsnonag" node "$tmp/jsapp/app.js"
	run go env CDK_OUTDIR="$tmp/out-go" "$tmp/project-1"
	if [ "$suite" = 1 ]; then
		run link go test -count=1 -run '^$' ./...
		run suite go test -count=1 ./...
		run one go test -count=1 ./test -run "^$onetest\$"
		run web go test -count=1 ./constructs/web
	fi
done

echo "bench/all.sh, $(date -u +%Y-%m-%d), $rounds rounds, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
echo "Go $(go env GOVERSION), Node.js $(node --version), $jsapp_versions"
echo "the anchor against the Go app (Go/JS):"
node "$tmp/jsapp/compare.js" "$tmp/out-go" "$tmp/out-js" | sed 's/^/  /' || true
awk -v onetest="$onetest" -f bench/median.awk -f <(printf '%s' '
	{ wall[$1] = wall[$1] " " $2; cpu[$1] = cpu[$1] " " ($3 + $4); if ($5 > rss[$1]) rss[$1] = $5 }
	function row(label, k) { if (k in wall) printf "| %-56s | %8.2f s | %8.2f s | %8.0f MiB |\n", label, median(wall[k]), median(cpu[k]), rss[k] / 1024 }
	END {
		printf "| %-56s | %10s | %10s | %12s |\n", "median of the rounds", "wall", "CPU", "peak RSS"
		printf "|%s|%s|%s|%s|\n", "----------------------------------------------------------", "------------", "------------", "--------------"
		row("empty Go CDK app (the jsii floor)", "floor")
		row("the same architecture in plain JavaScript", "js")
		row("  the same without cdk-nag (NAG=0)", "jsnonag")
		row("project-1 default synthesis", "go")
		row("go test ./... (warm build cache)", "suite")
		row("  of which linking and starting (-run ^$)", "link")
		row("go test ./test -run " onetest, "one")
		row("go test ./constructs/web", "web")
		printf "project-1 / JavaScript: %.2fx wall; project-1 above the floor: %.2f s\n", median(wall["go"]) / median(wall["js"]), median(wall["go"]) - median(wall["floor"])
	}') "$tmp/times"
