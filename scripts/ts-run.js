#!/usr/bin/env node
'use strict';
// Development helper: run a TypeScript file directly (swc strips the types), e.g.
//   node scripts/ts-run.js bench/some-script.ts
const fs = require('fs');
const swc = require('@swc/core');
require.extensions['.ts'] = function compile(module, filename) {
  const { code } = swc.transformSync(fs.readFileSync(filename, 'utf8'), {
    filename,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  });
  module._compile(code, filename);
};
const file = process.argv[2];
process.argv.splice(1, 1);
require(require('path').resolve(file));
