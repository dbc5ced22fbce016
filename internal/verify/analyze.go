package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Pair is one analysis to run: a flow between two deployed endpoints.
type Pair struct {
	Flow     int // the index in Plan.Flows
	From, To Node
	Port     int
}

// Pairs expands the plan's probes over the deployed endpoints: every
// endpoint of the source to every endpoint of the destination.
func Pairs(p *Plan, nodes map[Ref][]Node) []Pair {
	var out []Pair
	for _, pr := range p.Probes {
		for _, from := range nodes[pr.From] {
			for _, to := range nodes[pr.To] {
				out = append(out, Pair{Flow: pr.Flow, From: from, To: to, Port: p.Flows[pr.Flow].Port})
			}
		}
	}
	return out
}

// Analysis is AWS's answer for one pair.
type Analysis struct {
	Pair
	PathID, AnalysisID string
	Status             ec2types.AnalysisStatus // succeeded, failed
	Found              bool                    // NetworkPathFound
	Message            string                  // StatusMessage, when the analysis failed
	Explanations       []ec2types.Explanation
}

// Created is what a run has created, for Cleanup: the ids it was told, and
// the tag value it put on each, by which Cleanup also finds what AWS created
// after the run stopped waiting for the answer (an interrupt between the
// request and its response). It is safe for concurrent use.
type Created struct {
	Tag             string // the value of TagKey: the stage and the run
	mu              sync.Mutex
	Paths, Analyses []string
}

// NewCreated is an empty record for a run on stage, with a tag value of its
// own.
func NewCreated(stage string) *Created { return &Created{Tag: stage + "/" + token()[:12]} }

func (c *Created) add(path, analysis string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if path != "" {
		c.Paths = append(c.Paths, path)
	}
	if analysis != "" {
		c.Analyses = append(c.Analyses, analysis)
	}
}

// Cleanup deletes every analysis, then every path, the run created: those
// created lists, and those AWS holds with the run's tag (paths) or on one of
// its paths (analyses). It runs on its own context, so that an interrupted
// run still cleans up: the caller gives it one that is not cancelled
// (context.WithoutCancel, with a deadline). It returns what it could not
// delete.
func (c *Clients) Cleanup(ctx context.Context, created *Created) error {
	created.mu.Lock()
	paths, analyses := union(nil, created.Paths), union(nil, created.Analyses)
	created.mu.Unlock()
	var errs []error
	tagged, err := c.EC2.DescribeNetworkInsightsPaths(ctx, &ec2.DescribeNetworkInsightsPathsInput{
		Filters: []ec2types.Filter{{Name: aws.String("tag:" + TagKey), Values: []string{created.Tag}}}})
	if err != nil {
		errs = append(errs, fmt.Errorf("find the run's paths: %w", classify(err)))
	} else {
		for _, p := range tagged.NetworkInsightsPaths {
			paths = union(paths, []string{aws.ToString(p.NetworkInsightsPathId)})
		}
	}
	for _, p := range paths {
		on, err := c.EC2.DescribeNetworkInsightsAnalyses(ctx, &ec2.DescribeNetworkInsightsAnalysesInput{NetworkInsightsPathId: aws.String(p)})
		if err != nil {
			errs = append(errs, fmt.Errorf("find the analyses of %s: %w", p, classify(err)))
			continue
		}
		for _, a := range on.NetworkInsightsAnalyses {
			analyses = union(analyses, []string{aws.ToString(a.NetworkInsightsAnalysisId)})
		}
	}
	for _, id := range analyses {
		if _, err := c.EC2.DeleteNetworkInsightsAnalysis(ctx, &ec2.DeleteNetworkInsightsAnalysisInput{NetworkInsightsAnalysisId: aws.String(id)}); err != nil {
			errs = append(errs, fmt.Errorf("delete analysis %s: %w", id, classify(err)))
		}
	}
	for _, id := range paths {
		if _, err := c.EC2.DeleteNetworkInsightsPath(ctx, &ec2.DeleteNetworkInsightsPathInput{NetworkInsightsPathId: aws.String(id)}); err != nil {
			errs = append(errs, fmt.Errorf("delete path %s: %w", id, classify(err)))
		}
	}
	if len(errs) == 0 {
		c.progress("verify: deleted %d analyses and %d paths", len(analyses), len(paths))
	}
	return errors.Join(errs...)
}

// union is a with the elements of b it lacks.
func union(a, b []string) []string {
	for _, x := range b {
		if !slices.Contains(a, x) {
			a = append(a, x)
		}
	}
	return a
}

// TagKey tags every path and analysis a run creates, with Created.Tag (the
// stage and the run) as the value: Cleanup finds the run's paths by it, and
// one left behind (a run killed with SIGKILL) can be found by hand.
const TagKey = "project-1:verify"

// Analyse runs one Reachability Analyzer analysis per pair, at most
// c.Parallel at once, and waits for each with a bounded poll, reporting
// progress. Every path and analysis it creates is recorded in created before
// anything else can fail, for Cleanup.
func (c *Clients) Analyse(ctx context.Context, pairs []Pair, created *Created) ([]Analysis, error) {
	out := make([]Analysis, len(pairs))
	parallel := max(c.Parallel, 1)
	next, done := 0, 0
	running := map[string]int{} // analysis id -> index
	deadline := time.Now().Add(c.Timeout)
	for done < len(pairs) {
		for next < len(pairs) && len(running) < parallel {
			id, err := c.start(ctx, pairs[next], &out[next], created)
			if err != nil {
				return nil, err
			}
			running[id] = next
			next++
		}
		if err := c.wait(ctx, deadline); err != nil {
			return nil, fmt.Errorf("%d of %d analyses finished: %w", done, len(pairs), err)
		}
		ids := make([]string, 0, len(running))
		for id := range running {
			ids = append(ids, id)
		}
		res, err := c.EC2.DescribeNetworkInsightsAnalyses(ctx, &ec2.DescribeNetworkInsightsAnalysesInput{NetworkInsightsAnalysisIds: ids})
		if err != nil {
			return nil, classify(err)
		}
		for _, a := range res.NetworkInsightsAnalyses {
			i, ok := running[aws.ToString(a.NetworkInsightsAnalysisId)]
			if !ok || a.Status == ec2types.AnalysisStatusRunning {
				continue
			}
			delete(running, aws.ToString(a.NetworkInsightsAnalysisId))
			done++
			out[i].Status, out[i].Found, out[i].Message = a.Status, aws.ToBool(a.NetworkPathFound), aws.ToString(a.StatusMessage)
			out[i].Explanations = a.Explanations
		}
		c.progress("verify: %d of %d analyses finished", done, len(pairs))
	}
	return out, nil
}

func (c *Clients) start(ctx context.Context, p Pair, a *Analysis, created *Created) (string, error) {
	a.Pair = p
	tags := func(t ec2types.ResourceType) []ec2types.TagSpecification {
		return []ec2types.TagSpecification{{ResourceType: t, Tags: []ec2types.Tag{{Key: aws.String(TagKey), Value: aws.String(created.Tag)}}}}
	}
	path, err := c.EC2.CreateNetworkInsightsPath(ctx, &ec2.CreateNetworkInsightsPathInput{
		ClientToken: aws.String(token()), Protocol: ec2types.ProtocolTcp,
		Source: aws.String(p.From.ID), Destination: aws.String(p.To.ID), DestinationPort: aws.Int32(int32(p.Port)),
		TagSpecifications: tags(ec2types.ResourceTypeNetworkInsightsPath),
	})
	if err != nil {
		return "", fmt.Errorf("path %s -> %s port %d: %w", p.From, p.To, p.Port, classify(err))
	}
	a.PathID = aws.ToString(path.NetworkInsightsPath.NetworkInsightsPathId)
	created.add(a.PathID, "")
	run, err := c.EC2.StartNetworkInsightsAnalysis(ctx, &ec2.StartNetworkInsightsAnalysisInput{
		ClientToken: aws.String(token()), NetworkInsightsPathId: aws.String(a.PathID),
		TagSpecifications: tags(ec2types.ResourceTypeNetworkInsightsAnalysis),
	})
	if err != nil {
		return "", fmt.Errorf("analysis of %s: %w", a.PathID, classify(err))
	}
	a.AnalysisID = aws.ToString(run.NetworkInsightsAnalysis.NetworkInsightsAnalysisId)
	created.add("", a.AnalysisID)
	return a.AnalysisID, nil
}

// wait pauses for one poll interval, or fails at the deadline or when ctx
// ends (an interrupt).
func (c *Clients) wait(ctx context.Context, deadline time.Time) error {
	if time.Now().After(deadline) {
		return fmt.Errorf("gave up after %s (-timeout)", c.Timeout)
	}
	t := time.NewTimer(c.Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func token() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
