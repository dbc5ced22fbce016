# Sourced by bench/all.sh, from the repository's root, after bench/setup.sh:
# unpacks the JavaScript packages that the Go modules embed for the jsii kernel
# (aws-cdk-lib, constructs, cdk-nag and aws-cdk-lib's own jsii dependencies:
# the very files the kernel loads) into $tmp/jsapp/node_modules, as the kernel
# lays them out, and copies bench/jsapp's scripts beside them, so
# `node $tmp/jsapp/app.js` is the plain-JavaScript app on the Go app's versions.
# No registry is asked.
jsapp_modules="github.com/aws/aws-cdk-go/awscdk/v2 github.com/aws/constructs-go/constructs/v10 github.com/cdklabs/cdk-nag-go/cdknag/v2
github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2
github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v55"
jsapp_versions=
for m in $jsapp_modules; do
	dir=$(go list -m -f '{{.Dir}}' "$m") && tgz=$(ls "$dir"/jsii/*.tgz 2>/dev/null | head -1) && [ -n "$tgz" ] ||
		{ echo "$0: no jsii tarball for $m (go mod download)" >&2; exit 2; }
	rm -rf "$tmp/jsapp/unpack" && mkdir -p "$tmp/jsapp/unpack"
	tar -xzf "$tgz" -C "$tmp/jsapp/unpack"
	pkg=$(node -p "const p = require('$tmp/jsapp/unpack/package/package.json'); p.name + ' ' + p.version")
	mkdir -p "$tmp/jsapp/node_modules/$(dirname "${pkg% *}")"
	mv "$tmp/jsapp/unpack/package" "$tmp/jsapp/node_modules/${pkg% *}"
	jsapp_versions="$jsapp_versions ${pkg/ /@}"
done
rm -rf "$tmp/jsapp/unpack"
jsapp_versions=${jsapp_versions# }
cp bench/jsapp/app.js bench/jsapp/compare.js "$tmp/jsapp/"
