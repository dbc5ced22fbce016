#!/usr/bin/env bash
# Which aws-cdk-lib submodules a synthesis loads (issue #25's "fewer
# aws-cdk-lib submodules touched at start"): the empty Go app, project-1's
# default synthesis, and the plain-JavaScript anchor with cdk-nag and without
# it (NAG=0 loads no cdk-nag). Each loads a submodule on first use; the
# difference between the last two is what cdk-nag's rules load. Needs `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/.."
. bench/setup.sh
. bench/jsapp/setup.sh
export CDK_CONTEXT_JSON="$context"
hook=$PWD/bench/jsapp/modules.js
count() { # label command...: the node process that loaded aws-cdk-lib's modules
	rm -f "$tmp/modules.$1".*
	MODULES_OUT="$tmp/modules.$1" NODE_OPTIONS="--require $hook" "${@:2}" >/dev/null 2>&1 ||
		{ echo "bench/modules.sh: $1 failed" >&2; exit 1; }
}
count empty env CDK_OUTDIR="$tmp/out-empty" "$tmp/empty"
count go env CDK_OUTDIR="$tmp/out-go" "$tmp/project-1"
count js env CDK_OUTDIR="$tmp/out-js" node "$tmp/jsapp/app.js"
count jsnonag env NAG=0 CDK_OUTDIR="$tmp/out-jsnonag" node "$tmp/jsapp/app.js"
node - "$tmp" <<'JS'
const fs = require('fs'), path = require('path');
const dir = process.argv[2];
const read = (label) => fs.readdirSync(dir).filter((f) => f.startsWith(`modules.${label}.`))
  .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f)))).sort((a, b) => b.files - a.files)[0];
const r = { empty: read('empty'), go: read('go'), js: read('js'), jsnonag: read('jsnonag') };
const label = { empty: 'empty Go CDK app', go: 'project-1 default synthesis', js: 'the JavaScript anchor', jsnonag: 'the JavaScript anchor, NAG=0 (no cdk-nag)' };
for (const k of Object.keys(r)) console.log(`${label[k].padEnd(42)} ${String(r[k].files).padStart(4)} files, ${String(r[k].cdkFiles).padStart(4)} of aws-cdk-lib, ${String(r[k].submodules.length).padStart(3)} submodules`);
const own = new Set(r.jsnonag.submodules);
const nagOnly = r.js.submodules.filter((m) => !own.has(m));
const goExtra = r.go.submodules.filter((m) => !r.js.submodules.includes(m));
console.log(`loaded only for cdk-nag (${nagOnly.length}): ${nagOnly.join(' ')}`);
console.log(`the anchor's own (${own.size}): ${[...own].join(' ')}`);
console.log(`in project-1's synthesis and not in the anchor's: ${goExtra.length ? goExtra.join(' ') : 'none'}`);
JS
