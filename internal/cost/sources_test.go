package cost_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/cost"
)

// TestInstancePricesMatchSources compares every EC2 instance type's and DB
// instance class's price in the table with the file it cites. The files come
// from the Go module proxy and are large, so the test runs only where
// PRICE_SOURCES names a directory holding them; internal/cost/price-sources.sh
// fetches them and runs it (docs/cost.md, Check the instance prices).
func TestInstancePricesMatchSources(t *testing.T) {
	dir := os.Getenv("PRICE_SOURCES")
	if dir == "" {
		t.Skip("PRICE_SOURCES is not set: run internal/cost/price-sources.sh to fetch the cited price files and compare")
	}
	karpenter := readKarpenter(t, filepath.Join(dir, "zz_generated.pricing_aws.go"))
	// Both files: per type, per region, per operating system or engine.
	type priced []struct {
		Type    string                                `json:"instance_type"`
		Pricing map[string]map[string]json.RawMessage `json:"pricing"`
	}
	var ec2, rds priced
	readJSON(t, filepath.Join(dir, "instances.json"), &ec2)
	readJSON(t, filepath.Join(dir, "rds-instances.json"), &rds)
	info := map[string]float64{} // region/key -> price
	for _, i := range ec2 {
		for region, p := range i.Pricing {
			var linux struct{ OnDemand string }
			if json.Unmarshal(p["linux"], &linux) == nil && linux.OnDemand != "" {
				if f, err := strconv.ParseFloat(linux.OnDemand, 64); err == nil {
					info[region+"/"+cost.EC2Prefix+i.Type] = f
				}
			}
		}
	}
	for _, i := range rds {
		for region, p := range i.Pricing {
			var mysql struct{ OnDemand *float64 }
			if json.Unmarshal(p["MySQL"], &mysql) == nil && mysql.OnDemand != nil {
				info[region+"/"+cost.RDSMySQLPrefix+i.Type] = *mysql.OnDemand
			}
		}
	}
	checked := 0
	for region, prices := range cost.Prices {
		for key, p := range prices {
			if !strings.HasPrefix(key, cost.EC2Prefix) && !strings.HasPrefix(key, cost.RDSMySQLPrefix) {
				continue
			}
			checked++
			switch {
			case strings.Contains(p.Source, "karpenter-provider-aws"):
				if region != "us-east-1" {
					t.Errorf("%s %s: Karpenter's table is us-east-1's only", region, key)
				}
				if got, ok := karpenter[strings.TrimPrefix(key, cost.EC2Prefix)]; !ok || got != p.USD {
					t.Errorf("%s %s: the table says %v, Karpenter's file %v (found %v)", region, key, p.USD, got, ok)
				}
				// The Note says ec2instances.info agrees.
				if got := info[region+"/"+key]; got != p.USD {
					t.Errorf("%s %s: ec2instances.info says %v, not %v as the Note claims", region, key, got, p.USD)
				}
			case strings.Contains(p.Source, "ec2-instances-info"):
				if got, ok := info[region+"/"+key]; !ok || got != p.USD {
					t.Errorf("%s %s: the table says %v, ec2instances.info %v (found %v)", region, key, p.USD, got, ok)
				}
			default:
				t.Errorf("%s %s: cites %s, which this test cannot read", region, key, p.Source)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no instance price in the table to check")
	}
	t.Logf("%d instance prices checked against their sources", checked)
}

// readKarpenter reads the us-east-1 map of Karpenter's generated file:
// `"c7g.medium": 0.036300,` pairs after the `"us-east-1": {` line.
func readKarpenter(t *testing.T, path string) map[string]float64 {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := string(raw)
	if !strings.Contains(src, "// generated at 2026-07-20T") {
		t.Fatalf("%s: not the file generated on 2026-07-20 that the table cites", path)
	}
	i := strings.Index(src, `"us-east-1": {`)
	if i < 0 {
		t.Fatalf("%s: no us-east-1 map", path)
	}
	out := map[string]float64{}
	for _, m := range regexp.MustCompile(`"([a-z0-9-]+\.[a-z0-9-]+)": ([0-9.]+)`).FindAllStringSubmatch(src[i:], -1) {
		f, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			t.Fatal(err)
		}
		out[m[1]] = f
	}
	return out
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
