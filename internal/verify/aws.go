package verify

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/smithy-go"
)

// EC2 is the part of the EC2 API a run calls.
type EC2 interface {
	DescribeInstances(context.Context, *ec2.DescribeInstancesInput, ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	DescribeNetworkInterfaces(context.Context, *ec2.DescribeNetworkInterfacesInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error)
	DescribeNatGateways(context.Context, *ec2.DescribeNatGatewaysInput, ...func(*ec2.Options)) (*ec2.DescribeNatGatewaysOutput, error)
	CreateNetworkInsightsPath(context.Context, *ec2.CreateNetworkInsightsPathInput, ...func(*ec2.Options)) (*ec2.CreateNetworkInsightsPathOutput, error)
	StartNetworkInsightsAnalysis(context.Context, *ec2.StartNetworkInsightsAnalysisInput, ...func(*ec2.Options)) (*ec2.StartNetworkInsightsAnalysisOutput, error)
	DescribeNetworkInsightsPaths(context.Context, *ec2.DescribeNetworkInsightsPathsInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkInsightsPathsOutput, error)
	DescribeNetworkInsightsAnalyses(context.Context, *ec2.DescribeNetworkInsightsAnalysesInput, ...func(*ec2.Options)) (*ec2.DescribeNetworkInsightsAnalysesOutput, error)
	DeleteNetworkInsightsAnalysis(context.Context, *ec2.DeleteNetworkInsightsAnalysisInput, ...func(*ec2.Options)) (*ec2.DeleteNetworkInsightsAnalysisOutput, error)
	DeleteNetworkInsightsPath(context.Context, *ec2.DeleteNetworkInsightsPathInput, ...func(*ec2.Options)) (*ec2.DeleteNetworkInsightsPathOutput, error)
}

// CloudFormation is the part of the CloudFormation API a run calls.
type CloudFormation interface {
	DescribeStackResources(context.Context, *cloudformation.DescribeStackResourcesInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourcesOutput, error)
	DetectStackDrift(context.Context, *cloudformation.DetectStackDriftInput, ...func(*cloudformation.Options)) (*cloudformation.DetectStackDriftOutput, error)
	DescribeStackDriftDetectionStatus(context.Context, *cloudformation.DescribeStackDriftDetectionStatusInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackDriftDetectionStatusOutput, error)
	DescribeStackResourceDrifts(context.Context, *cloudformation.DescribeStackResourceDriftsInput, ...func(*cloudformation.Options)) (*cloudformation.DescribeStackResourceDriftsOutput, error)
}

// RDS is the part of the RDS API a run calls.
type RDS interface {
	DescribeDBInstances(context.Context, *rds.DescribeDBInstancesInput, ...func(*rds.Options)) (*rds.DescribeDBInstancesOutput, error)
}

// Clients are the APIs a run calls, and how it waits.
type Clients struct {
	EC2            EC2
	CloudFormation CloudFormation
	RDS            RDS
	// Poll is the pause between two polls of a running analysis or drift
	// detection; Timeout bounds each wait.
	Poll, Timeout time.Duration
	// Progress receives a line as the waits advance (nil: none).
	Progress func(format string, args ...any)
	// Parallel bounds the analyses running at once.
	Parallel int
}

func (c *Clients) progress(format string, args ...any) {
	if c.Progress != nil {
		c.Progress(format, args...)
	}
}

// Node is one deployed endpoint: the AWS id Reachability Analyzer takes
// (igw-, eni-, i-), its zone, and the template resource it stands for.
type Node struct {
	Ref  Ref
	ID   string
	Zone string
}

// String is "ID (ZONE)".
func (n Node) String() string {
	if n.Zone == "" {
		return n.ID
	}
	return n.ID + " (" + n.Zone + ")"
}

// PermissionError is a call AWS refused for want of a permission: the IAM
// action it needs.
type PermissionError struct {
	Action string
	Err    error
}

func (e *PermissionError) Error() string {
	return fmt.Sprintf("missing permission %s: %v", e.Action, e.Err)
}

func (e *PermissionError) Unwrap() error { return e.Err }

// classify turns an API error of an access-denied kind into a PermissionError
// naming the action: the service's IAM prefix and the operation.
func classify(err error) error {
	var api smithy.APIError
	var op *smithy.OperationError
	if !errors.As(err, &api) || !errors.As(err, &op) {
		return err
	}
	switch api.ErrorCode() {
	case "UnauthorizedOperation", "AccessDenied", "AccessDeniedException", "AuthFailure":
		prefix := map[string]string{"EC2": "ec2", "CloudFormation": "cloudformation", "RDS": "rds"}[op.Service()]
		if prefix == "" {
			prefix = strings.ToLower(op.Service())
		}
		return &PermissionError{Action: prefix + ":" + op.Operation(), Err: err}
	}
	return err
}

// Physical maps each stack's logical ids to the deployed resources' ids.
type Physical map[string]map[string]string // stack -> logical id -> physical id

// Describe reads the physical id of every resource of the plan's stacks.
func (c *Clients) Describe(ctx context.Context, p *Plan) (Physical, error) {
	out := Physical{}
	for _, stack := range p.Stacks {
		res, err := c.CloudFormation.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{StackName: aws.String(stack)})
		if err != nil {
			return nil, fmt.Errorf("stack %s: %w", stack, classify(err))
		}
		out[stack] = map[string]string{}
		for _, r := range res.StackResources {
			out[stack][aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
		}
	}
	return out, nil
}

// Logical is the template resource a physical id belongs to, "" when it is
// none of the stage's.
func (ph Physical) Logical(id string) string {
	for stack, ids := range ph {
		for logical, physical := range ids {
			if physical == id {
				return stack + "/" + logical
			}
		}
	}
	return ""
}

// Resolve finds the deployed endpoints of a template resource: the internet
// gateway; a load balancer's network interfaces, one per zone; an Auto
// Scaling group's running instances, one per zone; a DB instance's network
// interfaces; a NAT gateway's network interface.
func (c *Clients) Resolve(ctx context.Context, ph Physical, r Ref) ([]Node, error) {
	id := ph[r.Stack][r.LogicalID]
	if id == "" {
		return nil, fmt.Errorf("%s (%s) is not deployed: DescribeStackResources of %s does not list it", r, r.Type, r.Stack)
	}
	var nodes []Node
	add := func(awsID, zone string) { nodes = append(nodes, Node{Ref: r, ID: awsID, Zone: zone}) }
	switch r.Type {
	case "AWS::EC2::InternetGateway", "AWS::EC2::Instance":
		add(id, "")
	case "AWS::ElasticLoadBalancingV2::LoadBalancer":
		// The load balancer's interfaces are described "ELB app/NAME/ID".
		_, name, ok := strings.Cut(id, ":loadbalancer/")
		if !ok {
			return nil, fmt.Errorf("%s: %q is not a load balancer ARN", r, id)
		}
		if err := c.interfaces(ctx, add, ec2types.Filter{Name: aws.String("description"), Values: []string{"ELB " + name}}); err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		}
	case "AWS::AutoScaling::AutoScalingGroup":
		out, err := c.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []ec2types.Filter{
			{Name: aws.String("tag:aws:autoscaling:groupName"), Values: []string{id}},
			{Name: aws.String("instance-state-name"), Values: []string{"running"}},
		}})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r, classify(err))
		}
		seen := map[string]bool{}
		for _, res := range out.Reservations {
			for _, i := range res.Instances {
				zone := aws.ToString(i.Placement.AvailabilityZone)
				if !seen[zone] { // one per zone: every zone's subnet, route table and ACL
					seen[zone] = true
					add(aws.ToString(i.InstanceId), zone)
				}
			}
		}
	case "AWS::RDS::DBInstance":
		out, err := c.RDS.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r, classify(err))
		}
		var groups []string
		for _, db := range out.DBInstances {
			for _, g := range db.VpcSecurityGroups {
				groups = append(groups, aws.ToString(g.VpcSecurityGroupId))
			}
		}
		if len(groups) == 0 {
			return nil, fmt.Errorf("%s: DB instance %s has no VPC security group", r, id)
		}
		if err := c.interfaces(ctx, add,
			ec2types.Filter{Name: aws.String("group-id"), Values: groups},
			ec2types.Filter{Name: aws.String("requester-id"), Values: []string{"amazon-rds"}}); err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		}
	case "AWS::EC2::NatGateway":
		out, err := c.EC2.DescribeNatGateways(ctx, &ec2.DescribeNatGatewaysInput{NatGatewayIds: []string{id}})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", r, classify(err))
		}
		for _, g := range out.NatGateways {
			for _, a := range g.NatGatewayAddresses {
				if eni := aws.ToString(a.NetworkInterfaceId); eni != "" {
					add(eni, "")
				}
			}
		}
	default:
		return nil, fmt.Errorf("%s: no endpoint of type %s", r, r.Type)
	}
	if len(nodes) == 0 {
		return nil, fmt.Errorf("%s (%s %s) has no deployed endpoint to analyse (no running instance or network interface)", r, r.Type, id)
	}
	return nodes, nil
}

func (c *Clients) interfaces(ctx context.Context, add func(id, zone string), filters ...ec2types.Filter) error {
	out, err := c.EC2.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{Filters: filters})
	if err != nil {
		return classify(err)
	}
	ifs := out.NetworkInterfaces
	sort.Slice(ifs, func(i, j int) bool {
		return aws.ToString(ifs[i].AvailabilityZone) < aws.ToString(ifs[j].AvailabilityZone)
	})
	for _, i := range ifs {
		add(aws.ToString(i.NetworkInterfaceId), aws.ToString(i.AvailabilityZone))
	}
	return nil
}
