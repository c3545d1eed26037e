#!/usr/bin/env node
'use strict';
// Benchmarks run from the compiled library (npm run build:ts), never inside the timed test suite.
const path = require('path');
const { runBenchmarks } = require('../dist/bench/run');
const which = process.argv[2] || 'all';
runBenchmarks(which, path.resolve(__dirname, 'results')).catch((err) => {
  console.error(err);
  process.exit(1);
});
