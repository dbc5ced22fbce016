package verify

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cfntypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// Drift is one stack's drift detection.
type Drift struct {
	Stack  string
	Status cfntypes.StackDriftStatus // DRIFTED, IN_SYNC, NOT_CHECKED
	// Reason is DetectionStatusReason when the detection did not complete
	// (DETECTION_FAILED: some resources could not be read).
	Reason    string
	Resources []DriftedResource
}

// DriftedResource is a resource that differs from its template.
type DriftedResource struct {
	LogicalID, Type string
	Status          cfntypes.StackResourceDriftStatus // MODIFIED, DELETED
	Properties      []string                          // the property paths that differ
}

// Network reports whether the resource is part of the network the analyses
// read: an EC2 resource (VPC, subnet, route, ACL, security group, gateway,
// instance) or a load balancer's.
func (d DriftedResource) Network() bool {
	return strings.HasPrefix(d.Type, "AWS::EC2::") || strings.HasPrefix(d.Type, "AWS::ElasticLoadBalancingV2::")
}

// DetectDrift runs CloudFormation's drift detection on every stack of the
// plan, one after the other, each wait bounded by c.Timeout.
func (c *Clients) DetectDrift(ctx context.Context, p *Plan) ([]Drift, error) {
	var out []Drift
	for _, stack := range p.Stacks {
		d, err := c.detect(ctx, stack)
		if err != nil {
			return nil, fmt.Errorf("drift of %s: %w", stack, err)
		}
		out = append(out, d)
	}
	return out, nil
}

func (c *Clients) detect(ctx context.Context, stack string) (Drift, error) {
	start, err := c.CloudFormation.DetectStackDrift(ctx, &cloudformation.DetectStackDriftInput{StackName: aws.String(stack)})
	if err != nil {
		return Drift{}, classify(err)
	}
	deadline := time.Now().Add(c.Timeout)
	var status *cloudformation.DescribeStackDriftDetectionStatusOutput
	for {
		if status, err = c.CloudFormation.DescribeStackDriftDetectionStatus(ctx, &cloudformation.DescribeStackDriftDetectionStatusInput{
			StackDriftDetectionId: start.StackDriftDetectionId}); err != nil {
			return Drift{}, classify(err)
		}
		if status.DetectionStatus != cfntypes.StackDriftDetectionStatusDetectionInProgress {
			break
		}
		c.progress("verify: detecting drift on %s", stack)
		if err := c.wait(ctx, deadline); err != nil {
			return Drift{}, err
		}
	}
	d := Drift{Stack: stack, Status: status.StackDriftStatus}
	if status.DetectionStatus == cfntypes.StackDriftDetectionStatusDetectionFailed {
		d.Reason = aws.ToString(status.DetectionStatusReason)
	}
	var token *string
	for {
		res, err := c.CloudFormation.DescribeStackResourceDrifts(ctx, &cloudformation.DescribeStackResourceDriftsInput{
			StackName: aws.String(stack), NextToken: token,
			StackResourceDriftStatusFilters: []cfntypes.StackResourceDriftStatus{cfntypes.StackResourceDriftStatusModified, cfntypes.StackResourceDriftStatusDeleted},
		})
		if err != nil {
			return Drift{}, classify(err)
		}
		for _, r := range res.StackResourceDrifts {
			dr := DriftedResource{LogicalID: aws.ToString(r.LogicalResourceId), Type: aws.ToString(r.ResourceType), Status: r.StackResourceDriftStatus}
			for _, p := range r.PropertyDifferences {
				dr.Properties = append(dr.Properties, aws.ToString(p.PropertyPath))
			}
			d.Resources = append(d.Resources, dr)
		}
		if token = res.NextToken; token == nil {
			return d, nil
		}
	}
}
