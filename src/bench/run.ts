import os from 'os';
import path from 'path';
import { addon } from '../native/addon';
import { markdownTable, writeReport } from './report';
import { solverBenchmarks } from './solvers';
import { issueTargets } from './targets';
import { timeToTargetBenchmark, timeToTargetSection } from './time-to-target';

/** `npm run bench[:solvers|:attention]`: runs benchmarks and writes bench/results/*.json and *.md. */
export async function runBenchmarks(which: 'solvers' | 'attention' | 'embedding' | 'labels' | 'all', outDir: string): Promise<void> {
  const log = (s: string) => console.error(s);
  const machine = `${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, node ${process.version}, addon threads ${addon().info().threads}`;
  const sections: string[] = [`# qahan benchmarks\n\n${new Date().toISOString()} on ${machine}.\n`];
  const json: Record<string, unknown> = { machine, date: new Date().toISOString() };

  if (which === 'solvers' || which === 'all') {
    const targets = await issueTargets(log);
    json.targets = targets;
    sections.push(
      '## Issue 16 targets\n\nOne thread; ns per attempt (SQA: per slice-attempt): `wallNs` is the whole `await sample()` on a prebuilt model (the second of two identical calls), `firstWallNs` the first call (model preparation and fresh memory included), `samplingNs` the native sampling of the second; `yardstickNs` a textbook neighbour-list SA in C++ (native/bench/yardstick.cc) built and timed in the same run, `speedupVsYardstick` = yardstickNs / wallNs.\n\n' +
        markdownTable(targets as unknown as Record<string, unknown>[], ['workload', 'target', 'reads', 'sweeps', 'kernel', 'wallNs', 'firstWallNs', 'samplingNs', 'yardstickNs', 'speedupVsYardstick', 'meanEnergy', 'yardstickMeanEnergy', 'note']),
    );
    if (process.env.QAHAN_BENCH_TARGETS_ONLY) {
      writeReport(outDir, 'targets', json, sections.join('\n'));
      return;
    }
    const r = await solverBenchmarks(log);
    json.solvers = r;
    const reached = r.quality.filter((q) => q.reached).length;
    const meanGap = r.quality.length ? r.quality.reduce((a, q) => a + q.gap, 0) / r.quality.length : NaN;
    sections.push(
      '## Spin-flip attempts\n\nOne call, 2 reads; ns per attempt per thread (SQA: per slice-attempt, 16 slices).\n\n' +
        markdownTable(r.rates as unknown as Record<string, unknown>[], ['sampler', 'model', 'n', 'threads', 'numSweeps', 'samplingMs', 'nsPerAttemptPerThread', 'attemptsPerSecond', 'speedupVsOneThread']),
      '## Batched attention models\n\n' + markdownTable(r.batched as unknown as Record<string, unknown>[]),
      `## Quality against best-known values\n\nSA, default schedule; a miss is retried with 4x and then 16x the work (sweeps x reads), and the row shows the last budget. ${reached} of ${r.quality.length} instances at the best-known value; mean relative gap ${(meanGap * 100).toFixed(3)}%.\n\n` +
        markdownTable(r.quality as unknown as Record<string, unknown>[], ['instance', 'n', 'best', 'found', 'gap', 'successProbability', 'tts99S', 'seconds', 'numReads', 'numSweeps']),
    );
    const ttt = await timeToTargetBenchmark(log);
    json.timeToTarget = ttt;
    sections.push(timeToTargetSection(ttt, markdownTable));
  }
  if (which === 'labels') {
    const l = await (await import('./labels')).labelsBenchmark(log);
    json.labels = l.rows;
    sections.push(l.markdown);
  }
  if (which === 'embedding') {
    const e = await (await import('./embedding')).embeddingBenchmarks(log);
    json.embedding = e.rows;
    json.maxCut = e.maxCut;
    sections.push(e.markdown);
  }
  if (which === 'attention' || which === 'all') {
    let profile: { runAttentionBenchmark?: (log: (s: string) => void) => Promise<{ json: unknown; markdown: string }> } = {};
    try {
      profile = require('../train/step-profile');
    } catch (err) {
      log(`attention benchmark unavailable: ${(err as Error).message}`);
    }
    if (profile.runAttentionBenchmark) {
      const a = await profile.runAttentionBenchmark(log);
      json.attention = a.json;
      sections.push(a.markdown);
    }
  }
  const files = writeReport(outDir, which === 'all' ? 'benchmarks' : which, json, sections.join('\n'));
  log(`wrote ${files.markdown} and ${files.json}`);
}

if (require.main === module) {
  const which = (process.argv[2] ?? 'all') as 'solvers' | 'attention' | 'all';
  if (!['solvers', 'attention', 'all'].includes(which)) {
    console.error('usage: node bench/run.js [solvers|attention|all]');
    process.exit(2);
  }
  runBenchmarks(which, path.resolve(process.argv[3] ?? path.join(__dirname, '..', '..', 'bench', 'results'))).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
