package validate

import (
	"errors"
	"testing"
)

func TestInstanceType(t *testing.T) {
	for s, ok := range map[string]bool{
		"t3.micro": true, "m7g.2xlarge": true, "r6gd.xlarge": true, "c7gn.metal": true, "u-6tb1.metal": true,
		"m7i.metal-24xl": true, "": false, "t3": false, "micro": false, "t3.Micro": false, "db.t3.micro": false,
		"t3.huge": false, "t.micro": false, "t3.micro ": false,
	} {
		if got := InstanceType(s) == nil; got != ok {
			t.Errorf("InstanceType(%q) ok %v, want %v", s, got, ok)
		}
	}
}

func TestZone(t *testing.T) {
	for _, tc := range []struct {
		zone, region string
		ok           bool
	}{
		{"us-east-1a", "us-east-1", true},
		{"eu-west-1b", "us-east-1", false},
		{"us-east-1", "us-east-1", false},
		{"us-east-1az", "us-east-1", false},
		{"us-east-12a", "us-east-1", false},
	} {
		if got := Zone(tc.zone, tc.region) == nil; got != tc.ok {
			t.Errorf("Zone(%q, %q) ok %v, want %v", tc.zone, tc.region, got, tc.ok)
		}
	}
}

func TestCertificateArn(t *testing.T) {
	arn := "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
	if err := CertificateArn(arn, "us-east-1"); err != nil {
		t.Error(err)
	}
	if err := CertificateArn(arn, "eu-west-1"); err == nil {
		t.Error("a certificate of another region passed")
	}
	if err := CertificateArn("arn:aws:iam::123456789012:role/x", ""); err == nil {
		t.Error("a role ARN passed")
	}
}

func TestTableName(t *testing.T) {
	for s, ok := range map[string]bool{"Forum": true, "Forum-dev": true, "": false, "ab": false, "with space": false} {
		if got := TableName(s) == nil; got != ok {
			t.Errorf("TableName(%q) ok %v, want %v", s, got, ok)
		}
	}
}

func TestInterchangeable(t *testing.T) {
	for _, tc := range []struct {
		alternate, primary string
		ok                 bool
	}{
		{"t3a.micro", "t3.micro", true},
		{"m6i.large", "m5.large", true},
		{"m7g.large", "t4g.large", true},
		{"t3.micro", "t3.micro", false},
		{"t3a.small", "t3.micro", false},
		{"t4g.micro", "t3.micro", false},
		{"t3.micro", "m7gd.micro", false},
		{"g5.xlarge", "g4dn.xlarge", true},
		{"nonsense", "t3.micro", false},
		{"a1.medium", "m6g.medium", true},
		{"a1.medium", "m5.medium", false},
	} {
		if err := Interchangeable(tc.alternate, tc.primary); (err == nil) != tc.ok {
			t.Errorf("Interchangeable(%q, %q) = %v, want ok %v", tc.alternate, tc.primary, err, tc.ok)
		}
	}
}

func TestArm64(t *testing.T) {
	for s, want := range map[string]bool{
		"t3.micro": false, "t3a.micro": false, "m7i-flex.large": false, "g4dn.xlarge": false,
		"u-6tb1.metal": false, "c7a.medium": false, "m5zn.large": false,
		"t4g.micro": true, "c7g.medium": true, "m7gd.large": true, "c6gn.medium": true,
		"is4gen.large": true, "im4gn.large": true, "a1.medium": true, "x2gd.large": true,
	} {
		if got := Arm64(s); got != want {
			t.Errorf("Arm64(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestImageId(t *testing.T) {
	for s, ok := range map[string]bool{"ami-0123456789abcdef0": true, "ami-12345678": true, "": false, "ami-": false,
		"ami-0123456789ABCDEF0": false, "ami-0123456789abcdef": false, "i-0123456789abcdef0": false, " ami-12345678": false} {
		if got := ImageId(s) == nil; got != ok {
			t.Errorf("ImageId(%q) ok %v, want %v", s, got, ok)
		}
	}
}

func TestProblems(t *testing.T) {
	var p Problems
	p.Add("A %d", 1)
	p.AddAll(nil)
	p.AddAll(errors.Join(errors.New("Web.B 2"), errors.New("Web.C 3")))
	if got, want := p.Prefixed(`environment "dev": `).Error(), "environment \"dev\": A 1\nenvironment \"dev\": Web.B 2\nenvironment \"dev\": Web.C 3"; got != want {
		t.Errorf("Prefixed:\n%s\nwant\n%s", got, want)
	}
	if (Problems{}).Err() != nil || (Problems{}).Prefixed("x") != nil {
		t.Error("no problems, yet an error")
	}
	if Days(0) == nil || Days(1) != nil {
		t.Errorf("Days: 0 gives %v, 1 gives %v", Days(0), Days(1))
	}
}
