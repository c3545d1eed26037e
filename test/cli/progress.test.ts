/** The CLI's one progress bar: fits 80 columns with long labels, one ETA format, TTY vs log output. */
import * as fs from 'fs';
import * as path from 'path';
import { PassThrough } from 'stream';
import { formatDuration, ProgressBar, truncate } from '../../src/cli/progress';

function sink(tty: boolean, columns?: number) {
  const s = new PassThrough() as PassThrough & { isTTY?: boolean; columns?: number };
  s.isTTY = tty;
  s.columns = columns;
  let text = '';
  s.on('data', (c) => (text += c.toString()));
  return { stream: s, text: () => text };
}

const clock = () => {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
};

test('durations: m:ss, h:mm:ss past an hour, ? when unknown', () => {
  expect(formatDuration(0)).toBe('0:00');
  expect(formatDuration(59.4)).toBe('0:59');
  expect(formatDuration(61)).toBe('1:01');
  expect(formatDuration(3599)).toBe('59:59');
  expect(formatDuration(3600 + 62)).toBe('1:01:02');
  expect(formatDuration(NaN)).toBe('?');
  expect(truncate('abcdef', 4)).toBe('abc…');
  expect(truncate('abc', 4)).toBe('abc');
});

describe('the training bar at 80 columns', () => {
  const cases: [string, string, number][] = [
    ['qahan epoch 3/10', 'loss 0.123 acc 98.1%', 1875],
    ['qahan-energy epoch 10/10', 'loss 0.123 acc 98.1%', 1875],
    ['qahan-free epoch 100/100', 'loss 12.3456 acc 100.0%', 1_000_000],
    ['reinforce epoch 1/1 of a run with a very long label that no terminal line can hold in full', 'loss 0.5 acc 50.0%', 50_000],
  ];
  test.each(cases)('%s: every line fits, count and ETA stay', (label, info, total) => {
    const c = clock();
    const bar = new ProgressBar(label, total, { columns: 80, now: c.now });
    for (const done of [0, 1, Math.floor(total / 3), total - 1, total]) {
      c.advance(7_000);
      const line = bar.render(done, info, (c.now() - 1_000_000) / 1000);
      expect(line.length).toBeLessThanOrEqual(79);
      expect(line).toContain(`${done}/${total}`);
      expect(line).toMatch(done >= total ? / took \d+:\d\d(:\d\d)?$/ : / ETA (\d+:\d\d(:\d\d)?|\?)$/);
      expect(line).toMatch(/\[[#.]{8,24}\]/);
      // The label is kept whole, or cut with an ellipsis, never dropped.
      expect(line.startsWith(label) || line.startsWith(label.slice(0, 6))).toBe(true);
      if (!line.startsWith(label)) expect(line).toMatch(/^[^[]*… \[/);
    }
  });

  test('a short label keeps the loss and accuracy and the rate when there is room', () => {
    const line = new ProgressBar('none epoch 1/2', 100, { columns: 120 }).render(40, 'loss 0.5 acc 88.0%', 4);
    expect(line).toBe('none epoch 1/2 [##########..............]  40% 40/100 loss 0.5 acc 88.0% 10.0 it/s ETA 0:06');
  });

  test('one ETA format for all units (bytes too)', () => {
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    const line = new ProgressBar('downloading train-images-idx3-ubyte.gz', 10240, { columns: 80, formatCount: kib, formatRate: (r) => `${kib(r)}/s` }).render(5120, '', 65);
    expect(line.length).toBeLessThanOrEqual(79);
    expect(line).toMatch(/ 50% 5\.0 KiB\/10\.0 KiB .*ETA 1:05$/);
  });
});

test('on a terminal: redrawn in place, a newline at the end; in a log: whole lines, throttled', () => {
  const c = clock();
  const tty = sink(true, 80);
  const a = new ProgressBar('job', 10, { stream: tty.stream, now: c.now });
  for (let i = 1; i <= 10; i++) {
    c.advance(150);
    a.update(i, 'x');
  }
  const frames = tty.text().split('\r').filter(Boolean);
  expect(frames).toHaveLength(10);
  for (const f of frames) expect(f.replace(/\x1b\[K\n?$/, '').length).toBeLessThanOrEqual(79);
  expect(tty.text().endsWith('\n')).toBe(true);
  expect(tty.text().match(/\n/g)).toHaveLength(1);

  const log = sink(false);
  const b = new ProgressBar('job', 100, { stream: log.stream, now: c.now, logEveryMs: 1000 });
  for (let i = 1; i <= 100; i++) {
    c.advance(100);
    b.update(i);
  }
  const lines = log.text().trim().split('\n');
  // At most one line a second over 10 s, plus the first and the last.
  expect(lines.length).toBeGreaterThanOrEqual(10);
  expect(lines.length).toBeLessThanOrEqual(12);
  expect(log.text()).not.toContain('\r');
  expect(lines[lines.length - 1]).toMatch(/100% 100\/100 .*took 0:10$/);

  const off = sink(true, 80);
  new ProgressBar('job', 5, { stream: off.stream, enabled: false }).update(5);
  expect(off.text()).toBe('');
});

test('there is one progress-bar module: no other source file draws a bar', () => {
  const root = path.resolve(__dirname, '../../src');
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts')) files.push(p);
    }
  };
  walk(root);
  const drawing = files.filter((f) => {
    const s = fs.readFileSync(f, 'utf8');
    return /class \w*Progress\w*\b/.test(s) || /`\\r\$\{/.test(s) || /\.repeat\([^)]*\)\s*\+\s*'\.'\.repeat/.test(s);
  });
  expect(drawing.map((f) => path.relative(root, f))).toEqual([path.join('cli', 'progress.ts')]);
});
