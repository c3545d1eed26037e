#!/usr/bin/env node
'use strict';
// `npm install` hook: use a prebuilt binary when one matches this platform (node-gyp-build finds it),
// otherwise compile from source with cmake-js, falling back to node-gyp. Nothing is downloaded:
// the addon is Node-API only, so the headers come from the node-api-headers and node-addon-api packages.
const { spawnSync } = require('child_process');
const path = require('path');

const root = path.resolve(__dirname, '..');

function prebuiltAvailable() {
  if (process.env.QAHAN_BUILD_FROM_SOURCE) return false;
  try {
    require('node-gyp-build').path(root);
    return true;
  } catch {
    return false;
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  return r.status === 0;
}

function bin(pkg, file) {
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`, { paths: [root] })), file);
  } catch {
    return null;
  }
}

if (prebuiltAvailable()) {
  console.log('qahan: using the prebuilt native addon');
  process.exit(0);
}

// cmake-js is an optional peer (only a source build needs it); without it npm's own node-gyp builds.
const cmakeJs = bin('cmake-js', 'bin/cmake-js');
if (cmakeJs && run(process.execPath, [cmakeJs, 'compile', '--out', 'build', '--log-level', 'warn'])) process.exit(0);

console.warn(cmakeJs ? 'qahan: the cmake-js build failed; trying node-gyp' : 'qahan: no prebuilt binary for this platform and cmake-js is not installed; building with node-gyp');
const nodeGyp = bin('node-gyp', 'bin/node-gyp.js');
if (nodeGyp && run(process.execPath, [nodeGyp, 'rebuild'])) process.exit(0);
if (run('node-gyp', ['rebuild'])) process.exit(0);

console.error(
  'qahan: could not build the native addon. Install Python and a C++17 compiler (node-gyp), or CMake and ' +
    '`npm install cmake-js` next to qahan, then run `npm rebuild qahan`.',
);
process.exit(1);
