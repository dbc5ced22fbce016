package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/project-1/project-1/internal/localserver"
)

// The integration tests run against dynalite, a DynamoDB-compatible server
// that `npm ci` installs (package.json). One server serves the whole test
// binary, on a port the kernel picks on 127.0.0.1; each test uses tables of
// its own. Without node_modules/ the tests skip, except under CI, where they
// fail.

func TestMain(m *testing.M) {
	if os.Getenv("FORUM_TEST_MAIN") == "1" {
		main() // the test binary as the command itself, for TestCommandProcess
	}
	code := m.Run()
	stopDynalite()
	os.Exit(code)
}

var server struct {
	once     sync.Once
	endpoint string
	skip     string
	err      error
	process  *localserver.Process
}

// startScript starts dynalite on a free port and prints it; the server exits
// when its standard input closes, so it never outlives the test binary.
const startScript = `
const server = require(process.argv[1])({createTableMs: 0, deleteTableMs: 0, updateTableMs: 0});
server.listen(0, "127.0.0.1", () => console.log("port " + server.address().port));
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
`

// repoRoot is the directory of go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the test's directory")
		}
		dir = parent
	}
}

func startDynalite() {
	root, err := repoRoot()
	if err != nil {
		server.err = err
		return
	}
	modules := filepath.Join(root, "node_modules")
	if _, err := os.Stat(filepath.Join(modules, ".bin", "dynalite")); err != nil {
		server.skip = "dynalite is not installed (node_modules/.bin/dynalite): run `npm ci` in " + root
		return
	}
	node := filepath.Join(modules, ".bin", "node") // Node.js 22, pinned in package.json
	if _, err := os.Stat(node); err != nil {
		if node, err = exec.LookPath("node"); err != nil {
			server.skip = "no node to run dynalite: run `npm ci` in " + root
			return
		}
	}
	cmd := exec.Command(node, "-e", startScript, filepath.Join(modules, "dynalite"))
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		server.err = err
		return
	}
	if server.process, err = localserver.Start(cmd); err != nil {
		server.err = fmt.Errorf("dynalite: %w", err)
		return
	}
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if p, ok := strings.CutPrefix(sc.Text(), "port "); ok {
				port <- p
				break
			}
		}
		io.Copy(io.Discard, stdout)
	}()
	select {
	case p := <-port:
		server.endpoint = "http://127.0.0.1:" + p
	case <-time.After(30 * time.Second):
		server.err = errors.New("dynalite did not start within 30s")
	}
}

func stopDynalite() { server.process.Stop() }

// dynalite returns the server's endpoint, starting it on first use.
func dynalite(t *testing.T) string {
	t.Helper()
	server.once.Do(startDynalite)
	if server.skip != "" {
		if os.Getenv("CI") != "" {
			t.Fatal(server.skip + " (CI must run these tests)")
		}
		t.Skip(server.skip)
	}
	if server.err != nil {
		t.Fatal(server.err)
	}
	return server.endpoint
}

// awsEnv points the AWS SDK's standard chain at endpoint with dummy
// credentials, and away from the machine's own AWS configuration.
func awsEnv(t *testing.T, endpoint string) {
	t.Helper()
	dir := t.TempDir()
	for k, v := range map[string]string{
		"AWS_ENDPOINT_URL":            endpoint,
		"AWS_ENDPOINT_URL_DYNAMODB":   endpoint,
		"AWS_REGION":                  "us-east-1",
		"AWS_ACCESS_KEY_ID":           "test",
		"AWS_SECRET_ACCESS_KEY":       "test",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
		"AWS_CONFIG_FILE":             filepath.Join(dir, "config"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true",
	} {
		t.Setenv(k, v)
	}
}

// forum runs the command in-process.
func forum(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return out.String(), errb.String(), code
}

var tableSeq int

// newTable creates a table keyed like Forum, named after the test.
func newTable(t *testing.T) string {
	t.Helper()
	tableSeq++
	name := regexp.MustCompile(`[^A-Za-z0-9_.-]`).ReplaceAllString(t.Name(), "-")
	name = fmt.Sprintf("%.200s-%d", name, tableSeq)
	if out, errs, code := forum(t, "create-table", "--table", name); code != 0 {
		t.Fatalf("create-table %s: exit %d\n%s%s", name, code, out, errs)
	}
	return name
}

// scanTable returns every item of a table as decoded typed JSON, by Name.
func scanTable(t *testing.T, table string) map[string]map[string]any {
	t.Helper()
	out, errs, code := forum(t, "scan", "--table", table)
	if code != 0 {
		t.Fatalf("scan %s: exit %d: %s", table, code, errs)
	}
	items := map[string]map[string]any{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var item map[string]any
		if err := json.Unmarshal([]byte(line), &item); err != nil {
			t.Fatalf("scan printed %q: %v", line, err)
		}
		name := item["Name"].(map[string]any)["S"].(string)
		items[name] = item
	}
	return items
}

// normal makes an item's typed JSON comparable: numbers in one canonical
// form and sets sorted, as a server may return either differently from the
// file.
func normal(item map[string]any) map[string]any {
	out := make(map[string]any, len(item))
	for name, v := range item {
		out[name] = normalValue(v.(map[string]any))
	}
	return out
}

func normalValue(tv map[string]any) map[string]any {
	out := make(map[string]any, 1)
	for typ, v := range tv {
		switch typ {
		case "N":
			out[typ] = canon(v.(string))
		case "SS", "NS", "BS":
			var s []string
			for _, e := range v.([]any) {
				if typ == "NS" {
					s = append(s, canon(e.(string)))
				} else {
					s = append(s, e.(string))
				}
			}
			sort.Strings(s)
			out[typ] = s
		case "L":
			l := make([]any, 0)
			for _, e := range v.([]any) {
				l = append(l, normalValue(e.(map[string]any)))
			}
			out[typ] = l
		case "M":
			out[typ] = normal(v.(map[string]any))
		default:
			out[typ] = v
		}
	}
	return out
}

func canon(s string) string {
	n, err := parseNumber(s)
	if err != nil {
		return "bad number " + s
	}
	return n.canonical()
}

// fileItems returns a file's items as decoded typed JSON, by Name, the way
// scanTable does.
func fileItems(t *testing.T, data []byte) map[string]map[string]any {
	t.Helper()
	f, err := ParseFile(data)
	if err != nil {
		t.Fatal(err)
	}
	items := map[string]map[string]any{}
	for _, it := range f.Items {
		b, err := json.Marshal(itemJSON(it.Attrs))
		if err != nil {
			t.Fatal(err)
		}
		var item map[string]any
		if err := json.Unmarshal(b, &item); err != nil {
			t.Fatal(err)
		}
		items[it.Name] = item
	}
	return items
}

// sameItems fails the test unless the table holds exactly the file's items.
func sameItems(t *testing.T, table string, data []byte) {
	t.Helper()
	want, got := fileItems(t, data), scanTable(t, table)
	if len(got) != len(want) {
		t.Errorf("table %s holds %d items, the file %d", table, len(got), len(want))
	}
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("item %q is not in the table", name)
			continue
		}
		gj, _ := json.Marshal(normal(g))
		wj, _ := json.Marshal(normal(w))
		if !bytes.Equal(gj, wj) {
			t.Errorf("item %q differs:\n got %s\nwant %s", name, gj, wj)
		}
	}
}

// fault is what the proxy does with one BatchWriteItem call.
type fault struct {
	status int    // an error response with this status...
	code   string // ...and this error type
	keep   int    // else forward the first keep requests, return the rest unprocessed (-1: forward all)
}

var (
	pass = fault{keep: -1}
)

func throttle(code string) fault { return fault{status: 400, code: code} }
func partial(keep int) fault     { return fault{keep: keep} }

// faultProxy stands between the command and dynalite and answers
// BatchWriteItem calls from a script: throttling and server errors, or
// UnprocessedItems for all but the first few requests of a batch, which it
// forwards. After the script (or for every call, with always set) it
// forwards unchanged. Every other call is forwarded.
type faultProxy struct {
	*httptest.Server
	mu     sync.Mutex
	script []fault
	always *fault
	calls  []int // requests in each BatchWriteItem call received
}

func newFaultProxy(t *testing.T, upstream string, script ...fault) *faultProxy {
	p := &faultProxy{script: script}
	p.Server = httptest.NewServer(http.HandlerFunc(p.serve(t, upstream)))
	t.Cleanup(p.Close)
	return p
}

func (p *faultProxy) next(n int) fault {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.calls = append(p.calls, n)
	if p.always != nil {
		return *p.always
	}
	if len(p.script) == 0 {
		return pass
	}
	f := p.script[0]
	p.script = p.script[1:]
	return f
}

func (p *faultProxy) callCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.calls)
}

func (p *faultProxy) serve(t *testing.T, upstream string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		f := pass
		var req struct {
			RequestItems map[string][]json.RawMessage
		}
		var rest map[string][]json.RawMessage
		if strings.HasSuffix(r.Header.Get("X-Amz-Target"), ".BatchWriteItem") {
			if err := json.Unmarshal(body, &req); err != nil {
				t.Errorf("proxy: %v", err)
			}
			n := 0
			for _, reqs := range req.RequestItems {
				n += len(reqs)
			}
			f = p.next(n)
		}
		if f.status != 0 {
			respond(w, f.status, map[string]string{
				"__type":  "com.amazonaws.dynamodb.v20120810#" + f.code,
				"message": "injected by the test's fault proxy",
			})
			return
		}
		if f.keep >= 0 {
			rest = map[string][]json.RawMessage{}
			for table, reqs := range req.RequestItems {
				k := min(f.keep, len(reqs))
				req.RequestItems[table], rest[table] = reqs[:k], reqs[k:]
				if k == 0 {
					delete(req.RequestItems, table)
				}
			}
			if len(req.RequestItems) == 0 { // nothing to forward
				respond(w, 200, map[string]any{"UnprocessedItems": rest})
				return
			}
			body, _ = json.Marshal(req)
		}
		up, err := http.NewRequest(r.Method, upstream+r.URL.Path, bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		for k, v := range r.Header {
			up.Header[k] = v
		}
		up.ContentLength = int64(len(body))
		resp, err := http.DefaultClient.Do(up)
		if err != nil {
			http.Error(w, err.Error(), 502)
			return
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		if rest != nil && resp.StatusCode == 200 {
			var m map[string]any
			if err := json.Unmarshal(out, &m); err != nil {
				t.Errorf("proxy: dynalite answered %s: %v", out, err)
			}
			m["UnprocessedItems"] = rest
			respond(w, 200, m)
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(out)
	}
}

// respond writes a DynamoDB JSON response with the CRC32 the SDK checks.
func respond(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amz-Crc32", fmt.Sprint(crc32.ChecksumIEEE(b)))
	w.WriteHeader(status)
	w.Write(b)
}
