// Compares two cloud assemblies of the default environment, stack by stack:
// resources by type and logical id, their properties and dependencies,
// outputs, and cdk-nag's error and warning findings. bench/all.sh prints it
// so the anchor is shown to be the same architecture.
//   node compare.js GO_ASSEMBLY JS_ASSEMBLY
// Left out of the property comparison, as the anchor writes them shorter:
// descriptions, the dashboard's body and the user data. Arrays are compared
// as sets (the Go app orders some, such as an alarm's metrics, by name).
'use strict';
const fs = require('fs');
const path = require('path');

const unread = new Set(['Description', 'AlarmDescription', 'GroupDescription', 'DashboardBody', 'UserData']);
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical).sort();
  if (v && typeof v === 'object') {
    return JSON.stringify(Object.keys(v).filter((k) => !unread.has(k)).sort().map((k) => [k, canonical(v[k])]));
  }
  return JSON.stringify(v);
}
const shape = (r) => canonical({ p: r.Properties || {}, d: [].concat(r.DependsOn || []) });

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
    out[a.displayName.split('/').pop()] = { types, resources: t.Resources, count: Object.keys(t.Resources).length, outputs: Object.keys(t.Outputs || {}).length, findings };
  }
  return out;
}

const [go, js] = [stage(process.argv[2]), stage(process.argv[3])];
let same = true;
for (const name of Object.keys(go)) {
  const g = go[name], j = js[name] || { types: {}, resources: {}, count: 0, outputs: 0, findings: 0 };
  const ids = Object.keys(g.resources);
  const sameIds = ids.filter((id) => j.resources[id] && j.resources[id].Type === g.resources[id].Type);
  const unlike = sameIds.filter((id) => shape(g.resources[id]) !== shape(j.resources[id]));
  const diff = [];
  for (const t of new Set([...Object.keys(g.types), ...Object.keys(j.types)])) {
    if ((g.types[t] || 0) !== (j.types[t] || 0)) diff.push(`${t} ${g.types[t] || 0}/${j.types[t] || 0}`);
  }
  if (diff.length || unlike.length || g.outputs !== j.outputs || g.findings !== j.findings) same = false;
  console.log(`${name.padEnd(8)} resources ${g.count}/${j.count}, outputs ${g.outputs}/${j.outputs}, cdk-nag findings ${g.findings}/${j.findings}, ` +
    `logical ids alike ${sameIds.length}/${g.count}, properties alike ${sameIds.length - unlike.length}/${sameIds.length}` +
    (diff.length ? `; differ (Go/JS): ${diff.join(', ')}` : '; same resource types') +
    (unlike.length ? `; properties differ: ${unlike.join(', ')}` : ''));
}
console.log(same ? 'the anchor has the Go app\'s resources, properties, outputs and findings (Go/JS above)' : 'THE ANCHOR DIFFERS from the Go app (Go/JS above)');
process.exitCode = same ? 0 : 1;
