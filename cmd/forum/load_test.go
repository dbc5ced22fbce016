package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// writeFile writes a load file into the test's temporary directory.
func writeFile(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "forum.json")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantSummary fails unless stdout is the load's summary, up to its duration.
func wantSummary(t *testing.T, stdout, want string) {
	t.Helper()
	if !strings.HasPrefix(stdout, want) || strings.Count(stdout, "\n") != 1 {
		t.Errorf("summary:\n%s\nwant it to start %q", stdout, want)
	}
}

// Three batches (25, 25, 10); every item arrives intact.
func TestLoadMoreThanOneBatch(t *testing.T) {
	awsEnv(t, dynalite(t))
	table := newTable(t)
	file := topics(60)
	out, errs, code := forum(t, "load", "--table", table, writeFile(t, file))
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	wantSummary(t, out, table+": 60 of 60 items written, 0 retried, 0 failed (3 batches, 3 requests, ")
	if errs != "" {
		t.Errorf("stderr: %q (progress is for terminals only)", errs)
	}
	sameItems(t, table, []byte(file))
}

// Without --table the file's own key names the table; get prints the notes'
// example item back in the file's format.
func TestLoadTestdataIntoItsOwnTable(t *testing.T) {
	awsEnv(t, dynalite(t))
	if _, errs, code := forum(t, "create-table", "--table", "Forum"); code != 0 {
		t.Fatal(errs)
	}
	out, errs, code := forum(t, "load", "testdata/forum.json")
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	wantSummary(t, out, "Forum: 5 of 5 items written, 0 retried, 0 failed (1 batch, 1 request, ")
	data, _ := os.ReadFile("testdata/forum.json")
	sameItems(t, "Forum", data)

	out, errs, code = forum(t, "get", "--table", "Forum", "Amazon DynamoDB")
	want := `{
  "Category": {
    "S": "Amazon Web Services"
  },
  "Messages": {
    "N": "4"
  },
  "Name": {
    "S": "Amazon DynamoDB"
  },
  "Threads": {
    "N": "2"
  },
  "Views": {
    "N": "1000"
  }
}
`
	if code != 0 || out != want {
		t.Errorf("get: exit %d:\n%s%s", code, out, errs)
	}
	_, errs, code = forum(t, "get", "--table", "Forum", "Amazon Nothing")
	if code != 1 || errs != "forum get: no item with Name \"Amazon Nothing\" in table \"Forum\"\n" {
		t.Errorf("get of a missing item: exit %d: %s", code, errs)
	}
	out, _, code = forum(t, "create-table", "--table", "Forum")
	if code != 0 || out != "table \"Forum\" already exists\n" {
		t.Errorf("create-table again: exit %d: %s", code, out)
	}
}

// Loading the same file again leaves the same table.
func TestReloadIsIdempotent(t *testing.T) {
	awsEnv(t, dynalite(t))
	table := newTable(t)
	file := topics(40)
	path := writeFile(t, file)
	for round := 1; round <= 2; round++ {
		out, errs, code := forum(t, "load", "--table", table, path)
		if code != 0 {
			t.Fatalf("load %d: exit %d:\n%s%s", round, code, out, errs)
		}
		wantSummary(t, out, table+": 40 of 40 items written, 0 retried, 0 failed (2 batches, 2 requests, ")
		sameItems(t, table, []byte(file))
	}
}

// One bad item anywhere, here in the second batch, and nothing is written.
func TestBadFileWritesNothing(t *testing.T) {
	awsEnv(t, dynalite(t))
	table := newTable(t)
	for _, tc := range []struct {
		name, file, want string
	}{
		{"bad number", strings.Replace(topics(40), `"N": "3100"`, `"N": "3,100"`, 1),
			`item 32 (Name "Topic 032", line 33): attribute "Views" (line 33): N "3,100": not a decimal number`},
		{"no Name", strings.Replace(topics(40), `"Name": {"S": "Topic 040"}, `, ``, 1),
			`item 40 (line 41): no Name`},
		{"too large", strings.Replace(topics(40), `"Category": {"S": "Amazon Web Services"}, "Threads": {"N": "2"}, "Messages": {"N": "27"}`,
			`"Category": {"S": "`+strings.Repeat("x", MaxItemSize)+`"}, "Threads": {"N": "2"}, "Messages": {"N": "27"}`, 1),
			`item 10 (Name "Topic 010", line 11): 409647 bytes, over DynamoDB's item limit`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.file == topics(40) {
				t.Fatal("the test did not break the file")
			}
			out, errs, code := forum(t, "load", "--table", table, writeFile(t, tc.file))
			if code != 2 || out != "" || !strings.Contains(errs, "invalid file, 1 problem, nothing written:\n  "+tc.want) {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant it to name: %s", code, out, errs, tc.want)
			}
			if got := scanTable(t, table); len(got) != 0 {
				t.Errorf("the table holds %d items", len(got))
			}
		})
	}
}

func TestUnicodeNames(t *testing.T) {
	awsEnv(t, dynalite(t))
	table := newTable(t)
	names := []string{
		"Amazon DynamoDB – 日本語フォーラム",
		"Ελληνικά",
		"עברית ועוד",
		"Rocket 🚀 and test tube 🧪",
		"e\u0301 (combining)", // a different key from the next
		"\u00e9 (combining)",
		"中文論壇",
		`quotes " and \ backslash`,
		"<html> & ampersand",
	}
	items := make([]string, len(names))
	for i, n := range names {
		b, _ := json.Marshal(n)
		items[i] = fmt.Sprintf(`{"Name": {"S": %s}, "Category": {"S": "Ünïcödé ✓"}, "Tags": {"SS": ["日本", "ελ", "🚀"]}}`, b)
	}
	file := put(items...)
	out, errs, code := forum(t, "load", "--table", table, writeFile(t, file))
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	sameItems(t, table, []byte(file))
	for _, n := range names {
		out, errs, code := forum(t, "get", "--table", table, n)
		var item map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &item) != nil {
			t.Errorf("get %q: exit %d: %s%s", n, code, out, errs)
			continue
		}
		if got := item["Name"].(map[string]any)["S"]; got != n {
			t.Errorf("get %q returned Name %q", n, got)
		}
	}
	if out, _, _ := forum(t, "get", "--table", table, "<html> & ampersand"); !strings.Contains(out, `"<html> & ampersand"`) {
		t.Errorf("get escapes HTML characters: %s", out)
	}
}

// Every type of the format, at the top level and nested, comes back as loaded.
func TestEveryAttributeType(t *testing.T) {
	awsEnv(t, dynalite(t))
	table := newTable(t)
	all := `"S": {"S": "text"}, "EmptyS": {"S": ""}, "N": {"N": "-12.5"}, "Big": {"N": "9.9999999999999999999999999999999999999E+125"},
		"Tiny": {"N": "1E-130"}, "B": {"B": "AAEC/w=="}, "EmptyB": {"B": ""}, "True": {"BOOL": true}, "False": {"BOOL": false},
		"Null": {"NULL": true}, "SS": {"SS": ["a", "b", "c"]}, "NS": {"NS": ["1", "2.5", "-3e2"]}, "BS": {"BS": ["AQ==", "AgM="]}`
	file := put(
		`{"Name": {"S": "Every type"}, `+all+`,
		"L": {"L": [{"S": "x"}, {"N": "1"}, {"B": "AQ=="}, {"BOOL": true}, {"NULL": true}, {"SS": ["s"]}, {"NS": ["7"]}, {"BS": ["AQ=="]}, {"L": []}, {"M": {}}]},
		"M": {"M": {`+all+`, "Inner": {"M": {"List": {"L": [{"M": {"Deep": {"S": "deep"}}}]}}}}}}`,
		`{"Name": {"S": "Just a name"}}`,
	)
	out, errs, code := forum(t, "load", "--table", table, writeFile(t, file))
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	sameItems(t, table, []byte(file))
}

// The item size is counted as the server counts it: an item of exactly
// 400 KB by our count loads, and one byte more is refused by the server too.
func TestItemSizeAgreesWithServer(t *testing.T) {
	endpoint := dynalite(t)
	awsEnv(t, endpoint)
	table := newTable(t)
	// Besides the body's value: names and values of Name 4+3, Body 4+0, N 1+4
	// (4 digits, even exponent), L 1+3+(1+1)+(1+2), M 1+3+(1+1+2).
	fixed := `"Name": {"S": "big"}, "N": {"N": "12340"}, "L": {"L": [{"BOOL": true}, {"S": "ab"}]}, "M": {"M": {"k": {"N": "12"}}}`
	overhead := 7 + 4 + 5 + 9 + 8
	file := put(`{` + fixed + `, "Body": {"S": "` + strings.Repeat("x", MaxItemSize-overhead) + `"}}`)
	f, err := ParseFile([]byte(file))
	if err != nil {
		t.Fatal(err)
	}
	if f.Items[0].Size != MaxItemSize {
		t.Fatalf("our count: %d bytes, want %d", f.Items[0].Size, MaxItemSize)
	}
	if out, errs, code := forum(t, "load", "--table", table, writeFile(t, file)); code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	// One byte more: the server refuses it as well.
	item := f.Items[0].Attrs
	item["Body"] = &types.AttributeValueMemberS{Value: strings.Repeat("x", MaxItemSize-overhead+1)}
	client := testClient(t, endpoint)
	_, err = client.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: item})
	if err == nil || !strings.Contains(err.Error(), "size has exceeded the maximum allowed size") {
		t.Errorf("the server took an item of 409601 bytes by our count: %v", err)
	}
}

// A missing table stops the load before any write.
func TestMissingTable(t *testing.T) {
	awsEnv(t, dynalite(t))
	out, errs, code := forum(t, "load", "--table", "Forum-missing", "testdata/forum.json")
	want := `forum load: table "Forum-missing" not found in us-east-1: deploy the stack, or pass its ForumTableName output with --table; nothing written`
	if code != 1 || out != "" || strings.TrimSpace(errs) != want {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// A table keyed otherwise is refused before any write.
func TestWrongKeySchema(t *testing.T) {
	endpoint := dynalite(t)
	awsEnv(t, endpoint)
	client := testClient(t, endpoint)
	tableSeq++
	table := fmt.Sprintf("Forum-by-id-%d", tableSeq)
	_, err := client.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("Id"), AttributeType: types.ScalarAttributeTypeN}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("Id"), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	_, errs, code := forum(t, "load", "--table", table, "testdata/forum.json")
	if code != 1 || !strings.Contains(errs, `table "`+table+`" is keyed on Id (HASH), not on Name alone; nothing written`) {
		t.Errorf("exit %d: %s", code, errs)
	}
}

// On a terminal, a progress line is rewritten as batches go; the summary
// follows on a line of its own.
func TestProgressOnTerminal(t *testing.T) {
	awsEnv(t, dynalite(t))
	table := newTable(t)
	isTerminal = func(io.Writer) bool { return true }
	defer func() { isTerminal = realIsTerminal }()
	out, errs, code := forum(t, "load", "--table", table, writeFile(t, topics(30)))
	if code != 0 {
		t.Fatalf("exit %d:\n%s%s", code, out, errs)
	}
	last := "\r\033[K" + table + ": 30/30 written, 0 retried, 0 failed\n"
	if !strings.HasPrefix(errs, "\r\033[K"+table+": ") || !strings.HasSuffix(errs, last) {
		t.Errorf("progress %q, want it to end %q", errs, last)
	}
	wantSummary(t, out, table+": 30 of 30 items written")
}

var realIsTerminal = isTerminal

// The built command, as a process: the "done" of the issue. A file of 30
// items loads into the endpoint of AWS_ENDPOINT_URL, every item intact; a
// file with one bad item exits non-zero, names it, and writes nothing.
func TestCommandProcess(t *testing.T) {
	awsEnv(t, dynalite(t))
	table := newTable(t)
	command := func(args ...string) (string, int) {
		cmd := exec.Command(os.Args[0], args...)
		cmd.Env = append(os.Environ(), "FORUM_TEST_MAIN=1")
		out, err := cmd.CombinedOutput()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return string(out), code
	}
	bad := strings.Replace(topics(30), `"S": "Amazon Web Services"}, "Threads": {"N": "5"}`, `"S": "Amazon Web Services"}, "Threads": {"N": "five"}`, 1)
	out, code := command("load", "--table", table, writeFile(t, bad))
	if code != 2 || !strings.Contains(out, `item 6 (Name "Topic 006", line 7): attribute "Threads" (line 7): N "five": not a decimal number`) {
		t.Errorf("bad file: exit %d:\n%s", code, out)
	}
	if got := scanTable(t, table); len(got) != 0 {
		t.Fatalf("a bad file wrote %d items", len(got))
	}
	file := topics(30)
	out, code = command("load", "--table", table, writeFile(t, file))
	if code != 0 || !strings.HasPrefix(out, table+": 30 of 30 items written, 0 retried, 0 failed (2 batches, 2 requests, ") {
		t.Errorf("exit %d:\n%s", code, out)
	}
	sameItems(t, table, []byte(file))
}

// testClient is an SDK client of the server, for what the command does not do.
func testClient(t *testing.T, endpoint string) *dynamodb.Client {
	t.Helper()
	return dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})
}
