#!/usr/bin/env node
'use strict';
// Development helper: run a TypeScript file directly (types stripped, not checked), e.g.
//   node scripts/ts-run.js path/to/script.ts
const fs = require('fs');
const ts = require('typescript');
require.extensions['.ts'] = function compile(module, filename) {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, inlineSourceMap: true },
  });
  module._compile(outputText, filename);
};
const file = process.argv[2];
process.argv.splice(1, 1);
require(require('path').resolve(file));
