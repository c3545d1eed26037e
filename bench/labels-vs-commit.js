#!/usr/bin/env node
'use strict';
// The integer-label path now vs a compiled older checkout, in one process, interleaved (issue 11: "integer
// labels 0..n-1 stay the fast path, no slowdown"). Both copies call the same native addon binary, so only
// the TypeScript side (BinaryQuadraticModel, the sampler wrapper, SampleSet) differs. Build the older one:
//   mkdir /tmp/old && git archive <commit> src tsconfig.json tsconfig.build.json package.json | tar -x -C /tmp/old
//   ln -s $PWD/node_modules /tmp/old/node_modules && ln -s $PWD/build /tmp/old/build
//   (cd /tmp/old && npx tsc -p tsconfig.build.json)   # type errors against newer typings still emit
// then: npm run build:ts && flock /tmp/qahan-cpu.lock node bench/labels-vs-commit.js /tmp/old/dist
const path = require('path');
const oldDist = path.resolve(process.argv[2] || '');
if (!process.argv[2]) {
  console.error('usage: node bench/labels-vs-commit.js OLD_DIST_DIR');
  process.exit(2);
}
const copies = {
  old: { BQM: require(path.join(oldDist, 'model/bqm')).BinaryQuadraticModel, SA: require(path.join(oldDist, 'samplers/simulated-annealing')).SimulatedAnnealingSampler },
  now: { BQM: require('../dist/model/bqm').BinaryQuadraticModel, SA: require('../dist/samplers/simulated-annealing').SimulatedAnnealingSampler },
};
// The same workloads and model as src/bench/labels.ts.
const { LABELS_WORKLOADS, labelsTerms } = require('../dist/bench/labels');

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  for (const w of LABELS_WORKLOADS) {
    const { h, J } = labelsTerms(w.n);
    const params = { numReads: w.numReads, numSweeps: w.numSweeps, seed: 7, threads: 1 };
    const t = { old: { build: [], total: [], best: [] }, now: { build: [], total: [], best: [] } };
    const run = async (k) => {
      const c = copies[k];
      const t0 = performance.now();
      const bqm = c.BQM.fromIsing(h, J);
      const t1 = performance.now();
      const ss = await new c.SA().sample(bqm, params);
      const best = ss.first.energy;
      void ss.first.sample.length;
      t[k].build.push(t1 - t0);
      t[k].total.push(performance.now() - t0);
      t[k].best.push(best);
    };
    await run('old');
    await run('now');
    for (const k of ['old', 'now']) for (const a of ['build', 'total', 'best']) t[k][a].length = 0;
    for (let r = 0; r < w.repetitions; r++) for (const k of r % 2 ? ['old', 'now'] : ['now', 'old']) await run(k);
    const line = (k) => `${k}: build ${median(t[k].build).toFixed(2)} ms, build + sample ${median(t[k].total).toFixed(2)} ms, mean best energy ${(t[k].best.reduce((a, b) => a + b, 0) / t[k].best.length).toFixed(3)}`;
    console.log(`${w.name}\n  ${line('old')}\n  ${line('now')}\n  now / old: build ${(median(t.now.build) / median(t.old.build)).toFixed(3)}, total ${(median(t.now.total) / median(t.old.total)).toFixed(3)}`);
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
