// `npm run build` of apps/cli, after tsc: dist/mctl.js, mctl and everything it loads in one
// file, which is what `mctl` runs (package.json "bin", the image's `switchboard mctl`). Every
// mctl call starts Node; resolving, reading and compiling some 170 modules one by one was
// a third of that start (about 30 ms of 140 on this project's machine). dist/main.js stays the
// entry the bundle is built from and what the in-process tests import around.
const { chmodSync } = require('node:fs');
const path = require('node:path');
const { buildSync } = require('esbuild');

const dist = path.join(__dirname, '..', 'dist');
const outfile = path.join(dist, 'mctl.js');
buildSync({
  entryPoints: [path.join(dist, 'main.js')],
  outfile,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Names kept: mctl reports errors by their messages, but a stack from an internal error should
  // still read.
  keepNames: true,
  logLevel: 'warning',
});
chmodSync(outfile, 0o755);
