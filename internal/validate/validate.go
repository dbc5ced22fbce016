// Package validate holds the checks of values that both the constructs' props
// and the environments' configuration take: instance types, table names,
// certificate ARNs, availability zones. Each returns nil or an error that says
// what is wrong with the value; the caller adds the field's name.
package validate

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

var (
	// family: a letter, then letters, digits and '-', with a digit (t3, m7g, u-6tb1);
	// size: nano ... 48xlarge, metal, metal-24xl.
	instanceType = regexp.MustCompile(`^[a-z][a-z0-9-]*[0-9][a-z0-9-]*\.(nano|micro|small|medium|large|[0-9]*xlarge|metal(-[0-9]+xl)?)$`)
	tableName    = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)
	certificate  = regexp.MustCompile(`^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{36}$`)
	imageId      = regexp.MustCompile(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

// InstanceType checks an EC2 (or RDS, without "db.") instance type like t3.micro.
func InstanceType(s string) error {
	if strings.HasPrefix(s, "db.") {
		return fmt.Errorf("%q: give the instance type without the \"db.\" prefix, e.g. %q", s, strings.TrimPrefix(s, "db."))
	}
	if !instanceType.MatchString(s) {
		return fmt.Errorf("%q is not an instance type like t3.micro", s)
	}
	return nil
}

// Interchangeable checks that alternate is an instance type that can stand in
// for primary in one Auto Scaling group: a different type of the same size,
// on the same processor architecture (Graviton families carry a "g" after
// their generation, like t4g or m7g), so one AMI and one capacity plan fit both.
func Interchangeable(alternate, primary string) error {
	if err := InstanceType(alternate); err != nil {
		return err
	}
	if InstanceType(primary) != nil {
		return nil // the primary's own check reports it
	}
	af, asize, _ := strings.Cut(alternate, ".")
	pf, psize, _ := strings.Cut(primary, ".")
	switch {
	case alternate == primary:
		return fmt.Errorf("%q is the primary type itself; give another type of the same size", alternate)
	case asize != psize:
		return fmt.Errorf("%q is not the size of %q (%s); interchangeable types have the same size", alternate, primary, psize)
	case arm64(af) != arm64(pf):
		return fmt.Errorf("%q and %q run on different processor architectures; one AMI serves only one", alternate, primary)
	}
	return nil
}

// familySuffix is what follows an instance family's generation: "g" of t4g,
// "gd" of m7gd, "a" of t3a.
var familySuffix = regexp.MustCompile(`^[a-z]+[0-9]+([a-z-]*)$`)

// Arm64 tells whether an instance type (t4g.micro, c7gn.large, a1.medium) runs
// on an Arm (Graviton) processor, so it needs an arm64 AMI. It reads the name
// as aws-cdk-lib's InstanceType.architecture does: the a1 family, or a "g"
// after the generation. Check the type with InstanceType first.
func Arm64(instanceType string) bool {
	family, _, _ := strings.Cut(instanceType, ".")
	return arm64(family)
}

func arm64(family string) bool {
	if family == "a1" {
		return true
	}
	m := familySuffix.FindStringSubmatch(family)
	return m != nil && strings.Contains(m[1], "g")
}

// TableName checks a DynamoDB table name.
func TableName(s string) error {
	if !tableName.MatchString(s) {
		return fmt.Errorf("%q: DynamoDB takes 3 to 255 letters, digits, '_', '-' and '.'", s)
	}
	return nil
}

// RetentionDays are the log retentions CloudWatch Logs accepts, in days.
var RetentionDays = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// Retention checks a log retention in days against RetentionDays.
func Retention(days int) error {
	if !slices.Contains(RetentionDays, days) {
		return fmt.Errorf("%d days is not a retention CloudWatch Logs accepts %v", days, RetentionDays)
	}
	return nil
}

// Days checks a lifetime in days (an expiry, a retention that is not CloudWatch
// Logs'): 1 or more.
func Days(days int) error {
	if days < 1 {
		return fmt.Errorf("%d: must be 1 or more", days)
	}
	return nil
}

// ImageId checks an EC2 image (AMI) id: "ami-" and 8 or 17 hexadecimal digits.
func ImageId(s string) error {
	if !imageId.MatchString(s) {
		return fmt.Errorf("%q is not an image id like ami-0123456789abcdef0", s)
	}
	return nil
}

// CertificateArn checks an ACM certificate ARN and, when region is not empty,
// that the certificate is in it (a load balancer takes only its own region's).
func CertificateArn(s, region string) error {
	if !certificate.MatchString(s) {
		return fmt.Errorf("%q is not an ACM certificate ARN", s)
	}
	if in := strings.Split(s, ":")[3]; region != "" && in != region {
		return fmt.Errorf("%q is in %s; a load balancer needs a certificate of its own region %s", s, in, region)
	}
	return nil
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)

// Region checks an AWS region name like us-east-1.
func Region(s string) error {
	if !regionPattern.MatchString(s) {
		return fmt.Errorf("%q is not an AWS region name like us-east-1", s)
	}
	return nil
}

// Zone checks that zone is an availability zone of region (us-east-1a of us-east-1).
func Zone(zone, region string) error {
	suffix, ok := strings.CutPrefix(zone, region)
	if !ok || len(suffix) != 1 || suffix[0] < 'a' || suffix[0] > 'z' {
		return fmt.Errorf("%q is not a zone of region %s (%sa, %sb, ...)", zone, region, region, region)
	}
	return nil
}

// Props is the panic of a construct whose props failed validation: the
// convention of every construct in this module, as aws-cdk-lib's constructs
// throw. constructor is e.g. "web.NewWeb"; err holds one problem per line.
func Props(constructor, id string, err error) {
	if err != nil {
		panic(fmt.Sprintf("%s %q: invalid props:\n%v", constructor, id, err))
	}
}

// Problems collects one line per problem.
type Problems []error

// Add records a problem, formatted as fmt.Errorf does.
func (p *Problems) Add(format string, args ...any) { *p = append(*p, fmt.Errorf(format, args...)) }

// AddAll records each line of err (as ValidateAs and Err return them) as a
// problem of its own. A nil err adds nothing.
func (p *Problems) AddAll(err error) {
	if err == nil {
		return
	}
	for line := range strings.SplitSeq(err.Error(), "\n") {
		*p = append(*p, errors.New(line))
	}
}

// Err is every problem, one per line, or nil when there is none.
func (p Problems) Err() error { return errors.Join(p...) }

// Prefixed is Err with prefix before every line (`environment "dev": `).
func (p Problems) Prefixed(prefix string) error {
	out := make([]error, len(p))
	for i, problem := range p {
		out[i] = fmt.Errorf("%s%w", prefix, problem)
	}
	return errors.Join(out...)
}
