// Package fakeaws is a local server that answers the CloudFormation, EC2 and
// RDS calls cmd/verify makes, for its tests: the stacks of one stage of an
// assembly, deployed with made-up physical ids, and Reachability Analyzer
// analyses answered with the recorded responses in responses/ (written from
// the EC2 API reference's DescribeNetworkInsightsAnalyses response shape:
// a path found; blocked by a security group, by a network ACL entry, by a
// missing route). It keeps what the client created, so a test can check
// that a run deletes it.
package fakeaws

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"github.com/project-1/project-1/netcheck"
)

// The recorded analyses, by name.
const (
	Reachable     = "reachable"
	SecurityGroup = "blocked-security-group"
	NACL          = "blocked-nacl"
	Route         = "blocked-route"
)

//go:embed responses/*.xml
var responses embed.FS

var recorded = template.Must(template.ParseFS(responses, "responses/*.xml"))

// Resource is one deployed resource of a stack.
type Resource struct {
	LogicalID, Type, Physical string
}

// Drifted is a resource drift detection reports.
type Drifted struct {
	LogicalID, Type, Status string // MODIFIED or DELETED
	Property                string
}

// Server is the fake account.
type Server struct {
	URL    string
	Region string
	// Answer names the recorded response for an analysis between two
	// endpoints on a port. It is set by New to the spec's expected table:
	// reachable for an allowed flow; for a blocked one, a missing route from
	// the internet into the private subnets, the ACL for the NAT gateways,
	// the destination's security group otherwise.
	Answer func(from, to netcheck.Endpoint, port int) string
	// Deny makes an action (such as "CreateNetworkInsightsPath") fail as
	// an access-denied error.
	Deny map[string]bool
	// Drift is what drift detection reports, by stack name.
	Drift map[string][]Drifted
	// Started is called after each StartNetworkInsightsAnalysis.
	Started func(n int)

	srv      *httptest.Server
	mu       sync.Mutex
	stacks   map[string][]Resource
	endpoint map[string]netcheck.Endpoint // node id -> endpoint
	groups   map[netcheck.Endpoint]string // the security group of each endpoint
	acl, rtb map[string]string            // "public"/"private" -> id
	subnet   map[string]string
	paths    map[string]*path
	analyses map[string]*analysis
	seq      int
	started  int
	asgZones []string
}

type path struct {
	source, destination string
	port                int
	tag                 string // the value of the project-1:verify tag
}

type analysis struct {
	path  string
	polls int
}

// New deploys the stage's stacks and starts the server; Close stops it.
func New(stacks []netcheck.StackArtifact, stage, region string, expect []netcheck.Expectation) *Server {
	s := &Server{Region: region, stacks: map[string][]Resource{}, endpoint: map[string]netcheck.Endpoint{},
		groups: map[netcheck.Endpoint]string{}, acl: map[string]string{}, rtb: map[string]string{}, subnet: map[string]string{},
		paths: map[string]*path{}, analyses: map[string]*analysis{}, Deny: map[string]bool{}, Drift: map[string][]Drifted{},
		asgZones: []string{region + "a", region + "b"}}
	for _, st := range stacks {
		if st.Stage != stage {
			continue
		}
		ids := make([]string, 0)
		res := netcheck.Resources(st.Template)
		for id := range res {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			typ, _ := res[id]["Type"].(string)
			s.stacks[st.Name] = append(s.stacks[st.Name], Resource{LogicalID: id, Type: typ, Physical: s.physical(st.Name, id, typ)})
		}
	}
	want := map[string]bool{}
	for _, x := range expect {
		want[fmt.Sprintf("%s %s %d", x.From, x.To, x.Port)] = x.Allowed
	}
	s.Answer = func(from, to netcheck.Endpoint, port int) string {
		switch {
		case want[fmt.Sprintf("%s %s %d", from, to, port)]:
			return Reachable
		case from == netcheck.Internet && (to == netcheck.Web || to == netcheck.RDS):
			return Route
		case to == netcheck.NAT:
			return NACL
		default:
			return SecurityGroup
		}
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Live is how many paths and analyses exist: created and not deleted.
func (s *Server) Live() (paths, analyses int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.paths), len(s.analyses)
}

// Physical is the deployed id of a stack's resource.
func (s *Server) Physical(stack, logicalID string) string {
	for _, r := range s.stacks[stack] {
		if r.LogicalID == logicalID {
			return r.Physical
		}
	}
	return ""
}

func (s *Server) physical(stack, id, typ string) string {
	sum := sha256.Sum256([]byte(stack + "/" + id))
	h := hex.EncodeToString(sum[:])[:17]
	lower := strings.ToLower(id)
	switch typ {
	case "AWS::EC2::InternetGateway":
		s.endpoint["igw-"+h] = netcheck.Internet
		return "igw-" + h
	case "AWS::EC2::SecurityGroup":
		for _, e := range []netcheck.Endpoint{netcheck.ALB, netcheck.Web, netcheck.RDS} {
			if strings.Contains(lower, map[netcheck.Endpoint]string{netcheck.ALB: "alb", netcheck.Web: "web", netcheck.RDS: "database"}[e]) {
				s.groups[e] = "sg-" + h
			}
		}
		return "sg-" + h
	case "AWS::EC2::NetworkAcl", "AWS::EC2::RouteTable", "AWS::EC2::Subnet":
		prefix := map[string]string{"AWS::EC2::NetworkAcl": "acl-", "AWS::EC2::RouteTable": "rtb-", "AWS::EC2::Subnet": "subnet-"}[typ]
		into := map[string]map[string]string{"acl-": s.acl, "rtb-": s.rtb, "subnet-": s.subnet}[prefix]
		tier := "public"
		if strings.Contains(lower, "private") {
			tier = "private"
		}
		if into[tier] == "" {
			into[tier] = prefix + h
		}
		return prefix + h
	case "AWS::EC2::NatGateway":
		return "nat-" + h
	case "AWS::EC2::VPC":
		return "vpc-" + h
	case "AWS::ElasticLoadBalancingV2::LoadBalancer":
		return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:111111111111:loadbalancer/app/%s/%s", s.Region, stack[:min(len(stack), 20)], h[:16])
	case "AWS::RDS::DBInstance":
		return strings.ToLower(stack) + "-db-" + h[:8]
	default:
		return stack + "-" + id + "-" + h[:8]
	}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	action := r.Form.Get("Action")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Deny[action] {
		s.deny(w, action)
		return
	}
	body, err := s.answer(action, r)
	if err != nil {
		w.WriteHeader(400)
		fmt.Fprintf(w, `<Response><Errors><Error><Code>InvalidParameterValue</Code><Message>%s</Message></Error></Errors><RequestID>fake</RequestID></Response>`, err)
		return
	}
	w.Header().Set("Content-Type", "text/xml")
	fmt.Fprint(w, body)
}

// deny answers as each service refuses a call it is not permitted to make.
func (s *Server) deny(w http.ResponseWriter, action string) {
	w.WriteHeader(403)
	if cfnActions[action] || action == "DescribeDBInstances" {
		fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:sts::111111111111:assumed-role/verify/x is not authorized to perform: %s</Message></Error><RequestId>fake</RequestId></ErrorResponse>`, action)
		return
	}
	fmt.Fprintf(w, `<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. User: arn:aws:sts::111111111111:assumed-role/verify/x is not authorized to perform: ec2:%s</Message></Error></Errors><RequestID>fake</RequestID></Response>`, action)
}

var cfnActions = map[string]bool{"DescribeStackResources": true, "DetectStackDrift": true, "DescribeStackDriftDetectionStatus": true, "DescribeStackResourceDrifts": true}

func (s *Server) next(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s-%017x", prefix, s.seq)
}

func (s *Server) answer(action string, r *http.Request) (string, error) {
	f := r.Form
	switch action {
	case "DescribeStackResources":
		return s.stackResources(f.Get("StackName"))
	case "DetectStackDrift":
		return cfn(action, "<StackDriftDetectionId>drift-"+f.Get("StackName")+"</StackDriftDetectionId>"), nil
	case "DescribeStackDriftDetectionStatus":
		stack := strings.TrimPrefix(f.Get("StackDriftDetectionId"), "drift-")
		status := "IN_SYNC"
		if len(s.Drift[stack]) > 0 {
			status = "DRIFTED"
		}
		return cfn(action, fmt.Sprintf("<StackId>arn:aws:cloudformation:%s:111111111111:stack/%s/1</StackId><StackDriftDetectionId>drift-%s</StackDriftDetectionId><StackDriftStatus>%s</StackDriftStatus><DetectionStatus>DETECTION_COMPLETE</DetectionStatus><Timestamp>2026-12-07T10:00:00Z</Timestamp>",
			s.Region, stack, stack, status)), nil
	case "DescribeStackResourceDrifts":
		var b strings.Builder
		for _, d := range s.Drift[f.Get("StackName")] {
			fmt.Fprintf(&b, "<member><StackId>x</StackId><LogicalResourceId>%s</LogicalResourceId><ResourceType>%s</ResourceType><StackResourceDriftStatus>%s</StackResourceDriftStatus><Timestamp>2026-12-07T10:00:00Z</Timestamp><PropertyDifferences><member><PropertyPath>%s</PropertyPath><ExpectedValue>a</ExpectedValue><ActualValue>b</ActualValue><DifferenceType>NOT_EQUAL</DifferenceType></member></PropertyDifferences></member>",
				d.LogicalID, d.Type, d.Status, d.Property)
		}
		return cfn(action, "<StackResourceDrifts>"+b.String()+"</StackResourceDrifts>"), nil
	case "DescribeDBInstances":
		return s.dbInstances(f.Get("DBInstanceIdentifier"))
	case "DescribeInstances":
		return s.instances(f)
	case "DescribeNetworkInterfaces":
		return s.interfaces(f)
	case "DescribeNatGateways":
		id := f.Get("NatGatewayId.1")
		eni := "eni-" + strings.TrimPrefix(id, "nat-")
		s.endpoint[eni] = netcheck.NAT
		return ec2(action, fmt.Sprintf("<natGatewaySet><item><natGatewayId>%s</natGatewayId><state>available</state><natGatewayAddressSet><item><networkInterfaceId>%s</networkInterfaceId></item></natGatewayAddressSet></item></natGatewaySet>", id, eni)), nil
	case "CreateNetworkInsightsPath":
		return s.createPath(f)
	case "StartNetworkInsightsAnalysis":
		p := f.Get("NetworkInsightsPathId")
		if s.paths[p] == nil {
			return "", fmt.Errorf("no path %s", p)
		}
		id := s.next("nia")
		s.analyses[id] = &analysis{path: p}
		s.started++
		if s.Started != nil {
			defer s.Started(s.started)
		}
		return ec2(action, fmt.Sprintf("<networkInsightsAnalysis><networkInsightsAnalysisId>%s</networkInsightsAnalysisId><networkInsightsPathId>%s</networkInsightsPathId><status>running</status></networkInsightsAnalysis>", id, p)), nil
	case "DescribeNetworkInsightsAnalyses":
		if p := f.Get("NetworkInsightsPathId"); p != "" {
			var b strings.Builder
			for id, a := range s.analyses {
				if a.path == p {
					fmt.Fprintf(&b, "<item><networkInsightsAnalysisId>%s</networkInsightsAnalysisId><networkInsightsPathId>%s</networkInsightsPathId><status>running</status></item>", id, p)
				}
			}
			return ec2(action, "<networkInsightsAnalysisSet>"+b.String()+"</networkInsightsAnalysisSet>"), nil
		}
		return s.describeAnalyses(f)
	case "DescribeNetworkInsightsPaths":
		tag := filters(f)["tag:project-1:verify"]
		var b strings.Builder
		for id, p := range s.paths {
			if tag != "" && p.tag == tag {
				fmt.Fprintf(&b, "<item><networkInsightsPathId>%s</networkInsightsPathId></item>", id)
			}
		}
		return ec2(action, "<networkInsightsPathSet>"+b.String()+"</networkInsightsPathSet>"), nil
	case "DeleteNetworkInsightsAnalysis":
		id := f.Get("NetworkInsightsAnalysisId")
		delete(s.analyses, id)
		return ec2(action, "<networkInsightsAnalysisId>"+id+"</networkInsightsAnalysisId>"), nil
	case "DeleteNetworkInsightsPath":
		id := f.Get("NetworkInsightsPathId")
		for _, a := range s.analyses {
			if a.path == id {
				return "", fmt.Errorf("path %s has analyses", id)
			}
		}
		delete(s.paths, id)
		return ec2(action, "<networkInsightsPathId>"+id+"</networkInsightsPathId>"), nil
	}
	return "", fmt.Errorf("the fake does not answer %s", action)
}

func cfn(action, result string) string {
	return fmt.Sprintf(`<%sResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><%sResult>%s</%sResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></%sResponse>`,
		action, action, result, action, action)
}

func ec2(action, body string) string {
	return fmt.Sprintf(`<%sResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>fake</requestId>%s</%sResponse>`, action, body, action)
}

func (s *Server) stackResources(stack string) (string, error) {
	res, ok := s.stacks[stack]
	if !ok {
		return "", fmt.Errorf("Stack with id %s does not exist", stack)
	}
	var b strings.Builder
	for _, r := range res {
		fmt.Fprintf(&b, "<member><StackName>%s</StackName><LogicalResourceId>%s</LogicalResourceId><PhysicalResourceId>%s</PhysicalResourceId><ResourceType>%s</ResourceType><ResourceStatus>CREATE_COMPLETE</ResourceStatus><Timestamp>2026-12-07T10:00:00Z</Timestamp></member>",
			stack, r.LogicalID, r.Physical, r.Type)
	}
	return cfn("DescribeStackResources", "<StackResources>"+b.String()+"</StackResources>"), nil
}

func (s *Server) dbInstances(id string) (string, error) {
	return fmt.Sprintf(`<DescribeDBInstancesResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/"><DescribeDBInstancesResult><DBInstances><DBInstance><DBInstanceIdentifier>%s</DBInstanceIdentifier><VpcSecurityGroups><VpcSecurityGroupMembership><VpcSecurityGroupId>%s</VpcSecurityGroupId><Status>active</Status></VpcSecurityGroupMembership></VpcSecurityGroups></DBInstance></DBInstances></DescribeDBInstancesResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata></DescribeDBInstancesResponse>`,
		id, s.groups[netcheck.RDS]), nil
}

// filters reads EC2's Filter.N.Name / Filter.N.Value.1.
func filters(f map[string][]string) map[string]string {
	out := map[string]string{}
	for i := 1; ; i++ {
		name := f["Filter."+strconv.Itoa(i)+".Name"]
		if len(name) == 0 {
			return out
		}
		out[name[0]] = f["Filter."+strconv.Itoa(i)+".Value.1"][0]
	}
}

func (s *Server) instances(f map[string][]string) (string, error) {
	group := filters(f)["tag:aws:autoscaling:groupName"]
	var b strings.Builder
	for i, zone := range s.asgZones {
		id := fmt.Sprintf("i-%s%d", hash(group)[:16], i)
		s.endpoint[id] = netcheck.Web
		fmt.Fprintf(&b, "<item><instanceId>%s</instanceId><placement><availabilityZone>%s</availabilityZone></placement><instanceState><name>running</name></instanceState></item>", id, zone)
	}
	return ec2("DescribeInstances", "<reservationSet><item><reservationId>r-1</reservationId><instancesSet>"+b.String()+"</instancesSet></item></reservationSet>"), nil
}

func (s *Server) interfaces(f map[string][]string) (string, error) {
	fl := filters(f)
	var b strings.Builder
	add := func(key string, e netcheck.Endpoint, zones []string) {
		for i, zone := range zones {
			id := fmt.Sprintf("eni-%s%d", hash(key)[:16], i)
			s.endpoint[id] = e
			fmt.Fprintf(&b, "<item><networkInterfaceId>%s</networkInterfaceId><availabilityZone>%s</availabilityZone></item>", id, zone)
		}
	}
	switch {
	case strings.HasPrefix(fl["description"], "ELB app/"):
		add(fl["description"], netcheck.ALB, s.asgZones)
	case fl["requester-id"] == "amazon-rds" && fl["group-id"] == s.groups[netcheck.RDS]:
		add(fl["group-id"], netcheck.RDS, s.asgZones[:1])
	}
	return ec2("DescribeNetworkInterfaces", "<networkInterfaceSet>"+b.String()+"</networkInterfaceSet>"), nil
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func (s *Server) createPath(f map[string][]string) (string, error) {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	src, dst := get("Source"), get("Destination")
	if _, ok := s.endpoint[src]; !ok {
		return "", fmt.Errorf("unknown source %s", src)
	}
	if _, ok := s.endpoint[dst]; !ok {
		return "", fmt.Errorf("unknown destination %s", dst)
	}
	if !strings.EqualFold(get("Protocol"), "tcp") || get("ClientToken") == "" {
		return "", fmt.Errorf("protocol %q, client token %q", get("Protocol"), get("ClientToken"))
	}
	port, err := strconv.Atoi(get("DestinationPort"))
	if err != nil {
		return "", fmt.Errorf("destination port: %v", err)
	}
	if get("TagSpecification.1.ResourceType") != "network-insights-path" || get("TagSpecification.1.Tag.1.Key") != "project-1:verify" {
		return "", fmt.Errorf("the path is not tagged project-1:verify")
	}
	id := s.next("nip")
	s.paths[id] = &path{source: src, destination: dst, port: port, tag: get("TagSpecification.1.Tag.1.Value")}
	return ec2("CreateNetworkInsightsPath", fmt.Sprintf("<networkInsightsPath><networkInsightsPathId>%s</networkInsightsPathId><source>%s</source><destination>%s</destination><protocol>tcp</protocol><destinationPort>%d</destinationPort></networkInsightsPath>", id, src, dst, port)), nil
}

// describeAnalyses answers running on an analysis's first poll, then its
// recorded response.
func (s *Server) describeAnalyses(f map[string][]string) (string, error) {
	var b bytes.Buffer
	for i := 1; ; i++ {
		v := f["NetworkInsightsAnalysisId."+strconv.Itoa(i)]
		if len(v) == 0 {
			break
		}
		a, ok := s.analyses[v[0]]
		if !ok {
			return "", fmt.Errorf("no analysis %s", v[0])
		}
		p := s.paths[a.path]
		a.polls++
		if a.polls == 1 {
			fmt.Fprintf(&b, "<item><networkInsightsAnalysisId>%s</networkInsightsAnalysisId><networkInsightsPathId>%s</networkInsightsPathId><status>running</status></item>", v[0], a.path)
			continue
		}
		from, to := s.endpoint[p.source], s.endpoint[p.destination]
		tier := "private"
		if to == netcheck.NAT || to == netcheck.ALB {
			tier = "public"
		}
		data := map[string]any{"AnalysisID": v[0], "PathID": a.path, "Region": s.Region, "Source": p.source, "Destination": p.destination,
			"Port": p.port, "SecurityGroup": s.groups[to], "Acl": s.acl[tier], "Subnet": s.subnet[tier], "RouteTable": s.rtb[tier], "Rule": 100}
		if err := recorded.ExecuteTemplate(&b, s.Answer(from, to, p.port)+".xml", data); err != nil {
			return "", err
		}
	}
	return ec2("DescribeNetworkInsightsAnalyses", "<networkInsightsAnalysisSet>"+b.String()+"</networkInsightsAnalysisSet>"), nil
}
