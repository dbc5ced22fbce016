package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/project-1/project-1/constructs/web/webprops"
	configuration "github.com/project-1/project-1/internal/config"
	"github.com/project-1/project-1/internal/localserver"
)

// The integration tests run the command against moto's server (moto 5.2 is
// preinstalled on the project's machines), one server for the test binary on
// a free port of 127.0.0.1, reset before each case. What moto lacks is
// served by small local handlers (fakes): RDS's orderable instance options
// (moto knows them only for Aurora PostgreSQL and Neptune), Service Quotas'
// AWS defaults, and the CodeStar/CodeConnections connections. Without moto
// the tests skip, saying so.

// motoAccount is the account moto's credentials belong to.
const motoAccount = "123456789012"

func TestMain(m *testing.M) {
	code := m.Run()
	stopMoto()
	os.Exit(code)
}

var moto struct {
	once     sync.Once
	endpoint string
	skip     string
	err      error
	process  *localserver.Process
	dir      string // holds the images' file (motoScript)
}

// motoScript runs moto's server on the port given, and exits when its
// standard input closes, so it never outlives the test binary. It loads
// only the Amazon Linux images moto lists as the newest of the regions given
// (the images of the public parameters the image check reads, and a few
// dozen more), written to the file given, as MOTO_AMIS_PATH: by default
// every region's EC2 backend loads some 1,100 ECS-optimized images as well,
// and creates a volume and a snapshot for each, on every reset. That was
// nearly half of moto's time in these tests (12.6 of 27 s under cProfile),
// for images no check reads.
const motoScript = `
import gzip, importlib.util, json, os, sys, threading
threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
port, amis_path, regions = sys.argv[1], sys.argv[2], sys.argv[3:]
root = importlib.util.find_spec("moto").submodule_search_locations[0]
amis = []
for region in regions:
    with gzip.open(os.path.join(root, "ec2", "resources", "latest_amis", region + ".json.gz")) as f:
        amis += json.load(f)
with open(amis_path, "w") as f:
    json.dump(amis, f)
os.environ["MOTO_AMIS_PATH"] = amis_path
from moto.server import main
main(["-H", "127.0.0.1", "-p", port])
`

// motoRegions are the regions whose images moto loads (motoScript): the
// environments' and prod's backup copy region.
var motoRegions = []string{"us-east-1", "eu-west-1", "eu-central-1"}

func startMoto() {
	python, err := exec.LookPath("python3")
	if err != nil {
		moto.skip = "python3 is not installed, so moto's server cannot run"
		return
	}
	if out, err := exec.Command(python, "-c", "import moto.server").CombinedOutput(); err != nil {
		moto.skip = fmt.Sprintf("moto's server is not installed (python3 -c 'import moto.server': %s); pip install 'moto[server]' to run these tests",
			strings.TrimSpace(lastLine(string(out))))
		return
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		moto.err = err
		return
	}
	port := fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
	l.Close()
	if moto.dir, err = os.MkdirTemp("", "moto-"); err != nil {
		moto.err = err
		return
	}
	cmd := exec.Command(python, append([]string{"-c", motoScript, port, filepath.Join(moto.dir, "amis.json")}, motoRegions...)...)
	logs := &readyWriter{marker: []byte("Running on "), ready: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = logs, logs
	if moto.process, err = localserver.Start(cmd); err != nil {
		moto.err = fmt.Errorf("moto: %w", err)
		return
	}
	endpoint := "http://127.0.0.1:" + port
	// Werkzeug logs " * Running on http://..." once the socket listens: wait
	// for that line, not on a timer.
	select {
	case <-logs.ready:
	case <-time.After(30 * time.Second):
		moto.err = fmt.Errorf("moto's server did not start listening on %s within 30s:\n%s", endpoint, logs.String())
		return
	}
	resp, err := http.Get(endpoint + "/moto-api/")
	if err != nil {
		moto.err = fmt.Errorf("moto's server does not answer on %s: %v\n%s", endpoint, err, logs.String())
		return
	}
	resp.Body.Close()
	moto.endpoint = endpoint
}

// readyWriter keeps a server's output and closes ready when the output first
// holds marker.
type readyWriter struct {
	mu     sync.Mutex
	buf    bytes.Buffer
	marker []byte
	ready  chan struct{}
	seen   bool
}

func (w *readyWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if !w.seen && bytes.Contains(w.buf.Bytes(), w.marker) {
		w.seen = true
		close(w.ready)
	}
	return len(p), nil
}

func (w *readyWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}

func stopMoto() {
	moto.process.Stop()
	if moto.dir != "" {
		os.RemoveAll(moto.dir)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// world is moto, reset, with the fakes in front of it and the SDK's
// environment pointing at them.
type world struct {
	t     *testing.T
	fakes *fakes
}

func newWorld(t *testing.T) *world {
	t.Helper()
	moto.once.Do(startMoto)
	if moto.skip != "" {
		t.Skip(moto.skip)
	}
	if moto.err != nil {
		t.Fatal(moto.err)
	}
	resp, err := http.Post(moto.endpoint+"/moto-api/reset", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	f := newFakes(t, moto.endpoint)
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":                      moto.endpoint,
		"AWS_ENDPOINT_URL_RDS":                  f.rds.URL,
		"AWS_ENDPOINT_URL_SERVICE_QUOTAS":       f.quotas.URL,
		"AWS_ENDPOINT_URL_CODECONNECTIONS":      f.connServer.URL,
		"AWS_ENDPOINT_URL_CODESTAR_CONNECTIONS": f.connServer.URL,
		"AWS_ACCESS_KEY_ID":                     "moto",
		"AWS_SECRET_ACCESS_KEY":                 "moto",
		"AWS_SESSION_TOKEN":                     "",
		"AWS_PROFILE":                           "",
		"AWS_REGION":                            "",
		"AWS_CONFIG_FILE":                       os.DevNull,
		"AWS_SHARED_CREDENTIALS_FILE":           os.DevNull,
		"AWS_EC2_METADATA_DISABLED":             "true",
	} {
		t.Setenv(k, v)
	}
	w := &world{t: t, fakes: f}
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		for _, instanceType := range []string{"t3.micro", "c7g.medium"} {
			name := webprops.ImageParameter(instanceType)
			out, err := ssm.NewFromConfig(w.config(region)).GetParameter(context.Background(), &ssm.GetParameterInput{Name: aws.String(name)})
			if err != nil {
				t.Fatalf("moto has no %s in %s: %v", name, region, err)
			}
			newestImages[region+" "+name] = aws.ToString(out.Parameter.Value)
		}
	}
	return w
}

func (w *world) config(region string) aws.Config {
	w.t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(region))
	if err != nil {
		w.t.Fatal(err)
	}
	return cfg
}

// bootstrap puts the CDK bootstrap version parameter, as cdk bootstrap does.
func (w *world) bootstrap(region, version string) {
	w.t.Helper()
	_, err := ssm.NewFromConfig(w.config(region)).PutParameter(context.Background(), &ssm.PutParameterInput{
		Name: aws.String(BootstrapParameter), Value: aws.String(version), Type: ssmtypes.ParameterTypeString, Overwrite: aws.Bool(true),
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// bootstrapped is an account bootstrapped in both regions, where RDS offers
// the database of every environment in zones a to c.
func (w *world) bootstrapped() *world {
	for _, region := range []string{"us-east-1", "eu-west-1", "eu-central-1"} { // eu-central-1: prod's backup copy
		w.bootstrap(region, "33")
	}
	for _, class := range []string{"db.t3.micro", "db.t3.small"} {
		w.fakes.offer(rdsOption{version: "8.4.6", class: class, storage: "gp3", multiAz: true})
		w.fakes.offer(rdsOption{version: "8.4.6", class: class, storage: "gp2", multiAz: true})
	}
	return w
}

func (w *world) createTable(region, name string) {
	w.t.Helper()
	_, err := dynamodb.NewFromConfig(w.config(region)).CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName:            aws.String(name),
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("Name"), KeyType: ddbtypes.KeyTypeHash}},
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("Name"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		BillingMode:          ddbtypes.BillingModePayPerRequest,
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) allocateAddresses(region string, n int) {
	w.t.Helper()
	client := ec2.NewFromConfig(w.config(region))
	for range n {
		if _, err := client.AllocateAddress(context.Background(), &ec2.AllocateAddressInput{}); err != nil {
			w.t.Fatal(err)
		}
	}
}

func (w *world) createVpcs(region string, n int) {
	w.t.Helper()
	client := ec2.NewFromConfig(w.config(region))
	for i := range n {
		if _, err := client.CreateVpc(context.Background(), &ec2.CreateVpcInput{CidrBlock: aws.String(fmt.Sprintf("172.%d.0.0/16", 16+i))}); err != nil {
			w.t.Fatal(err)
		}
	}
}

// createStack deploys a stack of that name, as a deployed environment has.
func (w *world) createStack(region, name string) {
	w.t.Helper()
	body := `{"Resources": {"P": {"Type": "AWS::SSM::Parameter", "Properties": {"Type": "String", "Value": "x", "Name": "/preflight-test/` + name + `"}}}}`
	_, err := cloudformation.NewFromConfig(w.config(region)).CreateStack(context.Background(), &cloudformation.CreateStackInput{
		StackName: aws.String(name), TemplateBody: aws.String(body),
	})
	if err != nil {
		w.t.Fatal(err)
	}
}

// run runs the command with the project's cdk.json and envs (the project's
// environments when nil).
func (w *world) run(envs func() []configuration.Environment, args ...string) (int, string) {
	w.t.Helper()
	opt := defaultOptions()
	opt.cdkJSON = "../../cdk.json"
	opt.environments = subscribed
	if envs != nil {
		opt.environments = envs
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), args, &stdout, &stderr, opt)
	out := stdout.String() + stderr.String()
	w.t.Logf("preflight %s: exit %d\n%s", strings.Join(args, " "), code, out)
	checkFixes(w.t, out)
	return code, out
}

// checkFixes fails unless every FAIL line is followed by the fix.
func checkFixes(t *testing.T, out string) {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "  FAIL ") {
			j := i + 1
			for j < len(lines) && strings.HasPrefix(lines[j], "         ") {
				j++ // the failure's own continuation lines
			}
			if j >= len(lines) || !strings.HasPrefix(lines[j], "       fix: ") || len(lines[j]) < len("       fix: ")+10 {
				t.Errorf("failed check without a fix: %q", l)
			}
		}
	}
}

// want fails unless out has each text: "PASS check: ...", "FAIL check: ..."
// and "SKIP check: ..." at the start of a check's line, "fix: ..." at the start
// of a fix, anything else anywhere.
func want(t *testing.T, out string, lines ...string) {
	t.Helper()
	for _, w := range lines {
		if strings.HasPrefix(w, "PASS ") || strings.HasPrefix(w, "FAIL ") || strings.HasPrefix(w, "SKIP ") || strings.HasPrefix(w, "fix: ") {
			w = "  " + w
		}
		if !strings.Contains(out, w) {
			t.Errorf("the output has no line %q", w)
		}
	}
}

// status is the result of every check in the output: check name -> PASS/FAIL/SKIP,
// per group, e.g. "environment dev/bootstrap" -> "PASS", "pipeline/connection" -> "FAIL".
func status(out string) map[string]string {
	res := map[string]string{}
	group := ""
	line := regexp.MustCompile(`^  (PASS|FAIL|SKIP) ([^:]+):`)
	for _, l := range strings.Split(out, "\n") {
		if l != "" && !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "preflight") {
			group = strings.SplitN(l, " (", 2)[0]
		}
		if m := line.FindStringSubmatch(l); m != nil {
			res[group+"/"+m[2]] = m[1]
		}
	}
	return res
}

func TestBootstrappedAccountPasses(t *testing.T) {
	w := newWorld(t).bootstrapped()
	code, out := w.run(nil, "-c", "env=all")
	if code != 0 {
		t.Fatalf("exit %d, want 0", code)
	}
	got := status(out)
	for _, env := range []string{"project-1", "dev", "prod"} {
		for _, check := range []string{"credentials", "bootstrap", "zones", "instance type", "database", "quota Elastic IPs", "quota VPCs", "quota internet gateways", "table", "alarms", "image"} {
			if got["environment "+env+"/"+check] != "PASS" {
				t.Errorf("environment %s: check %q is %q, want PASS", env, check, got["environment "+env+"/"+check])
			}
		}
	}
	want(t, out,
		"PASS bootstrap: version 33 (/cdk-bootstrap/hnb659fds/version); the pinned CLI needs 8",
		"PASS zones: us-east-1a (use1-az6), us-east-1b (use1-az1) available",
		"PASS instance type: c7g.large offered in eu-west-1a, eu-west-1b; m7g.large offered in eu-west-1a, eu-west-1b",
		"PASS database: MySQL 8.4 on db.t3.micro, gp3, Multi-AZ (8.4.6) offered in us-east-1a, us-east-1b",
		"PASS database: MySQL 8.4 on db.t3.micro, gp3 (8.4.6) offered in us-east-1a, us-east-1b", // dev: single-AZ
		"PASS quota Elastic IPs: 0 of 5 in use (default quota L-0263D0A3), the environment needs 2 (one per NAT gateway)",
		"PASS quota VPCs: 1 of 5 in use (quota L-F678F1CE), the environment needs 1",
		"PASS table: no table Forum-dev in us-east-1 yet (Storage.TableName)",
		"PASS alarms: the alarm topic notifies alarms@example.com (the address must confirm its subscription)",
	)
	// prod's bootstrap is checked in its backup copy's region too.
	if n := strings.Count(out, "PASS bootstrap: version 33"); n != 4 {
		t.Errorf("%d bootstrap checks passed, want 4 (one per environment, and prod's copy region)", n)
	}
	if !strings.Contains(out, "preflight: all 34 checks passed") {
		t.Error("no summary of 34 passed checks")
	}
	// The default environment, without -c.
	if code, out := w.run(nil); code != 0 || !strings.Contains(out, "environment project-1 (account (any), us-east-1)") {
		t.Errorf("without -c: exit %d, want 0 on project-1", code)
	}
}

func TestBootstrap(t *testing.T) {
	w := newWorld(t).bootstrapped()
	for _, tc := range []struct {
		version string // "" deletes the parameter
		line    []string
	}{
		{"", []string{
			"FAIL bootstrap: /cdk-bootstrap/hnb659fds/version is not in account 123456789012, us-east-1: the environment is not bootstrapped",
			"fix: npx cdk bootstrap aws://123456789012/us-east-1\n"}},
		{"5", []string{"FAIL bootstrap: version 5 in us-east-1; cdk deploy needs 6 or later", "fix: npx cdk bootstrap aws://123456789012/us-east-1 (upgrades the bootstrap stack)"}},
		{"7", []string{"FAIL bootstrap: version 7 in us-east-1; deploys work, but cdk diff's lookup role needs 8", "fix: npx cdk bootstrap aws://123456789012/us-east-1 (upgrades"}},
		{"8", []string{"PASS bootstrap: version 8"}},
	} {
		t.Run("version "+tc.version, func(t *testing.T) {
			if tc.version == "" {
				_, err := ssm.NewFromConfig(w.config("us-east-1")).DeleteParameter(context.Background(), &ssm.DeleteParameterInput{Name: aws.String(BootstrapParameter)})
				if err != nil {
					t.Fatal(err)
				}
			} else {
				w.bootstrap("us-east-1", tc.version)
			}
			code, out := w.run(nil, "-c", "env=dev")
			if wantCode := map[bool]int{true: 0, false: 1}[tc.version == "8"]; code != wantCode {
				t.Errorf("exit %d, want %d", code, wantCode)
			}
			want(t, out, tc.line...)
		})
	}
}

// TestBootstrapOfTheCopyRegion: prod's backup copy deploys into its copy
// region, so preflight fails an unbootstrapped one there.
func TestBootstrapOfTheCopyRegion(t *testing.T) {
	w := newWorld(t).bootstrapped()
	if _, err := ssm.NewFromConfig(w.config("eu-central-1")).DeleteParameter(context.Background(), &ssm.DeleteParameterInput{Name: aws.String(BootstrapParameter)}); err != nil {
		t.Fatal(err)
	}
	code, out := w.run(nil, "-c", "env=prod")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want(t, out, "FAIL bootstrap: /cdk-bootstrap/hnb659fds/version is not in account 123456789012, eu-central-1", "fix: npx cdk bootstrap aws://123456789012/eu-central-1")
}

// withDev is the project's environments with dev's zones replaced.
func withDev(change func(*configuration.Environment)) func() []configuration.Environment {
	return func() []configuration.Environment {
		envs := subscribed()
		for i := range envs {
			if envs[i].Name == "dev" {
				change(&envs[i])
			}
		}
		return envs
	}
}

func zones(a, b string) func(*configuration.Environment) {
	return func(e *configuration.Environment) {
		for i := range e.Network.Subnets {
			if e.Network.Subnets[i].AvailabilityZone == "us-east-1b" {
				e.Network.Subnets[i].AvailabilityZone = b
			}
			if e.Network.Subnets[i].AvailabilityZone == "us-east-1a" {
				e.Network.Subnets[i].AvailabilityZone = a
			}
		}
	}
}

func TestZonesAndInstanceTypes(t *testing.T) {
	w := newWorld(t).bootstrapped()
	t.Run("a zone the account does not have", func(t *testing.T) {
		code, out := w.run(withDev(zones("us-east-1a", "us-east-1g")), "-c", "env=dev")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		want(t, out,
			"FAIL zones: us-east-1g is not an availability zone of this account in us-east-1",
			"fix: give environment dev zones the account has in us-east-1 (us-east-1a, us-east-1b, us-east-1c, us-east-1d, us-east-1e, us-east-1f): Network.Subnets in internal/config/environments.go",
			"PASS instance type: t3.micro offered in us-east-1a; t3a.micro offered in us-east-1a\n", // checked where the zone exists
		)
	})
	t.Run("a zone without the instance type", func(t *testing.T) {
		// moto's offerings, from AWS's: us-east-1e has no t3 or t3a instances.
		code, out := w.run(withDev(zones("us-east-1a", "us-east-1e")), "-c", "env=dev")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		want(t, out,
			"PASS zones: us-east-1a (use1-az6), us-east-1e (use1-az3) available",
			"FAIL instance type: t3.micro or t3a.micro (Web.InstanceType and Web.AlternateInstanceType) not offered in us-east-1e",
			"fix: choose a Web.InstanceType and Web.AlternateInstanceType offered in every zone of environment dev, or zones that offer t3.micro or t3a.micro",
		)
		// The fake RDS offers zones a to c: a single-AZ database needs one of them.
		want(t, out, "PASS database: MySQL 8.4 on db.t3.micro, gp3 (8.4.6) offered in us-east-1a\n")
	})
	t.Run("a zone with only the alternate type", func(t *testing.T) {
		// us-east-1e offers m4.large but not m5.large: the mixed-instances
		// policy launches m4.large there, so the check passes.
		code, out := w.run(withDev(func(e *configuration.Environment) {
			zones("us-east-1a", "us-east-1e")(e)
			e.Web.InstanceType, e.Web.AlternateInstanceType = "m5.large", "m4.large"
		}), "-c", "env=dev")
		want(t, out, "PASS instance type: m5.large offered in us-east-1a; m4.large offered in us-east-1a, us-east-1e\n")
		if strings.Contains(out, "FAIL instance type") {
			t.Errorf("exit %d: a zone with the alternate type failed the check", code)
		}
	})
}

func TestDatabase(t *testing.T) {
	for _, tc := range []struct {
		name    string
		offers  []rdsOption
		env     string
		line    []string
		success bool
	}{
		{"no 8.4 offered", []rdsOption{{version: "8.0.40", class: "db.t3.micro", storage: "gp3", multiAz: true}}, "dev", []string{
			"FAIL database: MySQL 8.4 on db.t3.micro is not offered in us-east-1",
			"fix: take a version RDS offers for db.t3.micro (dbprops.EngineVersion in constructs/database), or another Database.InstanceType for environment dev; list them with: aws rds describe-orderable-db-instance-options --engine mysql --db-instance-class db.t3.micro",
		}, false},
		{"no gp3", []rdsOption{{version: "8.4.6", class: "db.t3.micro", storage: "gp2", multiAz: true}}, "dev", []string{
			"FAIL database: MySQL 8.4 on db.t3.micro is offered only with storage gp2, not gp3",
			"fix: choose another Database.InstanceType for environment dev",
		}, false},
		{"no Multi-AZ", []rdsOption{{version: "8.4.6", class: "db.t3.micro", storage: "gp3"}}, "project-1", []string{
			"FAIL database: MySQL 8.4 on db.t3.micro is not offered Multi-AZ (Database.MultiAz)",
			"fix: choose a Database.InstanceType offered Multi-AZ for environment project-1",
		}, false},
		{"single-AZ needs no Multi-AZ", []rdsOption{{version: "8.4.6", class: "db.t3.micro", storage: "gp3"}}, "dev", []string{
			"PASS database: MySQL 8.4 on db.t3.micro, gp3 (8.4.6) offered in us-east-1a, us-east-1b",
		}, true},
		{"one zone for Multi-AZ", []rdsOption{{version: "8.4.6", class: "db.t3.micro", storage: "gp3", multiAz: true, zones: []string{"us-east-1a", "us-east-1c"}}}, "project-1", []string{
			"FAIL database: MySQL 8.4 on db.t3.micro is offered in us-east-1a, us-east-1c only, of the environment's zones us-east-1a, us-east-1b; the instance needs 2",
			"fix: choose zones (Network.Subnets) or a Database.InstanceType that RDS offers there for environment project-1",
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.bootstrap("us-east-1", "33")
			for _, o := range tc.offers {
				w.fakes.offer(o)
			}
			code, out := w.run(nil, "-c", "env="+tc.env)
			if (code == 0) != tc.success {
				t.Errorf("exit %d, want success %v", code, tc.success)
			}
			want(t, out, tc.line...)
		})
	}
}

func TestQuotas(t *testing.T) {
	t.Run("Elastic IPs", func(t *testing.T) {
		w := newWorld(t).bootstrapped()
		w.allocateAddresses("us-east-1", 4)
		code, out := w.run(nil, "-c", "env=project-1")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		want(t, out,
			"FAIL quota Elastic IPs: 4 of 5 in use in us-east-1, the environment needs 2 (one per NAT gateway)",
			"fix: release unused Elastic IPs, or ask for more: aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-0263D0A3 --desired-value 6 --region us-east-1",
		)
		// dev shares one NAT gateway: 4 + 1 fits.
		if code, out := w.run(nil, "-c", "env=dev"); code != 0 {
			t.Errorf("dev: exit %d, want 0", code)
		} else {
			want(t, out, "PASS quota Elastic IPs: 4 of 5 in use")
		}
	})
	t.Run("Elastic IPs from the account attribute", func(t *testing.T) {
		w := newWorld(t).bootstrapped()
		w.fakes.mu.Lock()
		delete(w.fakes.defaults, "ec2/L-0263D0A3") // as without servicequotas:GetAWSDefaultServiceQuota
		w.fakes.mu.Unlock()
		_, out := w.run(nil, "-c", "env=dev")
		want(t, out, "PASS quota Elastic IPs: 0 of 5 in use (account attribute vpc-max-elastic-ips), the environment needs 1")
	})
	t.Run("VPCs", func(t *testing.T) {
		w := newWorld(t).bootstrapped()
		w.createVpcs("eu-west-1", 4) // and moto's default VPC
		code, out := w.run(nil, "-c", "env=prod")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		want(t, out,
			"FAIL quota VPCs: 5 of 5 in use in eu-west-1, the environment needs 1",
			"fix: release unused VPCs, or ask for more: aws service-quotas request-service-quota-increase --service-code vpc --quota-code L-F678F1CE --desired-value 6 --region eu-west-1",
		)
	})
	t.Run("an update", func(t *testing.T) {
		w := newWorld(t).bootstrapped()
		w.allocateAddresses("us-east-1", 5)
		w.createStack("us-east-1", "project-1-Network")
		code, out := w.run(nil)
		if code != 0 {
			t.Errorf("exit %d, want 0", code)
		}
		want(t, out, "SKIP quotas: stack project-1-Network is deployed: this is an update")
	})
}

func TestTable(t *testing.T) {
	t.Run("left by an earlier deploy", func(t *testing.T) {
		w := newWorld(t).bootstrapped()
		w.createTable("us-east-1", "Forum-dev")
		code, out := w.run(nil, "-c", "env=dev")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		want(t, out,
			`FAIL table: table Forum-dev already exists in us-east-1 (ACTIVE) and no stack dev-Data is deployed: creating the data stack would fail with "already exists"`,
			"fix: if it is this environment's table, retained by an earlier deploy, bring it into the stack with npx cdk import -c env=dev 'dev/Data' before deploying, or back it up and delete it (turn its deletion protection off first); otherwise give environment dev another Storage.TableName in internal/config/environments.go",
		)
		// prod's table has the same name in another region.
		if code, _ := w.run(nil, "-c", "env=prod"); code != 0 {
			t.Errorf("prod: exit %d, want 0", code)
		}
	})
	t.Run("an update", func(t *testing.T) {
		w := newWorld(t).bootstrapped()
		w.createTable("us-east-1", "Forum-dev")
		w.createStack("us-east-1", "dev-Data")
		code, out := w.run(nil, "-c", "env=dev")
		if code != 0 {
			t.Errorf("exit %d, want 0", code)
		}
		want(t, out, "PASS table: table Forum-dev exists and stack dev-Data is deployed: an update, not a first deploy")
	})
}

func TestCredentials(t *testing.T) {
	w := newWorld(t).bootstrapped()
	t.Run("another account", func(t *testing.T) {
		code, out := w.run(withDev(func(e *configuration.Environment) { e.Account = "111111111111" }), "-c", "env=dev")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		want(t, out,
			"FAIL credentials: the credentials are for account 123456789012, the environment's account is 111111111111",
			"fix: run preflight with credentials of account 111111111111",
			"SKIP the rest:",
		)
		if _, ran := status(out)["environment dev/bootstrap"]; ran {
			t.Error("checked another account than the environment's")
		}
	})
	t.Run("none", func(t *testing.T) {
		t.Setenv("AWS_ACCESS_KEY_ID", "")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "")
		code, out := w.run(nil, "-c", "env=dev")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		want(t, out, "FAIL credentials: no usable AWS credentials", "fix: sign in (aws sso login")
	})
}

const connectionArn = "arn:aws:codestar-connections:us-east-1:123456789012:connection/12345678-1234-1234-1234-123456789012"

func pipelineArgs(connection string) []string {
	return []string{"-c", "pipeline=true", "-c", "pipeline:connectionArn=" + connection,
		"-c", "pipeline:repository=example/project-1", "-c", "pipeline:account=" + motoAccount}
}

func TestPipeline(t *testing.T) {
	w := newWorld(t).bootstrapped()
	newArn := strings.Replace(connectionArn, "codestar-connections", "codeconnections", 1)
	t.Run("available", func(t *testing.T) {
		w.fakes.setConnection(connectionArn, "AVAILABLE")
		w.fakes.setConnection(newArn, "AVAILABLE")
		for _, arn := range []string{connectionArn, newArn} {
			code, out := w.run(nil, pipelineArgs(arn)...)
			if code != 0 {
				t.Errorf("exit %d, want 0", code)
			}
			want(t, out,
				"PASS settings: example/project-1, branch main, from connection "+arn,
				"PASS connection: project-1-source ("+arn+") is AVAILABLE",
			)
			got := status(out)
			for _, g := range []string{"pipeline", "environment dev", "environment prod"} {
				if got[g+"/bootstrap"] != "PASS" {
					t.Errorf("%s: bootstrap is %q, want PASS", g, got[g+"/bootstrap"])
				}
			}
			if _, ok := got["environment project-1/bootstrap"]; ok {
				t.Error("project-1 is not a stage of the pipeline, and was checked")
			}
		}
	})
	t.Run("pending", func(t *testing.T) {
		w.fakes.setConnection(connectionArn, "PENDING")
		code, out := w.run(nil, append(pipelineArgs(connectionArn), "-c", "env=dev")...)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		want(t, out,
			"FAIL connection: project-1-source ("+connectionArn+") is PENDING: its handshake with the repository host was never completed",
			"fix: in the console (Developer Tools > Settings > Connections), choose the connection, then Update pending connection",
		)
		if _, ok := status(out)["environment prod/bootstrap"]; ok {
			t.Error("-c env=dev checked prod too")
		}
	})
	t.Run("missing", func(t *testing.T) {
		w.fakes.setConnection(connectionArn, "")
		code, out := w.run(nil, pipelineArgs(connectionArn)...)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		want(t, out,
			"FAIL connection: "+connectionArn+" does not exist",
			"fix: create a connection to the repository host in the console (Developer Tools > Settings > Connections), complete its handshake, and set its ARN as pipeline:connectionArn in cdk.json",
		)
	})
	t.Run("settings missing", func(t *testing.T) {
		// cdk.json's own: no connection, repository or account.
		code, out := w.run(nil, "-c", "pipeline=true")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		want(t, out,
			`FAIL settings: pipeline:connectionArn "" is not a CodeStar connection ARN`,
			`pipeline:repository "" is not owner/name`,
			`pipeline:account "" is not a 12-digit AWS account ID`,
			"fix: set the pipeline:* keys in cdk.json's context",
		)
	})
	t.Run("another account", func(t *testing.T) {
		args := append(pipelineArgs(connectionArn), "-c", "pipeline:account=111111111111")
		code, out := w.run(nil, args...)
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		want(t, out, "FAIL credentials: the credentials are for account 123456789012, the pipeline's account (pipeline:account) is 111111111111")
	})
	t.Run("a stage in another account", func(t *testing.T) {
		w.fakes.setConnection(connectionArn, "AVAILABLE")
		envs := withDev(func(e *configuration.Environment) { e.Account = "222222222222" })
		_, out := w.run(envs, pipelineArgs(connectionArn)...)
		want(t, out,
			"environment dev (account 222222222222, us-east-1)",
			"FAIL credentials: the credentials are for account 123456789012, the environment's account is 222222222222",
			"environment prod (account 123456789012, eu-west-1)", // deployed into the pipeline's account
		)
	})
}

// fakes serve what moto lacks, each a small handler of the AWS protocol the
// SDK speaks: RDS's query protocol (XML), and JSON 1.1/1.0 for Service Quotas
// (in front of moto, which has the VPC quotas but not AWS's defaults) and the
// connections.
type fakes struct {
	mu          sync.Mutex
	orderable   []rdsOption
	defaults    map[string]float64 // "service/code" -> AWS's default quota
	connections map[string]string  // ARN -> status
	rds         *httptest.Server
	quotas      *httptest.Server
	connServer  *httptest.Server
}

type rdsOption struct {
	version, class, storage string
	multiAz                 bool
	zones                   []string // default: zones a, b and c of the request's region
}

func newFakes(t *testing.T, motoEndpoint string) *fakes {
	f := &fakes{
		defaults:    map[string]float64{"ec2/L-0263D0A3": 5}, // AWS's default: 5 Elastic IPs per region
		connections: map[string]string{},
	}
	f.rds = httptest.NewServer(http.HandlerFunc(f.serveRDS))
	target, err := url.Parse(motoEndpoint)
	if err != nil {
		t.Fatal(err)
	}
	proxy := httputil.NewSingleHostReverseProxy(target)
	f.quotas = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetAWSDefaultServiceQuota") {
			proxy.ServeHTTP(w, r)
			return
		}
		var in struct{ ServiceCode, QuotaCode string }
		json.NewDecoder(r.Body).Decode(&in)
		f.mu.Lock()
		v, ok := f.defaults[in.ServiceCode+"/"+in.QuotaCode]
		f.mu.Unlock()
		if !ok {
			jsonError(w, "application/x-amz-json-1.1", "NoSuchResourceException", "The request failed because the specified resource does not exist.")
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		json.NewEncoder(w).Encode(map[string]any{"Quota": map[string]any{"ServiceCode": in.ServiceCode, "QuotaCode": in.QuotaCode, "Value": v}})
	}))
	f.connServer = httptest.NewServer(http.HandlerFunc(f.serveConnection))
	t.Cleanup(func() { f.rds.Close(); f.quotas.Close(); f.connServer.Close() })
	return f
}

func (f *fakes) offer(o rdsOption) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.orderable = append(f.orderable, o)
}

// setConnection sets a connection's status; "" deletes it.
func (f *fakes) setConnection(arn, status string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if status == "" {
		delete(f.connections, arn)
	} else {
		f.connections[arn] = status
	}
}

func jsonError(w http.ResponseWriter, contentType, code, message string) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusBadRequest)
	json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
}

// regionOf is the region of a SigV4-signed request's credential scope.
func regionOf(r *http.Request) string {
	m := regexp.MustCompile(`Credential=[^/]+/[0-9]+/([^/]+)/`).FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return ""
	}
	return m[1]
}

// serveRDS answers DescribeOrderableDBInstanceOptions, filtered as RDS does by
// engine, engine version and instance class.
func (f *fakes) serveRDS(w http.ResponseWriter, r *http.Request) {
	r.ParseForm()
	if a := r.Form.Get("Action"); a != "DescribeOrderableDBInstanceOptions" {
		http.Error(w, "the fake RDS does not serve "+a, http.StatusNotImplemented)
		return
	}
	type az struct {
		Name string `xml:"Name"`
	}
	type option struct {
		Engine                    string `xml:"Engine"`
		EngineVersion             string `xml:"EngineVersion"`
		DBInstanceClass           string `xml:"DBInstanceClass"`
		StorageType               string `xml:"StorageType"`
		MultiAZCapable            bool   `xml:"MultiAZCapable"`
		SupportsStorageEncryption bool   `xml:"SupportsStorageEncryption"`
		AvailabilityZones         []az   `xml:"AvailabilityZones>AvailabilityZone"`
	}
	var options []option
	region := regionOf(r)
	f.mu.Lock()
	for _, o := range f.orderable {
		if r.Form.Get("Engine") != "mysql" ||
			(r.Form.Get("EngineVersion") != "" && r.Form.Get("EngineVersion") != o.version) ||
			(r.Form.Get("DBInstanceClass") != "" && r.Form.Get("DBInstanceClass") != o.class) {
			continue
		}
		zones := o.zones
		if zones == nil {
			zones = []string{region + "a", region + "b", region + "c"}
		}
		opt := option{Engine: "mysql", EngineVersion: o.version, DBInstanceClass: o.class, StorageType: o.storage, MultiAZCapable: o.multiAz, SupportsStorageEncryption: true}
		for _, z := range zones {
			opt.AvailabilityZones = append(opt.AvailabilityZones, az{z})
		}
		options = append(options, opt)
	}
	f.mu.Unlock()
	type result struct {
		XMLName xml.Name `xml:"DescribeOrderableDBInstanceOptionsResponse"`
		Xmlns   string   `xml:"xmlns,attr"`
		Options []option `xml:"DescribeOrderableDBInstanceOptionsResult>OrderableDBInstanceOptions>OrderableDBInstanceOption"`
		Request string   `xml:"ResponseMetadata>RequestId"`
	}
	w.Header().Set("Content-Type", "text/xml")
	xml.NewEncoder(w).Encode(result{Xmlns: "http://rds.amazonaws.com/doc/2014-10-31/", Options: options, Request: "fake"})
}

// serveConnection answers GetConnection of CodeStar Connections and of
// CodeConnections (the same service, renamed; both ARN forms work).
func (f *fakes) serveConnection(w http.ResponseWriter, r *http.Request) {
	const ct = "application/x-amz-json-1.0"
	if !strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".GetConnection") {
		jsonError(w, ct, "UnknownOperationException", "the fake serves GetConnection only")
		return
	}
	var in struct{ ConnectionArn string }
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil {
		jsonError(w, ct, "ValidationException", err.Error())
		return
	}
	f.mu.Lock()
	status, ok := f.connections[in.ConnectionArn]
	f.mu.Unlock()
	if !ok {
		jsonError(w, ct, "ResourceNotFoundException", "Connection "+in.ConnectionArn+" not found")
		return
	}
	w.Header().Set("Content-Type", ct)
	json.NewEncoder(w).Encode(map[string]any{"Connection": map[string]any{
		"ConnectionArn": in.ConnectionArn, "ConnectionName": "project-1-source", "ConnectionStatus": status,
		"OwnerAccountId": motoAccount, "ProviderType": "GitHub",
	}})
}

// TestImage: an environment without a pinned image FAILs with the command
// that pins it; a pin must be an available image of the instance type's
// architecture in the region; an older pin passes, saying what is newer.
func TestImage(t *testing.T) {
	w := newWorld(t).bootstrapped()
	older, err := ssm.NewFromConfig(w.config("us-east-1")).GetParameter(context.Background(),
		&ssm.GetParameterInput{Name: aws.String("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.12-arm64")})
	if err != nil {
		t.Fatal(err)
	}
	x86 := newestImages["us-east-1 "+webprops.ImageParameter("t3.micro")]
	arm := newestImages["us-east-1 "+webprops.ImageParameter("c7g.medium")]
	pin := func(image string) func() []configuration.Environment {
		return func() []configuration.Environment {
			envs := subscribed()
			envs[0].Web.ImageId = image
			return envs
		}
	}
	for _, tc := range []struct {
		name  string
		image string
		code  int
		lines []string
	}{
		{"not pinned", "", 1, []string{
			"FAIL image: Web.ImageId is empty: every deploy boots the newest Amazon Linux 2023 image (/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-6.1-arm64), and replaces every web server whenever AWS has published a new one",
			"fix: go run ./cmd/image -c env=project-1 -write"}},
		{"an image that does not exist", "ami-0123456789abcdef0", 1, []string{
			"FAIL image: image ami-0123456789abcdef0 (Web.ImageId) does not exist in us-east-1"}},
		{"an image of the other architecture", x86, 1, []string{
			"FAIL image: image " + x86 + " (Web.ImageId) is x86_64; c7g.medium needs arm64"}},
		{"the newest", arm, 0, []string{"PASS image: " + arm + " (", "the newest Amazon Linux 2023 image"}},
		{"an older one", aws.ToString(older.Parameter.Value), 0, []string{
			"PASS image: " + aws.ToString(older.Parameter.Value), "AWS has published " + arm + " since: go run ./cmd/image -c env=project-1 -write"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out := w.run(pin(tc.image), "-c", "env=project-1")
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			want(t, out, tc.lines...)
		})
	}
}
