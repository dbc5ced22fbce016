// Loaded by bench/compile-cache.sh into the jsii kernel (node --require), for
// that measurement only: the kernel installs its packages into a new
// os.tmpdir()/jsii-kernel-XXXXXX on every run, and Node's compile cache is
// keyed by the file's path, so it never hits. This gives the kernel's work
// directory a fixed path instead and turns the compile cache on, to measure
// what the cache would save if the kernel's paths were stable. Not for use
// outside the benchmark: it relies on the kernel's private layout and lets
// two kernels at once overwrite each other's directory.
const fs = require("fs");
const path = require("path");
const { enableCompileCache } = require("module");

if (process.argv[1] && process.argv[1].endsWith("program.js")) {
  const mkdtemp = fs.mkdtempSync;
  fs.mkdtempSync = function (prefix, ...rest) {
    if (path.basename(prefix) !== "jsii-kernel-") return mkdtemp.call(this, prefix, ...rest);
    const dir = process.env.STABLE_KERNEL_DIR;
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    return dir;
  };
  enableCompileCache(process.env.STABLE_KERNEL_CACHE);
}
