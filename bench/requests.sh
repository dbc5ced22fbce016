#!/usr/bin/env bash
# The requests the Go side sends the jsii kernel in the default synthesis
# (issue #25's "one jsii call where there are many"): how many of each kind,
# how many property reads repeat an earlier identical one, and what one read
# costs (bench/propertyread). Needs `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/setup.sh
ctx=$(node -e 'const c = JSON.parse(process.argv[1]); c.alarmEmail = "alarms@example.com"; console.log(JSON.stringify(c))' "$context")
JSII_DEBUG=1 CDK_CONTEXT_JSON="$ctx" CDK_OUTDIR="$tmp/out" "$tmp/project-1" 2>"$tmp/debug" >/dev/null
grep '^> {' "$tmp/debug" | grep -o '"api":"[a-z]*"' | sort | uniq -c | sort -rn |
	awk '{ total += $1; printf "%6d %s\n", $1, $2 } END { printf "%6d requests\n", total }'
grep '^> {' "$tmp/debug" | grep '"api":"get"' | sort | uniq -c |
	awk '$1 > 1 { repeats += $1 - 1 } END { printf "%6d property reads repeat an earlier identical one\n", repeats }'
go run ./bench/propertyread
