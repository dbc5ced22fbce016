module github.com/project-1/project-1

go 1.26

// npm installs the pinned CDK CLI and Node.js here; some of its files are Go
// templates that ./... must not build.
ignore ./node_modules

// cdk-nag-go v2.38.2 requires constructs v10.5.1, whose Construct interface does
// not compile against aws-cdk-go v2.220.0 (the newest served): "ambiguous
// selector ... With". Hold constructs at v10.4.2, the version aws-cdk-go v2.220.0
// was built with; cdk-nag only uses the Construct API both versions share.
replace github.com/aws/constructs-go/constructs/v10 => github.com/aws/constructs-go/constructs/v10 v10.4.2

require (
	github.com/Masterminds/semver/v3 v3.4.0 // indirect
	github.com/aws/aws-cdk-go/awscdk/v2 v2.220.0 // indirect
	github.com/aws/constructs-go/constructs/v10 v10.5.1 // indirect
	github.com/aws/jsii-runtime-go v1.128.0 // indirect
	github.com/cdklabs/awscdk-asset-awscli-go/awscliv1/v2 v2.2.275 // indirect
	github.com/cdklabs/awscdk-asset-node-proxy-agent-go/nodeproxyagentv6/v2 v2.1.1 // indirect
	github.com/cdklabs/cdk-nag-go/cdknag/v2 v2.38.2 // indirect
	github.com/cdklabs/cloud-assembly-schema-go/awscdkcloudassemblyschema/v48 v48.6.0 // indirect
	github.com/stretchr/testify v1.12.1 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
)
