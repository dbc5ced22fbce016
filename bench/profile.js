// Summarizes a V8 CPU profile of the jsii kernel (node --cpu-prof) by phase:
// waiting for the Go side, module loading (by cdk-nag or not), cdk-nag's
// checks, synthesis, the rest. Used by bench/profile.sh.
const fs = require("fs");
const p = JSON.parse(fs.readFileSync(process.argv[2]));
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map();
for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
const phases = new Map();
let total = 0;
for (let i = 0; i < p.samples.length; i++) {
  const dt = p.timeDeltas[i] || 0;
  total += dt;
  let id = p.samples[i];
  const leaf = byId.get(id).callFrame.functionName;
  let phase;
  if (leaf === "(garbage collector)") phase = "garbage collection";
  else {
    let load = false, nag = false, synth = false, request = false;
    for (; id; id = parent.get(id)) {
      const { functionName: fn, url } = byId.get(id).callFrame;
      load ||= fn === "Module._load" || fn === "require" || fn === "wrapSafe";
      nag ||= url.includes("cdk-nag");
      synth ||= fn === "synth" && url.includes("aws-cdk-lib/core");
      request ||= fn === "readLine";
    }
    // The kernel reads each request from its pipe with a blocking read: the
    // time in it is the Go side's work and the round trip, not the kernel's.
    phase = request && leaf === "read" ? "waiting for the next request (the Go side, the pipe)"
      // cdk-nag's rules test every construct with instanceof against some 40
      // services' L1 classes: the first test of each loads that module.
      : load ? (nag ? "module loading, required by cdk-nag (at start or by its rules' checks)" : "module loading, other")
      : nag ? "cdk-nag's checks" : synth ? "synthesis" : "kernel calls and construct code";
  }
  phases.set(phase, (phases.get(phase) || 0) + dt);
}
console.log(`${(total / 1000).toFixed(0).padStart(6)} ms  the kernel's main thread, in all`);
for (const [k, v] of [...phases].sort((a, b) => b[1] - a[1])) console.log(`${(v / 1000).toFixed(0).padStart(6)} ms  ${k}`);
