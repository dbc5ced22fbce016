#!/usr/bin/env bash
# Fetches the files internal/cost/prices.go cites for its EC2 instance types
# and DB instance classes, from the Go module proxy, and compares the table
# with them (TestInstancePricesMatchSources). About 16 MB to download; not
# part of .ci/run. Usage: bash internal/cost/price-sources.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=${1:-$(mktemp -d)}
mkdir -p "$dir"
proxy=$(go env GOPROXY | cut -d, -f1)
get() { # module version path-in-zip
	local zip="$dir/$(basename "$1").zip"
	[ -s "$zip" ] || curl -fsSL -o "$zip" "$proxy/$1/@v/$2.zip"
	unzip -o -q -j -d "$dir" "$zip" "$1@$2/$3"
}
get github.com/aws/karpenter-provider-aws v1.15.3 pkg/providers/pricing/zz_generated.pricing_aws.go
get github.com/cristim/ec2-instances-info v0.0.0-20250528091325-32acf84f42eb data/instances.json
get github.com/cristim/ec2-instances-info v0.0.0-20250528091325-32acf84f42eb data/rds-instances.json
PRICE_SOURCES="$dir" go test -count=1 -run TestInstancePricesMatchSources -v ./internal/cost
