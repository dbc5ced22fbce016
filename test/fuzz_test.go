package test

import (
	"strings"
	"testing"

	"github.com/project-1/project-1/internal/stacks"
)

// FuzzValidateAll feeds arbitrary values into every kind of field of the
// environments and checks that validation never panics, that every problem
// line names its environment, and that what it accepts is in range. Seeds run
// with `go test`; fuzz with
//
//	go test ./test -run '^$' -fuzz FuzzValidateAll -fuzztime 3m
func FuzzValidateAll(f *testing.F) {
	f.Add("project-1", "10.0.0.0/16", "10.0.1.0/24", "us-east-1", "us-east-1a", "", "", 2, 2, 4, 365, 7, 20)
	f.Add("dev", "10.1.0.0/33", "10.1.1.7/24", "eu-west-1", "us-east-1b", "12345", "arn:aws:acm:x", 0, 0, 0, 42, 3, 5)
	f.Add("", "::/0", "", "", "", "abcdefghijkl", "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012", -1, -5, 99, 0, 40, 70000)
	f.Fuzz(func(t *testing.T, name, vpcCidr, subnetCidr, region, zone, account, cert string,
		nats, instances, maxInstances, flowDays, backupDays, storage int) {
		envs := environments()
		e := &envs[1]
		e.Name, e.Network.Cidr, e.Network.Subnets[2].Cidr = name, vpcCidr, subnetCidr
		e.Region, e.Network.Subnets[3].AvailabilityZone = region, zone
		e.Account, e.Web.CertificateArn = account, cert
		e.Network.NatGateways, e.Web.Instances, e.Web.MaxInstances = nats, instances, maxInstances
		e.Network.FlowLogRetentionDays, e.Data.DatabaseBackupDays, e.Data.DatabaseStorageGiB = flowDays, backupDays, storage

		err := stacks.ValidateAll(envs)
		if err == nil {
			if nats < 1 || nats > 2 || instances < 1 || maxInstances <= instances || backupDays < 7 || storage < 20 {
				t.Fatalf("accepted an out-of-range value: nats %d instances %d/%d backups %d storage %d", nats, instances, maxInstances, backupDays, storage)
			}
			return
		}
		for _, line := range strings.Split(err.Error(), "\n") {
			if !strings.HasPrefix(line, `environment "`) {
				t.Fatalf("a problem does not name its environment: %q", line)
			}
		}
	})
}
