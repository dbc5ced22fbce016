package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
)

// BatchSize is the most items one BatchWriteItem call takes.
const BatchSize = 25

// Retry defaults; --max-attempts and --backoff change the first two.
const (
	defaultMaxAttempts = 10
	defaultBackoff     = 100 * time.Millisecond
	maxBackoff         = 20 * time.Second
)

// loader writes validated items in batches of 25 and retries what DynamoDB
// does not take.
//
// It owns every retry of a BatchWriteItem: each call is made with the SDK's
// retryer turned off (aws.NopRetryer), and the loader itself retries
//   - the items of a batch that come back in UnprocessedItems,
//   - the whole remaining batch after throttling (ProvisionedThroughputExceededException,
//     ThrottlingException, RequestLimitExceeded and the SDK's other throttle codes),
//   - and after transient errors the SDK itself would retry (HTTP 500/502/503/504,
//     connection errors, timeouts),
//
// all with the same exponential backoff and full jitter: before retry n it
// waits a random time in [0, min(maxBackoff, backoff*2^(n-1))]. A batch gets at
// most maxAttempts calls; what is still not written after that is reported
// as failed, and the load goes on with the next batch. With a single retry
// loop the attempt limit means what it says (the SDK's retryer inside it
// would multiply it), every retry is counted in the report, and the SDK's
// client-side retry quota cannot fail a long load. Any other error (access
// denied, missing table, validation) stops the load: the items not yet
// written are reported as failed. The command's other calls (DescribeTable,
// GetItem, Scan, CreateTable) keep the SDK's standard retryer, as configured
// by the environment. Putting an item twice is harmless, so
// retrying a call whose outcome is unknown is safe, and reloading a file
// gives the same table.
type loader struct {
	client      *dynamodb.Client
	table       string
	maxAttempts int
	backoff     time.Duration
	// sleep waits d or until ctx is done; tests record the delays.
	sleep func(ctx context.Context, d time.Duration) error
	// jitter returns a random duration in [0, d].
	jitter func(d time.Duration) time.Duration
	// progress, if set, is called after every BatchWriteItem call.
	progress func(loadStats)
}

// loadStats counts items; retried counts each item sent again.
type loadStats struct {
	total, written, retried, failed int
	batches, requests               int
}

// failure is an item that was not written, and why.
type failure struct {
	item   Item
	reason string
}

type loadResult struct {
	loadStats
	failures []failure
	elapsed  time.Duration
	stopped  error // the error that stopped the load early, if any
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func fullJitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return rand.N(d + 1)
}

// delay is the wait before retry n (1 for the first retry).
func (l *loader) delay(n int) time.Duration {
	d := maxBackoff
	if n-1 < 30 {
		if exp := l.backoff << (n - 1); exp > 0 && exp < maxBackoff {
			d = exp
		}
	}
	return l.jitter(d)
}

func (l *loader) load(ctx context.Context, items []Item) loadResult {
	start := time.Now()
	res := loadResult{loadStats: loadStats{total: len(items)}}
	for i := 0; i < len(items); i += BatchSize {
		batch := items[i:min(i+BatchSize, len(items))]
		res.batches++
		if err := l.batch(ctx, batch, &res); err != nil {
			res.stopped = err
			for _, it := range items[i+len(batch):] {
				res.failures = append(res.failures, failure{it, "not attempted: the load stopped"})
				res.failed++
			}
			break
		}
	}
	res.elapsed = time.Since(start)
	return res
}

// batch writes up to 25 items. It returns an error only when the load must
// stop; the batch's unwritten items are then already counted as failed.
func (l *loader) batch(ctx context.Context, batch []Item, res *loadResult) error {
	byName := make(map[string]Item, len(batch))
	for _, it := range batch {
		byName[it.Name] = it
	}
	pending := batch
	fail := func(reason string) {
		for _, it := range pending {
			res.failures = append(res.failures, failure{it, reason})
		}
		res.failed += len(pending)
		l.report(res.loadStats)
	}
	var lastProblem string
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			if err := l.sleep(ctx, l.delay(attempt-1)); err != nil {
				fail("not written: " + err.Error())
				return err
			}
			res.retried += len(pending)
		}
		reqs := make([]types.WriteRequest, len(pending))
		for i, it := range pending {
			reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it.Attrs}}
		}
		res.requests++
		out, err := l.client.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{
			RequestItems: map[string][]types.WriteRequest{l.table: reqs},
		}, func(o *dynamodb.Options) { o.Retryer = aws.NopRetryer{} })
		switch {
		case err == nil:
			var next []Item
			for _, wrs := range out.UnprocessedItems {
				for _, wr := range wrs {
					if wr.PutRequest == nil {
						continue
					}
					if s, ok := wr.PutRequest.Item[KeyAttribute].(*types.AttributeValueMemberS); ok {
						if it, ok := byName[s.Value]; ok {
							next = append(next, it)
						}
					}
				}
			}
			res.written += len(pending) - len(next)
			pending = next
			lastProblem = "returned unprocessed"
		case ctx.Err() != nil:
			fail("not written: " + ctx.Err().Error())
			return ctx.Err()
		case isThrottle(err):
			lastProblem = "throttled (" + errorCode(err) + ")"
		case isTransient(err):
			lastProblem = "failed (" + err.Error() + ")"
		default:
			fail("not written: " + err.Error())
			return err
		}
		l.report(res.loadStats)
		if len(pending) == 0 {
			return nil
		}
		if attempt >= l.maxAttempts {
			fail(fmt.Sprintf("not written: %s on all %d attempts", lastProblem, l.maxAttempts))
			return nil
		}
	}
}

func (l *loader) report(s loadStats) {
	if l.progress != nil {
		l.progress(s)
	}
}

// throttleCodes are the throttling errors DynamoDB returns.
var throttleCodes = map[string]bool{
	"ProvisionedThroughputExceededException": true,
	"ThrottlingException":                    true,
	"RequestLimitExceeded":                   true,
}

func isThrottle(err error) bool {
	if throttleCodes[errorCode(err)] {
		return true
	}
	return retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary
}

func isTransient(err error) bool {
	return retry.IsErrorRetryables(retry.DefaultRetryables).IsErrorRetryable(err) == aws.TrueTernary
}

func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// progressPrinter rewrites one status line on a terminal, at most every 100 ms
// and on the last call.
type progressPrinter struct {
	w     io.Writer
	table string
	last  time.Time
	shown bool
}

func (p *progressPrinter) update(s loadStats) {
	done := s.written+s.failed == s.total
	if !done && time.Since(p.last) < 100*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.shown = true
	fmt.Fprintf(p.w, "\r\033[K%s: %d/%d written, %d retried, %d failed", p.table, s.written, s.total, s.retried, s.failed)
}

// finish ends the status line, so that what follows starts on a line of its own.
func (p *progressPrinter) finish() {
	if p.shown {
		fmt.Fprintln(p.w)
	}
}

// summary is the line printed at the end of every load.
func (r loadResult) summary(table string) string {
	return fmt.Sprintf("%s: %d of %d items written, %d retried, %d failed (%s, %s, %s)",
		table, r.written, r.total, r.retried, r.failed,
		count(r.batches, "batch", "batches"), count(r.requests, "request", "requests"), r.elapsed.Round(time.Millisecond))
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// failureReport lists the items not written, at most maxProblems of them.
func (r loadResult) failureReport() string {
	var b strings.Builder
	for i, f := range r.failures {
		if i == maxProblems {
			fmt.Fprintf(&b, "  ... and %d more\n", len(r.failures)-maxProblems)
			break
		}
		fmt.Fprintf(&b, "  %s: %s\n", f.item, f.reason)
	}
	return b.String()
}
