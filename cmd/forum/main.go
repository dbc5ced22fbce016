// Command forum loads the Forum table from a file in BatchWriteItem request
// format and reads items back.
//
//	go run ./cmd/forum load [--table NAME] [--max-attempts N] [--backoff D] [--dry-run] FILE
//	go run ./cmd/forum get --table NAME KEY
//	go run ./cmd/forum scan --table NAME
//	go run ./cmd/forum create-table --table NAME
//
// load validates the whole file first (ParseFile) and writes nothing when any
// item is bad; then it writes BatchWriteItem batches of 25, retrying
// UnprocessedItems, throttling and transient errors with exponential backoff
// and jitter (see loader). On a terminal it shows a progress line; it always
// prints a summary. Without --table it loads into the table the file names.
//
// get prints the item whose Name is KEY, scan every item, one per line, in
// DynamoDB's typed JSON (the format of the file's items). Both read
// consistently. create-table makes a table with the Forum table's key (Name,
// a string) on demand, for a local server; deployed tables come from the stack.
//
// Every subcommand takes --profile and --region; otherwise the AWS SDK's
// standard chain supplies them, the credentials, and the endpoint
// (AWS_ENDPOINT_URL or AWS_ENDPOINT_URL_DYNAMODB, for a local server).
//
// Exit status: 0 on success; 1 when an item was not written, the item asked
// for does not exist, or AWS returned an error; 2 for bad usage or a file that
// cannot be read or is invalid (then nothing is written).
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/project-1/project-1/internal/cli"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage:
  forum load [--table NAME] [flags] FILE   load a BatchWriteItem request file
  forum get --table NAME [flags] KEY       print the item whose Name is KEY
  forum scan --table NAME [flags]          print every item, one JSON object per line
  forum create-table --table NAME [flags]  create a table keyed on Name (S), on demand
Run "forum COMMAND -h" for a command's flags.`

// isTerminal reports whether w is a terminal; a variable so tests can say yes.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch cmd, rest := args[0], args[1:]; cmd {
	case "load":
		return runLoad(ctx, rest, stdout, stderr)
	case "get":
		return runGet(ctx, rest, stdout, stderr)
	case "scan":
		return runScan(ctx, rest, stdout, stderr)
	case "create-table":
		return runCreateTable(ctx, rest, stdout, stderr)
	case "-h", "-help", "--help", "help":
		fmt.Fprintln(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "forum: unknown command %q\n%s\n", cmd, usage)
		return 2
	}
}

// awsFlags are the flags every subcommand takes.
type awsFlags struct {
	table, profile, region string
}

func newFlagSet(name, synopsis string, stderr io.Writer) (*flag.FlagSet, *awsFlags) {
	fs := cli.NewFlagSet("forum "+name, synopsis, stderr)
	a := &awsFlags{}
	fs.StringVar(&a.table, "table", "", "the table's name; for a deployed environment, its ForumTableName stack output")
	fs.StringVar(&a.profile, "profile", "", "AWS shared config profile (default: AWS_PROFILE, else the default profile)")
	fs.StringVar(&a.region, "region", "", "AWS region (default: AWS_REGION, else the profile's region)")
	return fs, a
}

// parseArgs parses flags placed before or after the positional arguments
// ("load FILE --table T" as well as "load --table T FILE"); everything after
// "--" is positional. It returns the positional arguments, or the exit status.
func parseArgs(fs *flag.FlagSet, args []string, npos int) ([]string, int, bool) {
	var pos, tail []string
	for i, a := range args {
		if a == "--" {
			args, tail = args[:i], args[i+1:]
			break
		}
	}
	for {
		if code, done := cli.Parse(fs, args); done {
			return nil, code, false
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	pos = append(pos, tail...)
	if len(pos) != npos {
		if npos == 0 {
			fmt.Fprintf(fs.Output(), "forum %s: unexpected arguments %q\n", fs.Name(), pos)
		} else {
			fmt.Fprintf(fs.Output(), "forum %s: want %d argument(s), got %d\n", fs.Name(), npos, len(pos))
		}
		fs.Usage()
		return nil, 2, false
	}
	return pos, 0, true
}

var tableNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

func checkTable(name string) error {
	if name == "" {
		return errors.New("no table: pass --table NAME")
	}
	if !tableNamePattern.MatchString(name) {
		return fmt.Errorf("table %q: DynamoDB table names are 3 to 255 letters, digits, '_', '-' and '.'", name)
	}
	return nil
}

// newClient loads the AWS configuration the standard way: flags, then the
// environment (AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL, credentials...),
// then the shared config and credentials files, then the instance's role.
func newClient(ctx context.Context, a *awsFlags) (*dynamodb.Client, error) {
	var opts []func(*config.LoadOptions) error
	if a.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(a.profile))
	}
	if a.region != "" {
		opts = append(opts, config.WithRegion(a.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, errors.New("no AWS region: set AWS_REGION, a region in your profile, or --region")
	}
	return dynamodb.NewFromConfig(cfg), nil
}

func runLoad(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, a := newFlagSet("load", "[--table NAME] [flags] FILE", stderr)
	maxAttempts := fs.Int("max-attempts", defaultMaxAttempts, "BatchWriteItem calls per batch of 25, the first included, before its unwritten items count as failed")
	backoff := fs.Duration("backoff", defaultBackoff, "base delay: retry n waits a random time up to backoff*2^(n-1), at most 20s")
	dryRun := fs.Bool("dry-run", false, "validate the file and stop; no AWS call")
	pos, code, ok := parseArgs(fs, args, 1)
	if !ok {
		return code
	}
	if *maxAttempts < 1 {
		fmt.Fprintf(stderr, "forum load: --max-attempts %d: must be at least 1\n", *maxAttempts)
		return 2
	}
	if *backoff < 0 {
		fmt.Fprintf(stderr, "forum load: --backoff %s: must not be negative\n", *backoff)
		return 2
	}
	path := pos[0]
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(stderr, "forum load: %v\n", err)
		return 2
	}
	f, err := ParseFile(data)
	if err != nil {
		fmt.Fprintf(stderr, "forum load: %s: %v\n", path, err)
		return 2
	}
	table := a.table
	if table == "" {
		table = f.Table
	}
	if err := checkTable(table); err != nil {
		fmt.Fprintf(stderr, "forum load: %s: %v\n", path, err)
		return 2
	}
	if *dryRun {
		fmt.Fprintf(stdout, "%s: %d items, valid; nothing written (--dry-run)\n", path, len(f.Items))
		return 0
	}

	client, err := newClient(ctx, a)
	if err != nil {
		fmt.Fprintf(stderr, "forum load: %v\n", err)
		return 1
	}
	if err := checkKeySchema(ctx, client, table, stderr); err != nil {
		fmt.Fprintf(stderr, "forum load: %v; nothing written\n", err)
		return 1
	}
	l := &loader{
		client:      client,
		table:       table,
		maxAttempts: *maxAttempts,
		backoff:     *backoff,
		sleep:       sleepCtx,
		jitter:      fullJitter,
	}
	var progress *progressPrinter
	if isTerminal(stderr) {
		progress = &progressPrinter{w: stderr, table: table}
		l.progress = progress.update
	}
	res := l.load(ctx, f.Items)
	if progress != nil {
		progress.finish()
	}
	fmt.Fprintln(stdout, res.summary(table))
	if res.failed == 0 {
		return 0
	}
	if res.stopped != nil {
		fmt.Fprintf(stderr, "forum load: stopped: %v\n", res.stopped)
	}
	fmt.Fprintf(stderr, "forum load: %d items not written (loading the file again is safe):\n%s", res.failed, res.failureReport())
	return 1
}

// checkKeySchema makes sure the table exists and is keyed on Name (S) alone,
// before anything is written. A caller allowed to write but not to describe
// the table gets a warning and the load goes on.
func checkKeySchema(ctx context.Context, client *dynamodb.Client, table string, stderr io.Writer) error {
	out, err := client.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(table)})
	var notFound *types.ResourceNotFoundException
	switch {
	case errors.As(err, &notFound):
		return fmt.Errorf("table %q not found in %s: deploy the stack, or pass its ForumTableName output with --table", table, client.Options().Region)
	case errorCode(err) == "AccessDeniedException":
		fmt.Fprintf(stderr, "forum load: warning: cannot check table %q's key (%v); loading anyway\n", table, err)
		return nil
	case err != nil:
		return fmt.Errorf("table %q: %w", table, err)
	}
	var keys []string
	for _, k := range out.Table.KeySchema {
		keys = append(keys, fmt.Sprintf("%s (%s)", aws.ToString(k.AttributeName), k.KeyType))
	}
	ks := out.Table.KeySchema
	if len(ks) != 1 || aws.ToString(ks[0].AttributeName) != KeyAttribute {
		return fmt.Errorf("table %q is keyed on %s, not on %s alone", table, strings.Join(keys, ", "), KeyAttribute)
	}
	for _, d := range out.Table.AttributeDefinitions {
		if aws.ToString(d.AttributeName) == KeyAttribute && d.AttributeType != types.ScalarAttributeTypeS {
			return fmt.Errorf("table %q's key %s is of type %s, not S", table, KeyAttribute, d.AttributeType)
		}
	}
	return nil
}

func runGet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, a := newFlagSet("get", "--table NAME [flags] KEY", stderr)
	pos, code, ok := parseArgs(fs, args, 1)
	if !ok {
		return code
	}
	if err := checkTable(a.table); err != nil {
		fmt.Fprintf(stderr, "forum get: %v\n", err)
		return 2
	}
	key := pos[0]
	if key == "" {
		fmt.Fprintln(stderr, "forum get: KEY is empty: give the item's Name")
		return 2
	}
	client, err := newClient(ctx, a)
	if err != nil {
		fmt.Fprintf(stderr, "forum get: %v\n", err)
		return 1
	}
	out, err := client.GetItem(ctx, &dynamodb.GetItemInput{
		TableName:      aws.String(a.table),
		Key:            map[string]types.AttributeValue{KeyAttribute: &types.AttributeValueMemberS{Value: key}},
		ConsistentRead: aws.Bool(true),
	})
	if err != nil {
		fmt.Fprintf(stderr, "forum get: %v\n", err)
		return 1
	}
	if out.Item == nil {
		fmt.Fprintf(stderr, "forum get: no item with %s %q in table %q\n", KeyAttribute, key, a.table)
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(itemJSON(out.Item)); err != nil {
		fmt.Fprintf(stderr, "forum get: %v\n", err)
		return 1
	}
	return 0
}

func runScan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, a := newFlagSet("scan", "--table NAME [flags]", stderr)
	if _, code, ok := parseArgs(fs, args, 0); !ok {
		return code
	}
	if err := checkTable(a.table); err != nil {
		fmt.Fprintf(stderr, "forum scan: %v\n", err)
		return 2
	}
	client, err := newClient(ctx, a)
	if err != nil {
		fmt.Fprintf(stderr, "forum scan: %v\n", err)
		return 1
	}
	enc := json.NewEncoder(stdout)
	enc.SetEscapeHTML(false)
	pages := dynamodb.NewScanPaginator(client, &dynamodb.ScanInput{
		TableName:      aws.String(a.table),
		ConsistentRead: aws.Bool(true),
	})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			fmt.Fprintf(stderr, "forum scan: %v\n", err)
			return 1
		}
		for _, item := range page.Items {
			if err := enc.Encode(itemJSON(item)); err != nil {
				fmt.Fprintf(stderr, "forum scan: %v\n", err)
				return 1
			}
		}
	}
	return 0
}

func runCreateTable(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs, a := newFlagSet("create-table", "--table NAME [flags]", stderr)
	if _, code, ok := parseArgs(fs, args, 0); !ok {
		return code
	}
	if err := checkTable(a.table); err != nil {
		fmt.Fprintf(stderr, "forum create-table: %v\n", err)
		return 2
	}
	client, err := newClient(ctx, a)
	if err != nil {
		fmt.Fprintf(stderr, "forum create-table: %v\n", err)
		return 1
	}
	_, err = client.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(a.table),
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String(KeyAttribute), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String(KeyAttribute), KeyType: types.KeyTypeHash}},
		BillingMode:          types.BillingModePayPerRequest,
	})
	var inUse *types.ResourceInUseException
	switch {
	case errors.As(err, &inUse):
		fmt.Fprintf(stdout, "table %q already exists\n", a.table)
		return 0
	case err != nil:
		fmt.Fprintf(stderr, "forum create-table: %v\n", err)
		return 1
	}
	w := dynamodb.NewTableExistsWaiter(client, func(o *dynamodb.TableExistsWaiterOptions) { o.MinDelay = 200 * time.Millisecond })
	if err := w.Wait(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(a.table)}, 2*time.Minute); err != nil {
		fmt.Fprintf(stderr, "forum create-table: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "table %q created\n", a.table)
	return 0
}

// itemJSON turns an item into DynamoDB's typed JSON, the format of the load
// file's items: {"Name": {"S": "..."}, "Views": {"N": "1000"}}. B and BS come
// out base64, as in the file.
func itemJSON(item map[string]types.AttributeValue) map[string]any {
	m := make(map[string]any, len(item))
	for k, v := range item {
		m[k] = valueJSON(v)
	}
	return m
}

func valueJSON(av types.AttributeValue) map[string]any {
	switch v := av.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *types.AttributeValueMemberBS:
		bs := make([]string, len(v.Value))
		for i, b := range v.Value {
			bs[i] = base64.StdEncoding.EncodeToString(b)
		}
		return map[string]any{"BS": bs}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = valueJSON(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": itemJSON(v.Value)}
	}
	return map[string]any{"unknown": fmt.Sprintf("%T", av)}
}
