package test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// An AWS Organization enforces the Control Tower proactive controls as
// CloudFormation hooks. A hook runs just before CloudFormation creates or
// updates one resource and sees that resource's properties resolved: an
// Fn::ImportValue is the other stack's exported value by then, a Ref the resource's
// id. The same Guard rules then take their is_cfn_hook branch, on a document
// {"AWS::Type": {"resourceProperties": {...}}}.
//
// hookDocuments builds those documents for every resource of one stage, with
// every intrinsic function resolved to a value of the form AWS gives (names,
// ids, ARNs), so the controls can be run as a hook would run them. It fails on
// an intrinsic it does not know rather than guess.

// hookResolver resolves the intrinsic functions of one stage's templates.
type hookResolver struct {
	region, account string
	stacks          map[string]map[string]any // CloudFormation stack name -> template
}

// stageTemplates are the templates of the stage e by CloudFormation stack name.
func stageTemplates(e *envOutput) map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, s := range e.stacks {
		out[s.name] = s.json
	}
	return out
}

// newHookResolver resolves in a stage of region whose stacks' templates are
// templates (by stack name), in the tests' fixed account.
func newHookResolver(region string, templates map[string]map[string]any) *hookResolver {
	return &hookResolver{region: region, account: "123456789012", stacks: templates}
}

// hookDocuments writes one hook document per resource of the stage's stacks
// into dir, named STACK.LOGICALID.json.
func hookDocuments(region string, templates map[string]map[string]any, dir string) error {
	r := newHookResolver(region, templates)
	for name, tpl := range r.stacks {
		resources, _ := tpl["Resources"].(map[string]any)
		for id, body := range resources {
			res := body.(map[string]any)
			props, err := r.resolve(name, res["Properties"])
			if err != nil {
				return fmt.Errorf("%s %s: %w", name, id, err)
			}
			if props == nil {
				props = map[string]any{}
			}
			doc, err := json.Marshal(map[string]any{res["Type"].(string): map[string]any{"resourceProperties": props}})
			if err != nil {
				return err
			}
			if err := os.WriteFile(filepath.Join(dir, name+"."+id+".json"), doc, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// noValue stands for AWS::NoValue: the property is left out.
type noValue struct{}

// resolve returns v with every intrinsic function of stack's template resolved.
func (r *hookResolver) resolve(stack string, v any) (any, error) {
	switch v := v.(type) {
	case []any:
		out := make([]any, 0, len(v))
		for _, x := range v {
			rx, err := r.resolve(stack, x)
			if err != nil {
				return nil, err
			}
			if _, drop := rx.(noValue); !drop {
				out = append(out, rx)
			}
		}
		return out, nil
	case map[string]any:
		if len(v) == 1 {
			for fn, arg := range v {
				if fn == "Ref" || strings.HasPrefix(fn, "Fn::") {
					return r.intrinsic(stack, fn, arg)
				}
			}
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			rx, err := r.resolve(stack, x)
			if err != nil {
				return nil, err
			}
			if _, drop := rx.(noValue); !drop {
				out[k] = rx
			}
		}
		return out, nil
	}
	return v, nil
}

func (r *hookResolver) intrinsic(stack, fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		return r.ref(stack, arg.(string))
	case "Fn::GetAtt":
		var id, attr string
		switch a := arg.(type) {
		case []any:
			id, attr = a[0].(string), a[1].(string)
		case string:
			id, attr, _ = strings.Cut(a, ".")
		}
		return r.getAtt(stack, id, attr)
	case "Fn::GetStackOutput":
		a := arg.(map[string]any)
		name, output := a["StackName"].(string), a["OutputName"].(string)
		tpl, ok := r.stacks[name]
		if !ok {
			return nil, fmt.Errorf("Fn::GetStackOutput of stack %s, which is not in the stage", name)
		}
		out, ok := tpl["Outputs"].(map[string]any)[output].(map[string]any)
		if !ok {
			return nil, fmt.Errorf("Fn::GetStackOutput of %s.%s, which that stack does not output", name, output)
		}
		return r.resolve(name, out["Value"])
	case "Fn::ImportValue":
		export, _ := arg.(string)
		for name, tpl := range r.stacks {
			outputs, _ := tpl["Outputs"].(map[string]any)
			for _, o := range outputs {
				out := o.(map[string]any)
				if e, _ := out["Export"].(map[string]any); e != nil && e["Name"] == export {
					return r.resolve(name, out["Value"])
				}
			}
		}
		return nil, fmt.Errorf("Fn::ImportValue of %v, which no stack of the stage exports", arg)
	case "Fn::Join":
		a := arg.([]any)
		parts, err := r.resolve(stack, a[1])
		if err != nil {
			return nil, err
		}
		var s []string
		for _, p := range parts.([]any) {
			s = append(s, fmt.Sprint(p))
		}
		return strings.Join(s, a[0].(string)), nil
	case "Fn::Sub":
		text, vars := "", map[string]any{}
		switch a := arg.(type) {
		case string:
			text = a
		case []any:
			text = a[0].(string)
			if len(a) > 1 {
				vars = a[1].(map[string]any)
			}
		}
		var failed error
		out := subVariable.ReplaceAllStringFunc(text, func(m string) string {
			name := m[2 : len(m)-1]
			if strings.HasPrefix(name, "!") {
				return "${" + name[1:] + "}"
			}
			var v any
			var err error
			if x, ok := vars[name]; ok {
				v, err = r.resolve(stack, x)
			} else if id, attr, dotted := strings.Cut(name, "."); dotted {
				v, err = r.getAtt(stack, id, attr)
			} else {
				v, err = r.ref(stack, name)
			}
			if err != nil {
				failed = err
			}
			return fmt.Sprint(v)
		})
		return out, failed
	case "Fn::Base64":
		return r.resolve(stack, arg)
	case "Fn::Split":
		a := arg.([]any)
		v, err := r.resolve(stack, a[1])
		if err != nil {
			return nil, err
		}
		var out []any
		for _, part := range strings.Split(fmt.Sprint(v), a[0].(string)) {
			out = append(out, part)
		}
		return out, nil
	case "Fn::Select":
		a := arg.([]any)
		list, err := r.resolve(stack, a[1])
		if err != nil {
			return nil, err
		}
		i, items := int(num(a[0])), list.([]any)
		if i < 0 || i >= len(items) {
			return nil, fmt.Errorf("Fn::Select %d of %d items", i, len(items))
		}
		return items[i], nil
	}
	return nil, fmt.Errorf("%s is not resolved here: teach hookResolver its value", fn)
}

var subVariable = regexp.MustCompile(`\$\{[^}]+\}`)

// ref is what Ref returns: a pseudo parameter's value, a parameter's, or the
// resource's physical id (an ARN for the types whose Ref returns one).
func (r *hookResolver) ref(stack, id string) (any, error) {
	switch id {
	case "AWS::Region":
		return r.region, nil
	case "AWS::AccountId":
		return r.account, nil
	case "AWS::Partition":
		return "aws", nil
	case "AWS::URLSuffix":
		return "amazonaws.com", nil
	case "AWS::StackName":
		return stack, nil
	case "AWS::StackId":
		return "arn:aws:cloudformation:" + r.region + ":" + r.account + ":stack/" + stack + "/" + keyID(stack), nil
	case "AWS::NoValue":
		return noValue{}, nil
	}
	tpl := r.stacks[stack]
	if p, ok := tpl["Parameters"].(map[string]any)[id].(map[string]any); ok {
		if strings.Contains(fmt.Sprint(p["Type"]), "AWS::EC2::Image::Id") {
			return "ami-0" + shortHash(id, 16), nil
		}
		return p["Default"], nil
	}
	res, ok := tpl["Resources"].(map[string]any)[id].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Ref %s: no such parameter or resource in %s", id, stack)
	}
	typ := res["Type"].(string)
	name := physicalName(stack, id)
	switch typ {
	case "AWS::SNS::Topic", "AWS::SecretsManager::Secret", "AWS::ElasticLoadBalancingV2::LoadBalancer",
		"AWS::ElasticLoadBalancingV2::TargetGroup", "AWS::ElasticLoadBalancingV2::Listener":
		return r.arn(typ, name), nil
	case "AWS::KMS::Key":
		return keyID(name), nil
	}
	if prefix, ok := ec2IDPrefix[typ]; ok {
		return prefix + "-0" + shortHash(id, 16), nil
	}
	return name, nil
}

// getAtt is what Fn::GetAtt returns: an ARN for Arn, else a value named after
// the resource and attribute.
func (r *hookResolver) getAtt(stack, id, attr string) (any, error) {
	res, ok := r.stacks[stack]["Resources"].(map[string]any)[id].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("Fn::GetAtt %s.%s: no such resource in %s", id, attr, stack)
	}
	typ := res["Type"].(string)
	switch {
	case attr == "Arn":
		return r.arn(typ, physicalName(stack, id)), nil
	case attr == "GroupId" || attr == "AllocationId" || attr == "DefaultSecurityGroup":
		return r.ref(stack, id)
	}
	return physicalName(stack, id) + "-" + strings.ToLower(attr), nil
}

// arn builds the ARN of a resource of type typ with physical name name.
func (r *hookResolver) arn(typ, name string) string {
	service := strings.ToLower(strings.Split(typ, "::")[1])
	switch typ {
	case "AWS::S3::Bucket":
		return "arn:aws:s3:::" + name
	case "AWS::IAM::Role":
		return "arn:aws:iam::" + r.account + ":role/" + name
	case "AWS::IAM::ManagedPolicy":
		return "arn:aws:iam::" + r.account + ":policy/" + name
	case "AWS::KMS::Key":
		return "arn:aws:kms:" + r.region + ":" + r.account + ":key/" + keyID(name)
	case "AWS::Lambda::Function":
		return "arn:aws:lambda:" + r.region + ":" + r.account + ":function:" + name
	case "AWS::Logs::LogGroup":
		return "arn:aws:logs:" + r.region + ":" + r.account + ":log-group:" + name + ":*"
	case "AWS::DynamoDB::Table":
		return "arn:aws:dynamodb:" + r.region + ":" + r.account + ":table/" + name
	case "AWS::SNS::Topic":
		return "arn:aws:sns:" + r.region + ":" + r.account + ":" + name
	case "AWS::SecretsManager::Secret":
		return "arn:aws:secretsmanager:" + r.region + ":" + r.account + ":secret:" + name + "-AbCdEf"
	case "AWS::ElasticLoadBalancingV2::LoadBalancer":
		return "arn:aws:elasticloadbalancing:" + r.region + ":" + r.account + ":loadbalancer/app/" + name + "/" + shortHash(name, 16)
	case "AWS::ElasticLoadBalancingV2::TargetGroup":
		return "arn:aws:elasticloadbalancing:" + r.region + ":" + r.account + ":targetgroup/" + name + "/" + shortHash(name, 16)
	case "AWS::RDS::DBInstance":
		return "arn:aws:rds:" + r.region + ":" + r.account + ":db:" + name
	}
	return "arn:aws:" + service + ":" + r.region + ":" + r.account + ":" + name
}

// The prefixes of EC2 ids that a Ref returns.
var ec2IDPrefix = map[string]string{
	"AWS::EC2::VPC": "vpc", "AWS::EC2::Subnet": "subnet", "AWS::EC2::SecurityGroup": "sg",
	"AWS::EC2::NetworkAcl": "acl", "AWS::EC2::RouteTable": "rtb", "AWS::EC2::InternetGateway": "igw",
	"AWS::EC2::NatGateway": "nat", "AWS::EC2::LaunchTemplate": "lt", "AWS::EC2::FlowLog": "fl",
	"AWS::EC2::EIP": "eipalloc",
}

// physicalName is a name CloudFormation could generate: the stack's name and
// the logical id, lower case (valid for a bucket too), with a suffix.
func physicalName(stack, id string) string {
	name := strings.ToLower(stack + "-" + id)
	if len(name) > 48 {
		name = name[:48]
	}
	return strings.Trim(name, "-") + "-" + shortHash(stack+id, 12)
}

func keyID(name string) string {
	h := shortHash(name, 32)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

func shortHash(s string, n int) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])[:n]
}

// TestHookResolver: the resolved values have the forms the controls match.
func TestHookResolver(t *testing.T) {
	e := synthAll().all[synthAll().env.Name]
	r := newHookResolver(e.env.Region, stageTemplates(e))
	data := e.stacks["Data"]
	var bucket string
	for id := range data.resources("AWS::S3::Bucket") {
		bucket = id
	}
	for _, tc := range []struct {
		in   any
		want *regexp.Regexp
	}{
		{map[string]any{"Fn::GetAtt": []any{bucket, "Arn"}}, regexp.MustCompile(`^arn:aws:s3:::[a-z0-9][a-z0-9.-]*[a-z0-9]$`)},
		{map[string]any{"Fn::Join": []any{"", []any{map[string]any{"Fn::GetAtt": []any{bucket, "Arn"}}, "/*"}}}, regexp.MustCompile(`^arn:aws:s3:::[a-z0-9.-]+/\*$`)},
		{map[string]any{"Fn::Sub": "arn:${AWS::Partition}:s3:::${" + bucket + "}"}, regexp.MustCompile(`^arn:aws:s3:::[a-z0-9.-]+$`)},
		{map[string]any{"Ref": "AWS::Region"}, regexp.MustCompile("^" + e.env.Region + "$")},
	} {
		got, err := r.resolve(data.name, tc.in)
		if err != nil || !tc.want.MatchString(fmt.Sprint(got)) {
			t.Errorf("resolve %v = %v, %v; want %v", tc.in, got, err, tc.want)
		}
	}
	// Across stacks: the App stack's subnets are the Network stack's subnet ids.
	app := e.stacks["App"]
	asg := app.one(t, "AWS::AutoScaling::AutoScalingGroup")
	got, err := r.resolve(app.name, asg["VPCZoneIdentifier"])
	must(t, "resolve the group's subnets", err)
	subnets, _ := got.([]any)
	if len(subnets) != 2 || !slices.ContainsFunc(subnets, func(s any) bool { return strings.HasPrefix(fmt.Sprint(s), "subnet-0") }) {
		t.Errorf("the group's subnets resolve to %v, want two subnet ids", got)
	}
	if _, err := r.resolve(app.name, map[string]any{"Fn::ImportValue": "x"}); err == nil {
		t.Error("Fn::ImportValue resolved without complaint; the resolver must refuse what it does not know")
	}
}
