// Compares two cloud assemblies of the default environment, stack by stack:
// resources by type, outputs, and cdk-nag's error and warning findings.
// bench/all.sh prints it so the anchor is shown to be the same architecture.
//   node compare.js GO_ASSEMBLY JS_ASSEMBLY
'use strict';
const fs = require('fs');
const path = require('path');

function stage(dir) {
  const top = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json')));
  const nested = Object.values(top.artifacts).find((a) => a.type === 'cdk:cloud-assembly');
  const sdir = path.join(dir, nested.properties.directoryName);
  const m = JSON.parse(fs.readFileSync(path.join(sdir, 'manifest.json')));
  const out = {};
  for (const a of Object.values(m.artifacts)) {
    if (a.type !== 'aws:cloudformation:stack') continue;
    const t = JSON.parse(fs.readFileSync(path.join(sdir, a.properties.templateFile)));
    const types = {};
    for (const r of Object.values(t.Resources)) types[r.Type] = (types[r.Type] || 0) + 1;
    let findings = 0;
    for (const entries of Object.values(a.metadata || {})) {
      for (const e of entries) if (e.type === 'aws:cdk:error' || e.type === 'aws:cdk:warning') findings++;
    }
    out[a.displayName.split('/').pop()] = { types, ids: new Set(Object.keys(t.Resources).map((id) => id + ' ' + t.Resources[id].Type)), resources: Object.keys(t.Resources).length, outputs: Object.keys(t.Outputs || {}).length, findings };
  }
  return out;
}

const [go, js] = [stage(process.argv[2]), stage(process.argv[3])];
let same = true;
for (const name of Object.keys(go)) {
  const g = go[name], j = js[name] || { types: {}, ids: new Set(), resources: 0, outputs: 0, findings: 0 };
  const sameIds = [...g.ids].filter((id) => j.ids.has(id)).length;
  const diff = [];
  for (const t of new Set([...Object.keys(g.types), ...Object.keys(j.types)])) {
    if ((g.types[t] || 0) !== (j.types[t] || 0)) diff.push(`${t} ${g.types[t] || 0}/${j.types[t] || 0}`);
  }
  if (diff.length || g.outputs !== j.outputs || g.findings !== j.findings) same = false;
  console.log(`${name.padEnd(8)} resources ${g.resources}/${j.resources}, outputs ${g.outputs}/${j.outputs}, cdk-nag findings ${g.findings}/${j.findings}, logical ids alike ${sameIds}/${g.resources}` +
    (diff.length ? `; differ (Go/JS): ${diff.join(', ')}` : '; same resource types'));
}
console.log(same ? 'the anchor has the Go app\'s resources, outputs and findings (Go/JS above)' : 'THE ANCHOR DIFFERS from the Go app (Go/JS above)');
process.exitCode = same ? 0 : 1;
