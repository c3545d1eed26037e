/**
 * A training run's own curves, drawn by `qahan train` at the end of a run: accuracy and loss against
 * epochs (whole-number ticks, accuracy in %), the training batches as a moving average between the
 * per-epoch train/test points and any validation evaluations. SVG, and PNG when resvg loads.
 */
import * as path from 'path';
import type { Series } from './plot';
import { Chart, ChartRender, movingAverage, writeChart } from './report';
import { EpochMetrics, IterationRecord, ITERATIONS_FILE, METRICS_FILE, readJsonl, VALIDATION_FILE, ValidationRecord } from './trainer';

export const CURVE_FILES = ['accuracy', 'loss'] as const;

export interface RunCurves {
  charts: Chart[];
  /** Why no PNG was written, when PNGs were asked for. */
  pngError?: string;
}

/** Writes DIR/accuracy.{svg,png} and DIR/loss.{svg,png} from the run's metrics; nothing when no epoch is done. */
export function writeRunCurves(dir: string, render: ChartRender = {}): RunCurves {
  const epochs = readJsonl<EpochMetrics>(path.join(dir, METRICS_FILE));
  if (!epochs.length) return { charts: [] };
  const iterations = readJsonl<IterationRecord>(path.join(dir, ITERATIONS_FILE));
  const validation = readJsonl<ValidationRecord>(path.join(dir, VALIDATION_FILE));
  // Steps per epoch from the first epoch's record (steps are cumulative), to place batches and validations on the epoch axis.
  const perEpoch = epochs[0].steps > 0 ? epochs[0].steps / epochs[0].epoch : Math.max(1, iterations.filter((i) => i.epoch === 1).length);
  const window = Math.max(1, Math.min(50, Math.round(perEpoch / 10)));
  const atStep = (step: number) => step / perEpoch;
  const { method, dataset } = epochs[0];
  const last = epochs[epochs.length - 1].epoch;
  const x = epochs.map((e) => e.epoch);
  const batches = (key: 'loss' | 'accuracy'): Series[] =>
    iterations.length ? [{ name: `batches (${window}-step mean)`, x: iterations.map((i) => atStep(i.step)), y: movingAverage(iterations.map((i) => i[key]), window), color: '#9ecae1' }] : [];
  const val = (key: 'validationLoss' | 'validationAccuracy'): Series[] =>
    validation.length ? [{ name: 'validation', x: validation.map((v) => atStep(v.step)), y: validation.map((v) => v[key]), color: '#2ca02c' }] : [];
  const axis = { xLabel: 'epoch', xInteger: true, xMin: iterations.length || validation.length ? 0 : undefined, xMax: last };
  const charts = [
    writeChart(
      dir,
      'accuracy',
      [...batches('accuracy'), { name: 'train', x, y: epochs.map((e) => e.trainAccuracy), color: '#1f77b4' }, { name: 'test', x, y: epochs.map((e) => e.testAccuracy), color: '#d62728' }, ...val('validationAccuracy')],
      { title: `Accuracy: ${method} on ${dataset}`, yLabel: 'accuracy', yPercent: true, ...axis },
      render,
    ),
    writeChart(
      dir,
      'loss',
      [...batches('loss'), { name: 'train', x, y: epochs.map((e) => e.trainLoss), color: '#1f77b4' }, { name: 'test', x, y: epochs.map((e) => e.testLoss), color: '#d62728' }, ...val('validationLoss')],
      { title: `Loss: ${method} on ${dataset}`, yLabel: 'cross-entropy', ...axis },
      render,
    ),
  ];
  return { charts, pngError: charts.find((c) => c.pngError)?.pngError };
}
