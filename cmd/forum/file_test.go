package main

import (
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// put wraps items (the JSON of their attributes) in a file for table Forum.
func put(items ...string) string {
	reqs := make([]string, len(items))
	for i, it := range items {
		reqs[i] = `{"PutRequest": {"Item": ` + it + `}}`
	}
	return "{\"Forum\": [\n" + strings.Join(reqs, ",\n") + "\n]}\n"
}

// topics is a valid file of n items named "Topic 001"...
func topics(n int) string {
	items := make([]string, n)
	for i := range items {
		items[i] = fmt.Sprintf(`{"Name": {"S": "Topic %03d"}, "Category": {"S": "Amazon Web Services"}, "Threads": {"N": "%d"}, "Messages": {"N": "%d"}, "Views": {"N": "%d"}}`,
			i+1, i%7, i*3, i*100)
	}
	return put(items...)
}

func TestParseTestdata(t *testing.T) {
	data, err := os.ReadFile("testdata/forum.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ParseFile(data)
	if err != nil {
		t.Fatal(err)
	}
	if f.Table != "Forum" || len(f.Items) != 5 {
		t.Fatalf("table %q, %d items; want Forum, 5", f.Table, len(f.Items))
	}
	// The notes' example item, exactly.
	want := map[string]types.AttributeValue{
		"Name":     &types.AttributeValueMemberS{Value: "Amazon DynamoDB"},
		"Category": &types.AttributeValueMemberS{Value: "Amazon Web Services"},
		"Threads":  &types.AttributeValueMemberN{Value: "2"},
		"Messages": &types.AttributeValueMemberN{Value: "4"},
		"Views":    &types.AttributeValueMemberN{Value: "1000"},
	}
	if got := f.Items[0]; got.Name != "Amazon DynamoDB" || got.Pos != 1 || !reflect.DeepEqual(got.Attrs, want) {
		t.Errorf("first item: %+v", got)
	}
}

func TestParseEveryType(t *testing.T) {
	f, err := ParseFile([]byte(put(`{
		"Name": {"S": "Types"}, "Empty": {"S": ""},
		"N": {"N": "-12.50"}, "B": {"B": "AAEC/w=="}, "EmptyB": {"B": ""},
		"T": {"BOOL": true}, "F": {"BOOL": false}, "Null": {"NULL": true},
		"SS": {"SS": ["a", "b"]}, "NS": {"NS": ["1", "2.5", "-3e2"]}, "BS": {"BS": ["AQ==", "Ag=="]},
		"L": {"L": [{"S": "x"}, {"N": "1"}, {"L": []}, {"M": {}}]},
		"M": {"M": {"Nested": {"M": {"Deep": {"BOOL": true}}}, "List": {"L": [{"NULL": true}]}}}
	}`)))
	if err != nil {
		t.Fatal(err)
	}
	got := f.Items[0].Attrs
	want := map[string]types.AttributeValue{
		"Name":   &types.AttributeValueMemberS{Value: "Types"},
		"Empty":  &types.AttributeValueMemberS{Value: ""},
		"N":      &types.AttributeValueMemberN{Value: "-12.50"},
		"B":      &types.AttributeValueMemberB{Value: []byte{0, 1, 2, 255}},
		"EmptyB": &types.AttributeValueMemberB{Value: []byte{}},
		"T":      &types.AttributeValueMemberBOOL{Value: true},
		"F":      &types.AttributeValueMemberBOOL{Value: false},
		"Null":   &types.AttributeValueMemberNULL{Value: true},
		"SS":     &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"NS":     &types.AttributeValueMemberNS{Value: []string{"1", "2.5", "-3e2"}},
		"BS":     &types.AttributeValueMemberBS{Value: [][]byte{{1}, {2}}},
		"L": &types.AttributeValueMemberL{Value: []types.AttributeValue{
			&types.AttributeValueMemberS{Value: "x"},
			&types.AttributeValueMemberN{Value: "1"},
			&types.AttributeValueMemberL{Value: []types.AttributeValue{}},
			&types.AttributeValueMemberM{Value: map[string]types.AttributeValue{}},
		}},
		"M": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
			"Nested": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{
				"Deep": &types.AttributeValueMemberBOOL{Value: true},
			}},
			"List": &types.AttributeValueMemberL{Value: []types.AttributeValue{&types.AttributeValueMemberNULL{Value: true}}},
		}},
	}
	if !reflect.DeepEqual(got, want) {
		for k := range want {
			if !reflect.DeepEqual(got[k], want[k]) {
				t.Errorf("%s: got %#v, want %#v", k, got[k], want[k])
			}
		}
		if len(got) != len(want) {
			t.Errorf("%d attributes, want %d", len(got), len(want))
		}
	}
}

func TestParseRejects(t *testing.T) {
	nested := `{"S": "bottom"}`
	for range 32 {
		nested = `{"L": [` + nested + `]}`
	}
	for _, tc := range []struct {
		name, file string
		want       []string // every one must be in the error
	}{
		{"not JSON", `{"Forum": [}`, []string{"line 1, column 12", "not JSON"}},
		{"truncated", "{\"Forum\": [\n", []string{"line 2", "unexpected end"}},
		{"empty", "  \n", []string{"the file is empty"}},
		{"two values", `{"Forum": []} {}`, []string{"more than one JSON value"}},
		{"not UTF-8", "{\"Forum\": [\n{\"PutRequest\": {\"Item\": {\"Name\": {\"S\": \"\xff\"}}}}]}", []string{"line 2, column 41", "not valid UTF-8"}},
		{"a list", `[]`, []string{"must be a JSON object", "not a list"}},
		{"no table", `{}`, []string{"names no table"}},
		{"two tables", `{"Forum": [], "Other": []}`, []string{`2 tables ("Forum", "Other")`}},
		{"requests not a list", `{"Forum": {}}`, []string{`"Forum" must be a list of requests, not an object`}},
		{"no requests", `{"Forum": []}`, []string{`"Forum" holds no requests`}},
		{"request not an object", `{"Forum": ["x"]}`, []string{"item 1 (line 1): a request must be an object", "not a string"}},
		{"delete", `{"Forum": [{"DeleteRequest": {"Key": {"Name": {"S": "a"}}}}]}`, []string{"item 1", "DeleteRequest: this command only puts items"}},
		{"unknown request", `{"Forum": [{"PutRequests": {}}]}`, []string{`unknown request "PutRequests"`}},
		{"two requests in one", `{"Forum": [{"PutRequest": {"Item": {}}, "DeleteRequest": {}}]}`, []string{"exactly one key, PutRequest, not 2"}},
		{"PutRequest field", `{"Forum": [{"PutRequest": {"Itme": {}}}]}`, []string{`exactly one key, Item, not "Itme"`}},
		{"Item not an object", `{"Forum": [{"PutRequest": {"Item": []}}]}`, []string{"Item must be an object of attributes, not a list"}},
		{"no Name", put(`{"Category": {"S": "x"}}`), []string{"item 1 (line 2): no Name", "non-empty S"}},
		{"Name is N", put(`{"Name": {"N": "1"}}`), []string{"item 1 (line 2): Name must be an S", "not N"}},
		{"Name empty", put(`{"Name": {"S": ""}}`), []string{"item 1 (line 2): Name is empty"}},
		{"Name too long", put(`{"Name": {"S": "` + strings.Repeat("é", 1025) + `"}}`), []string{"Name is 2050 bytes, over DynamoDB's partition key limit of 2048"}},
		{"Name untyped", put(`{"Name": "Amazon S3"}`), []string{`item 1 (line 2): attribute "Name" (line 2): must be a typed value like {"S": "text"}, not a string`}},
		{"repeated Name", put(`{"Name": {"S": "A"}}`, `{"Name": {"S": "B"}}`, `{"Name": {"S": "A"}}`), []string{`item 3 (Name "A", line 4): same Name as item 1`}},
		{"repeated attribute", put(`{"Name": {"S": "a"}, "V": {"N": "1"}, "V": {"N": "2"}}`), []string{`item 1 (Name "a", line 2): attribute "V" (line 2): appears more than once`}},
		{"empty attribute name", put(`{"Name": {"S": "a"}, "": {"N": "1"}}`), []string{"an attribute has an empty name"}},
		{"N not a number", put(`{"Name": {"S": "a"}, "Views": {"N": "ten"}}`), []string{`item 1 (Name "a", line 2): attribute "Views" (line 2): N "ten": not a decimal number`}},
		{"N as JSON number", put(`{"Name": {"S": "a"}, "Views": {"N": 1000}}`), []string{`N must be a number written as a string, like {"N": "42"}, not a number`}},
		{"N plus sign", put(`{"Name": {"S": "a"}, "Views": {"N": "+1"}}`), []string{`N "+1": not a decimal number`}},
		{"N 39 digits", put(`{"Name": {"S": "a"}, "Views": {"N": "1` + strings.Repeat("2", 38) + `"}}`), []string{"39 significant digits"}},
		{"N too large", put(`{"Name": {"S": "a"}, "Views": {"N": "1e126"}}`), []string{"too large"}},
		{"N too small", put(`{"Name": {"S": "a"}, "Views": {"N": "0.1e-130"}}`), []string{"too small"}},
		{"N huge exponent", put(`{"Name": {"S": "a"}, "Views": {"N": "1e99999999999999999999"}}`), []string{"exponent is out of DynamoDB's range"}},
		{"S not a string", put(`{"Name": {"S": "a"}, "Category": {"S": 5}}`), []string{`attribute "Category" (line 2): S must be a string, not a number`}},
		{"B not base64", put(`{"Name": {"S": "a"}, "Data": {"B": "not base64!"}}`), []string{`B "not base64!": not base64`}},
		{"BOOL a string", put(`{"Name": {"S": "a"}, "Open": {"BOOL": "true"}}`), []string{"BOOL must be true or false, not a string"}},
		{"NULL false", put(`{"Name": {"S": "a"}, "Gone": {"NULL": false}}`), []string{"NULL must be true"}},
		{"empty SS", put(`{"Name": {"S": "a"}, "Tags": {"SS": []}}`), []string{"SS is empty"}},
		{"SS of numbers", put(`{"Name": {"S": "a"}, "Tags": {"SS": ["a", 2]}}`), []string{"SS element 2 must be a string, not a number"}},
		{"SS duplicates", put(`{"Name": {"S": "a"}, "Tags": {"SS": ["x", "y", "x"]}}`), []string{"SS elements 1 and 3 are the same value"}},
		{"NS duplicates", put(`{"Name": {"S": "a"}, "Counts": {"NS": ["1", "1.0"]}}`), []string{"NS elements 1 and 2 are the same value"}},
		{"NS bad number", put(`{"Name": {"S": "a"}, "Counts": {"NS": ["1", "x"]}}`), []string{`NS element 2 "x": not a decimal number`}},
		{"BS duplicates", put(`{"Name": {"S": "a"}, "Blobs": {"BS": ["AQ==", "AQ=="]}}`), []string{"BS elements 1 and 2 are the same value"}},
		{"L not a list", put(`{"Name": {"S": "a"}, "Posts": {"L": {}}}`), []string{"L must be a list of typed values, not an object"}},
		{"M not an object", put(`{"Name": {"S": "a"}, "Info": {"M": []}}`), []string{"M must be an object of typed values, not a list"}},
		{"inside L", put(`{"Name": {"S": "a"}, "Posts": {"L": [{"S": "ok"}, {"N": "x"}]}}`), []string{`attribute "Posts"[1] (line 2): N "x"`}},
		{"inside M", put(`{"Name": {"S": "a"}, "Info": {"M": {"Author": {"X": "y"}}}}`), []string{`attribute "Info"."Author" (line 2): X is not a type`}},
		{"M repeated key", put(`{"Name": {"S": "a"}, "Info": {"M": {"k": {"S": "1"}, "k": {"S": "2"}}}}`), []string{`attribute "Info"."k" (line 2): appears more than once`}},
		{"two types", put(`{"Name": {"S": "a"}, "V": {"S": "1", "N": "1"}}`), []string{`has 2 types ("N", "S")`}},
		{"no type", put(`{"Name": {"S": "a"}, "V": {}}`), []string{"{} has no type"}},
		{"lower-case type", put(`{"Name": {"S": "a"}, "V": {"s": "x"}}`), []string{"s is not a type"}},
		{"too deep", put(`{"Name": {"S": "a"}, "Deep": ` + nested + `}`), []string{"nests more than 32 levels"}},
		{"too large", put(`{"Name": {"S": "a"}, "Body": {"S": "` + strings.Repeat("x", MaxItemSize) + `"}}`), []string{`item 1 (Name "a", line 2): 409609 bytes, over DynamoDB's item limit of 400 KB (409600 bytes)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := ParseFile([]byte(tc.file))
			if err == nil {
				t.Fatalf("accepted: %+v", f)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error does not say %q:\n%v", w, err)
				}
			}
		})
	}
}

// Every problem of a file is reported, not only the first.
func TestParseListsEveryProblem(t *testing.T) {
	file := strings.Replace(topics(30), `"N": "200"`, `"N": "2OO"`, 1)              // Topic 003's Views
	file = strings.Replace(file, `{"S": "Topic 017"}`, `{"S": ""}`, 1)              // an empty Name
	file = strings.Replace(file, `"Threads": {"N": "1"}`, `"Threads": {"S": 1}`, 1) // Topic 002
	_, err := ParseFile([]byte(file))
	var inv *InvalidFileError
	if !errors.As(err, &inv) {
		t.Fatalf("got %v, want an InvalidFileError", err)
	}
	want := []string{
		`item 2 (Name "Topic 002", line 3): attribute "Threads" (line 3): S must be a string, not a number`,
		`item 3 (Name "Topic 003", line 4): attribute "Views" (line 4): N "2OO": not a decimal number`,
		`item 17 (line 18): Name is empty: a partition key must be a non-empty S`,
	}
	if !reflect.DeepEqual(inv.Problems, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(inv.Problems, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(err.Error(), "invalid file, 3 problems, nothing written:") {
		t.Errorf("message: %v", err)
	}
}

// The item size counts as DynamoDB does: attribute names and values, in UTF-8
// bytes, 3 bytes for a list or map plus 1 per element. The limit is inclusive.
func TestItemSize(t *testing.T) {
	body := func(n int) string {
		return put(`{"Name": {"S": "é"}, "Body": {"S": "` + strings.Repeat("x", n) + `"}}`)
	}
	// "Name" 4 + "é" 2 + "Body" 4 = 10 bytes besides the body.
	f, err := ParseFile([]byte(body(MaxItemSize - 10)))
	if err != nil {
		t.Fatalf("an item of exactly 400 KB: %v", err)
	}
	if f.Items[0].Size != MaxItemSize {
		t.Errorf("size %d, want %d", f.Items[0].Size, MaxItemSize)
	}
	if _, err := ParseFile([]byte(body(MaxItemSize - 9))); err == nil || !strings.Contains(err.Error(), "409601 bytes") {
		t.Errorf("an item one byte over: %v", err)
	}
	f, err = ParseFile([]byte(put(`{"Name": {"S": "n"}, "L": {"L": [{"S": "ab"}, {"BOOL": true}]}, "M": {"M": {"k": {"NULL": true}}}, "B": {"B": "AAEC"}, "SS": {"SS": ["a", "bc"]}}`)))
	if err != nil {
		t.Fatal(err)
	}
	// Name 4+1; L 1 + 3+(1+2)+(1+1); M 1 + 3+(1+1+1); B 1+3; SS 2+3.
	if want := 5 + 9 + 7 + 4 + 5; f.Items[0].Size != want {
		t.Errorf("size %d, want %d", f.Items[0].Size, want)
	}
}

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in        string
		canonical string
		size      int
	}{
		{"0", "0", 1},
		{"-0.000", "0", 1},
		{"1", "0.1e1", 2},
		{"1000", "0.1e4", 2},
		{"10", "0.1e2", 2},
		{"12", "0.12e2", 2},
		{"123", "0.123e3", 3},
		{"1234", "0.1234e4", 3},
		{"0.1234", "0.1234e0", 3},
		{"12340", "0.1234e5", 4},
		{"-12.50", "-0.125e2", 4},
		{"1.0", "0.1e1", 2},
		{"10e-1", "0.1e1", 2},
		{".5", "0.5e0", 2},
		{"5.", "0.5e1", 2},
		{"1E-130", "0.1e-129", 2},
		{"9.9999999999999999999999999999999999999E+125", "0.99999999999999999999999999999999999999e126", 20},
		{"00012300", "0.123e5", 3},
	} {
		n, err := parseNumber(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if n.canonical() != tc.canonical || n.size() != tc.size {
			t.Errorf("%s: canonical %s size %d, want %s %d", tc.in, n.canonical(), n.size(), tc.canonical, tc.size)
		}
	}
	for _, bad := range []string{"", "-", ".", "1e", "e5", "0x10", "1_000", "NaN", "Infinity", " 1", "1 ", "+1", "1e126", "1e-131"} {
		if _, err := parseNumber(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Retry n waits a random time up to backoff*2^(n-1), capped at 20s.
func TestBackoff(t *testing.T) {
	l := &loader{backoff: 100 * time.Millisecond, jitter: func(d time.Duration) time.Duration { return d }}
	var got []time.Duration
	for n := 1; n <= 12; n++ {
		got = append(got, l.delay(n))
	}
	ms := time.Millisecond
	want := []time.Duration{100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 6400 * ms, 12800 * ms, 20 * time.Second, 20 * time.Second, 20 * time.Second, 20 * time.Second}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("delays %v, want %v", got, want)
	}
	if d := l.delay(1000); d != maxBackoff {
		t.Errorf("retry 1000: %v", d)
	}
	// Real jitter stays in [0, bound] and is not constant.
	l.jitter = fullJitter
	seen := map[time.Duration]bool{}
	for range 200 {
		d := l.delay(3)
		if d < 0 || d > 400*ms {
			t.Fatalf("delay %v outside [0, 400ms]", d)
		}
		seen[d] = true
	}
	if len(seen) < 50 {
		t.Errorf("only %d distinct delays in 200: no jitter?", len(seen))
	}
}

func TestUsage(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{nil, 2, "usage:"},
		{[]string{"nope"}, 2, `unknown command "nope"`},
		{[]string{"load"}, 2, "want 1 argument(s), got 0"},
		{[]string{"load", "a.json", "b.json"}, 2, "got 2"},
		{[]string{"load", "--max-attempts", "0", "testdata/forum.json"}, 2, "--max-attempts 0: must be at least 1"},
		{[]string{"load", "--backoff", "-1s", "testdata/forum.json"}, 2, "must not be negative"},
		{[]string{"load", "--bogus", "testdata/forum.json"}, 2, "flag provided but not defined: -bogus"},
		{[]string{"load", "testdata/missing.json"}, 2, "no such file"},
		{[]string{"load", "--table", "x", "testdata/forum.json"}, 2, `table "x": DynamoDB table names are 3 to 255`},
		{[]string{"get", "Amazon S3"}, 2, "no table: pass --table NAME"},
		{[]string{"get", "--table", "Forum", ""}, 2, "KEY is empty"},
		{[]string{"get", "--table", "Forum"}, 2, "want 1 argument(s), got 0"},
		{[]string{"scan", "--table", "Forum", "extra"}, 2, `unexpected arguments ["extra"]`},
		{[]string{"create-table"}, 2, "no table"},
		{[]string{"load", "-h"}, 0, "-max-attempts"},
	} {
		out, errs, code := forum(t, tc.args...)
		if code != tc.code || !strings.Contains(out+errs, tc.want) {
			t.Errorf("forum %q: exit %d, want %d with %q:\n%s%s", tc.args, code, tc.code, tc.want, out, errs)
		}
	}
}

// --dry-run validates and stops, flags after the file included.
func TestDryRun(t *testing.T) {
	out, errs, code := forum(t, "load", "testdata/forum.json", "--dry-run", "--table", "Forum-dev")
	if code != 0 || out != "testdata/forum.json: 5 items, valid; nothing written (--dry-run)\n" {
		t.Errorf("exit %d:\n%s%s", code, out, errs)
	}
}

// A load with no AWS region fails before any call, with the settings to use.
func TestNoRegion(t *testing.T) {
	awsEnv(t, "http://127.0.0.1:9")
	t.Setenv("AWS_REGION", "")
	t.Setenv("AWS_DEFAULT_REGION", "")
	_, errs, code := forum(t, "load", "testdata/forum.json")
	if code != 1 || !strings.Contains(errs, "no AWS region: set AWS_REGION") {
		t.Errorf("exit %d: %s", code, errs)
	}
}

// A large file on one line parses in linear time (line numbers once came
// from a scan of the file per value: two minutes for this file).
func TestParseLargeFile(t *testing.T) {
	items := make([]string, 5000)
	for i := range items {
		items[i] = fmt.Sprintf(`{"PutRequest": {"Item": {"Name": {"S": "Topic %05d"}, "Body": {"S": "%s"}}}}`, i, strings.Repeat("x", 2000))
	}
	data := []byte(`{"Forum": [` + strings.Join(items, ", ") + `]}`)
	start := time.Now()
	f, err := ParseFile(data)
	if err != nil || len(f.Items) != 5000 {
		t.Fatalf("%v", err)
	}
	if d := time.Since(start); d > 15*time.Second {
		t.Errorf("%d MB parsed in %v", len(data)>>20, d)
	}
}
