package netcheck

import (
	"slices"
	"strings"
	"testing"
)

// stagedAssembly writes the layout of cdk synth -c pipeline=true: the
// pipeline's stacks, with no network, and two Stages, dev and prod, whose
// stacks are weakStacks with the same logical ids, in different VPCs.
func stagedAssembly(t *testing.T, pipelineStage string) string {
	t.Helper()
	devNet, devApp := weakStacksOf("dev-Net", "us-east-1")
	prodNet, prodApp := weakStacksOf("prod-Net", "eu-west-1")
	prodNet.props("Vpc")["CidrBlock"] = "10.9.0.0/16"
	prodNet.props("PublicA")["CidrBlock"] = "10.9.1.0/24"
	prodNet.props("PrivateA")["CidrBlock"] = "10.9.2.0/24"
	pipeline := newStack().add("Pipeline", "AWS::CodePipeline::Pipeline", obj{})
	prefix := ""
	if pipelineStage != "" {
		prefix = pipelineStage + "/"
	}
	return writeAssembly(t,
		assemblyStack{stage: pipelineStage, name: "project-1-Pipeline", region: "us-east-1", t: pipeline.t},
		assemblyStack{stage: prefix + "dev", name: "dev-Net", region: "us-east-1", t: devNet.t},
		assemblyStack{stage: prefix + "dev", name: "dev-App", region: "us-east-1", t: devApp.t},
		assemblyStack{stage: prefix + "prod", name: "prod-Net", region: "eu-west-1", t: prodNet.t},
		assemblyStack{stage: prefix + "prod", name: "prod-App", region: "eu-west-1", t: prodApp.t})
}

func TestLoadStages(t *testing.T) {
	for _, tc := range []struct {
		name, pipelineStage string
		want                []string
	}{
		{"pipeline at the top level", "", []string{"", "dev", "prod"}},
		{"pipeline in a Stage", "Pipeline", []string{"Pipeline", "Pipeline/dev", "Pipeline/prod"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := stagedAssembly(t, tc.pipelineStage)
			stages, err := LoadStages(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, s := range stages {
				names = append(names, s.Name)
			}
			if !slices.Equal(names, tc.want) {
				t.Fatalf("stages %q, want %q", names, tc.want)
			}
			if p := stages[0]; !p.Model.Empty() || !slices.Equal(p.Stacks, []string{"project-1-Pipeline"}) || len(p.Model.Notes()) != 0 {
				t.Errorf("pipeline stage: empty %v, stacks %q, notes %q; want empty with its one stack", p.Model.Empty(), p.Stacks, p.Model.Notes())
			}
			for i, env := range []string{"dev", "prod"} {
				s := stages[i+1]
				if want := []string{env + "-App", env + "-Net"}; !slices.Equal(s.Stacks, want) {
					t.Errorf("%s: stacks %q, want %q", s.Name, s.Stacks, want)
				}
				m := s.Model
				if m.Empty() {
					t.Fatalf("%s: empty model", s.Name)
				}
				// One placement each: the other stage's resources, with the
				// same logical ids, are not part of this network.
				for _, e := range []Endpoint{ALB, Web, RDS, NAT} {
					if len(m.Placements(e)) != 1 {
						t.Errorf("%s: %s placements %q, want one", s.Name, e, m.Placements(e))
					}
				}
				expectAllowed(t, m, Internet, ALB, 80)
				expectAllowed(t, m, ALB, Web, 80)
				expectAllowed(t, m, Web, RDS, 3306)
				expectBlocked(t, m, ALB, RDS, 3306, SGNoIngress)
				if n := m.Notes(); len(n) != 0 {
					t.Errorf("%s: unexpected notes %q", s.Name, n)
				}
				// Display names are unique within the stage.
				if got := m.Placements(ALB); got[0] != "Alb in PublicA (us-east-1a)" {
					t.Errorf("%s: alb placed as %q", s.Name, got)
				}
			}

			// Merged, as netcheck once did, each load balancer is paired with
			// the other environment's instances too.
			templates, err := LoadTemplates(dir)
			if err != nil {
				t.Fatal(err)
			}
			merged, err := FromTemplates(templates)
			if err != nil {
				t.Fatal(err)
			}
			if r := merged.Check(ALB, Web, 80); r.Verdict != VerdictPartial || len(r.Paths) != 4 {
				t.Errorf("merged alb -> web: %s over %d paths, want partial over 4", r.Verdict, len(r.Paths))
			}

			// Load wants one network.
			if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "2 stages with a network") || !strings.Contains(err.Error(), "LoadStages") {
				t.Errorf("Load of two networks: err %v", err)
			}
		})
	}
}

func TestLoadPicksTheOneNetwork(t *testing.T) {
	netStack, app := weakStacksOf("dev-Net", "")
	pipeline := newStack().add("Pipeline", "AWS::CodePipeline::Pipeline", obj{})
	dir := writeAssembly(t,
		assemblyStack{name: "project-1-Pipeline", t: pipeline.t},
		assemblyStack{stage: "dev", name: "dev-Net", t: netStack.t},
		assemblyStack{stage: "dev", name: "dev-App", t: app.t})
	m, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	expectAllowed(t, m, ALB, Web, 80)

	// No stage with a network: the model of every stack, which has nothing.
	dir = writeAssembly(t,
		assemblyStack{name: "project-1-Pipeline", t: pipeline.t},
		assemblyStack{stage: "dev", name: "dev-Other", t: newStack().add("Bucket", "AWS::S3::Bucket", obj{}).t})
	if m, err = Load(dir); err != nil {
		t.Fatal(err)
	}
	if !m.Empty() {
		t.Error("want an empty model")
	}
	if r := m.Check(Internet, ALB, 80); r.Verdict != VerdictUnknown {
		t.Errorf("internet -> alb: %s, want unknown", r.Verdict)
	}
}

func TestReferencesAcrossStages(t *testing.T) {
	// dev's App reads the prod network's outputs: the references resolve
	// (a literal output is used), but prod's subnets and groups are not part
	// of dev's network, so dev's workloads are not placed, and notes say so.
	devNet, devApp := weakStacksOf("prod-Net", "")
	prodNet, _ := weakStacksOf("prod-Net", "")
	prodNet.output("Cidr", "10.0.0.0/16")
	devNet.props("Vpc")["CidrBlock"] = stackOutput("prod-Net", "", "Cidr")
	dir := writeAssembly(t,
		assemblyStack{stage: "dev", name: "dev-Net", t: devNet.t},
		assemblyStack{stage: "dev", name: "dev-App", t: devApp.t},
		assemblyStack{stage: "prod", name: "prod-Net", t: prodNet.t})
	stages, err := LoadStages(dir)
	if err != nil {
		t.Fatal(err)
	}
	dev := stages[0].Model
	if dev.Empty() || len(dev.Placements(NAT)) != 1 {
		t.Fatalf("dev: the VPC's CIDR from prod's output did not resolve: %q", dev.Notes())
	}
	if r := dev.Check(ALB, Web, 80); r.Verdict != VerdictUnknown {
		t.Errorf("dev alb -> web: %s, want unknown", r.Verdict)
	}
	if !slices.ContainsFunc(dev.Notes(), func(n string) bool {
		return strings.HasPrefix(n, "dev-App: subnet reference (intrinsic Fn::GetStackOutput) does not resolve to a subnet")
	}) {
		t.Errorf("no note about prod's subnets: %q", dev.Notes())
	}
	if n := stages[1].Model.Notes(); len(n) != 0 {
		t.Errorf("prod: notes %q, want none", n)
	}
}

func TestStageOfStagesOnly(t *testing.T) {
	// A Stage that holds only another Stage is no network of its own.
	dir := writeAssembly(t, assemblyStack{stage: "Outer/inner", name: "inner-Net", t: baseStack().t})
	stages, err := LoadStages(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 1 || stages[0].Name != "Outer/inner" || stages[0].Model.Empty() {
		t.Errorf("stages %+v, want Outer/inner alone", stages)
	}
}
