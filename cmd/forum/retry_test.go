package main

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"
)

// UnprocessedItems, throttling (all three of DynamoDB's codes) and a server
// error are retried until every item is written. The exact count of calls
// shows the SDK's retryer does not retry behind the loader's back.
func TestRetriesUnprocessedAndThrottling(t *testing.T) {
	upstream := dynalite(t)
	awsEnv(t, upstream)
	table := newTable(t)
	proxy := newFaultProxy(t, upstream,
		partial(10), // batch 1, call 1: 10 written, 15 back
		throttle("ProvisionedThroughputExceededException"), // retry 1 of 15
		throttle("ThrottlingException"),                    // retry 2 of 15
		fault{status: 500, code: "InternalServerError"},    // retry 3 of 15
		partial(5),                       // retry 4 of 15: 5 written, 10 back
		pass,                             // retry 5 of 10: batch 1 done
		throttle("RequestLimitExceeded"), // batch 2, call 1
		pass,                             // retry 1 of 25: batch 2 done
		// batch 3 (10 items): one call
	)
	awsEnv(t, proxy.URL)
	file := topics(60)
	out, errs, code := forum(t, "load", "--table", table, "--backoff", "1ms", writeFile(t, file))
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	// retried: 15*4 + 10 in batch 1, 25 in batch 2.
	wantSummary(t, out, table+": 60 of 60 items written, 95 retried, 0 failed (3 batches, 9 requests, ")
	if want := []int{25, 15, 15, 15, 15, 10, 25, 25, 10}; !reflect.DeepEqual(proxy.calls, want) {
		t.Errorf("items per BatchWriteItem call: %v, want %v", proxy.calls, want)
	}
	awsEnv(t, upstream)
	sameItems(t, table, []byte(file))
}

// A batch gets --max-attempts calls; what is still not written then is
// reported by name and the exit is 1. The next batch is still tried.
func TestRetryLimit(t *testing.T) {
	upstream := dynalite(t)
	for _, tc := range []struct {
		name   string
		always fault
		reason string
	}{
		{"throttled", throttle("ProvisionedThroughputExceededException"), "not written: throttled (ProvisionedThroughputExceededException) on all 3 attempts"},
		{"unprocessed", partial(0), "not written: returned unprocessed on all 3 attempts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			awsEnv(t, upstream)
			table := newTable(t)
			proxy := newFaultProxy(t, upstream)
			proxy.always = &tc.always
			awsEnv(t, proxy.URL)
			out, errs, code := forum(t, "load", "--table", table, "--backoff", "1ms", "--max-attempts", "3", writeFile(t, topics(30)))
			if code != 1 {
				t.Fatalf("exit %d:\n%s%s", code, out, errs)
			}
			// 2 batches of 3 calls; every item sent 3 times.
			wantSummary(t, out, table+": 0 of 30 items written, 60 retried, 30 failed (2 batches, 6 requests, ")
			if n := proxy.callCount(); n != 6 {
				t.Errorf("%d calls, want 6", n)
			}
			for _, want := range []string{
				"forum load: 30 items not written (loading the file again is safe):\n",
				`  item 1 (Name "Topic 001", line 2): ` + tc.reason + "\n",
				`  item 20 (Name "Topic 020", line 21): ` + tc.reason + "\n",
				"  ... and 10 more\n", // the list stops at 20
			} {
				if !strings.Contains(errs, want) {
					t.Errorf("stderr does not say %q:\n%s", want, errs)
				}
			}
		})
	}
}

// An error that retrying cannot fix stops the load: what was written stays,
// the rest is reported as not written, and the exit is 1.
func TestNonRetryableErrorStops(t *testing.T) {
	upstream := dynalite(t)
	awsEnv(t, upstream)
	table := newTable(t)
	proxy := newFaultProxy(t, upstream, pass, fault{status: 400, code: "ValidationException"})
	awsEnv(t, proxy.URL)
	out, errs, code := forum(t, "load", "--table", table, "--backoff", "1ms", writeFile(t, topics(60)))
	if code != 1 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	wantSummary(t, out, table+": 25 of 60 items written, 0 retried, 35 failed (2 batches, 2 requests, ")
	for _, want := range []string{
		"forum load: stopped: operation error DynamoDB: BatchWriteItem",
		"ValidationException: injected by the test's fault proxy",
		`item 26 (Name "Topic 026", line 27): not written: operation error`,
		"  ... and 15 more\n",
	} {
		if !strings.Contains(errs, want) {
			t.Errorf("stderr does not say %q:\n%s", want, errs)
		}
	}
	awsEnv(t, upstream)
	if got := scanTable(t, table); len(got) != 25 {
		t.Errorf("%d items in the table, want the first batch's 25", len(got))
	}
}

// The loader waits backoff*2^(n-1), jittered, before retry n: recorded here
// with the jitter at its maximum, through a real server that keeps returning
// items unprocessed.
func TestRetryDelays(t *testing.T) {
	upstream := dynalite(t)
	awsEnv(t, upstream)
	table := newTable(t)
	proxy := newFaultProxy(t, upstream, partial(0), partial(0), partial(0), partial(0), partial(0), partial(1))
	awsEnv(t, proxy.URL)
	client, err := newClient(context.Background(), &awsFlags{})
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFile([]byte(topics(3)))
	if err != nil {
		t.Fatal(err)
	}
	var slept []time.Duration
	l := &loader{
		client:      client,
		table:       table,
		maxAttempts: 10,
		backoff:     5 * time.Second,
		sleep:       func(_ context.Context, d time.Duration) error { slept = append(slept, d); return nil },
		jitter:      func(d time.Duration) time.Duration { return d },
	}
	res := l.load(context.Background(), f.Items)
	if res.written != 3 || res.failed != 0 || res.requests != 7 {
		t.Errorf("result %+v", res.loadStats)
	}
	s := time.Second
	if want := []time.Duration{5 * s, 10 * s, 20 * s, 20 * s, 20 * s, 20 * s}; !reflect.DeepEqual(slept, want) {
		t.Errorf("delays %v, want %v", slept, want)
	}
}
