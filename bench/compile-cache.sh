#!/usr/bin/env bash
# What Node's compile cache would save the default environment's synthesis if
# the jsii kernel loaded its packages from a stable path (it does not: see the
# bench/README.md). Runs the app and the empty app as bench/synth.sh does,
# interleaved: as they are, and with bench/stablekernel/preload.js, which
# fixes the kernel's work directory and turns the cache on (the first run
# fills it and is left out). Needs `npm ci` and GNU time.
#
#   bench/compile-cache.sh      7 runs of each; RUNS=11 for more
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-7}
[ -x /usr/bin/time ] || { echo "bench/compile-cache.sh needs GNU time (apt-get install time)" >&2; exit 2; }
. bench/setup.sh
# The kernel that jsii-runtime-go embeds, run as a custom JSII_RUNTIME.
runtime=$(go list -m -f '{{.Dir}}' github.com/aws/jsii-runtime-go)/internal/embedded/resources
cp -r "$runtime" "$tmp/runtime"
stable="node --require $PWD/bench/stablekernel/preload.js $tmp/runtime/bin/jsii-runtime.js"
export STABLE_KERNEL_DIR="$tmp/kernel" STABLE_KERNEL_CACHE="$tmp/compile-cache" CDK_CONTEXT_JSON="$context"

run() { # label app [JSII_RUNTIME]
	JSII_RUNTIME=${3:-} CDK_OUTDIR="$tmp/out" /usr/bin/time -f "$1 %e" -a -o "$tmp/times" "$tmp/$2" >/dev/null 2>"$tmp/stderr" ||
		{ cat "$tmp/stderr" >&2; exit 1; }
}
for app in empty project-1; do run warm "$app" "$stable"; done
: >"$tmp/times"
for i in $(seq "$runs"); do
	for app in empty project-1; do
		run "$app" "$app"
		run "$app+cache" "$app" "$stable"
	done
done
awk -v runs="$runs" -f bench/median.awk -f <(printf '%s' '
	{ wall[$1] = wall[$1] " " $2 }
	END {
		printf "%-30s %10s %16s\n", "(" runs " runs, median wall)", "as it is", "stable + cache"
		printf "%-30s %9.2fs %15.2fs\n", "empty app (floor)", median(wall["empty"]), median(wall["empty+cache"])
		printf "%-30s %9.2fs %15.2fs\n", "project-1 default env", median(wall["project-1"]), median(wall["project-1+cache"])
		printf "%-30s %9.2fs %15.2fs\n", "  above the floor", median(wall["project-1"]) - median(wall["empty"]), median(wall["project-1+cache"]) - median(wall["empty+cache"])
	}') "$tmp/times"
