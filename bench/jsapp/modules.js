// Preloaded with node -r (NODE_OPTIONS for the jsii kernel's node): when the
// process exits, writes to $MODULES_OUT.<pid> which aws-cdk-lib submodules it
// loaded and how many files, as one JSON line. bench/modules.sh reads them.
const fs = require('fs');
process.on('exit', () => {
  const files = Object.keys(require.cache);
  const submodules = new Set();
  let cdkFiles = 0;
  for (const f of files) {
    const m = f.match(/node_modules\/aws-cdk-lib\/([^/]+)\//);
    if (m && m[1] !== 'node_modules') {
      cdkFiles++;
      submodules.add(m[1]);
    }
  }
  fs.writeFileSync(`${process.env.MODULES_OUT}.${process.pid}`,
    JSON.stringify({ files: files.length, cdkFiles, submodules: [...submodules].sort() }) + '\n');
});
