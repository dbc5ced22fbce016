# Sourced by the bench scripts, from the repository's root: the pinned Node.js
# first on PATH, a scratch directory $tmp (removed on exit) holding the app and
# the empty app, built, and $context, cdk.json's context plus what the CDK CLI
# adds, for CDK_CONTEXT_JSON (the apps then run as `cdk synth` runs them).
[ -x node_modules/.bin/node ] || { echo "$0 needs the pinned Node.js: run npm ci" >&2; exit 2; }
export PATH="$PWD/node_modules/.bin:$PATH"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/project-1" .
go build -o "$tmp/empty" ./bench/emptyapp
context=$(node -e 'const c = require("./cdk.json").context; c["aws:cdk:enable-path-metadata"] = true; c["aws:cdk:enable-asset-metadata"] = true; console.log(JSON.stringify(c))')
