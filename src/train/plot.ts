/**
 * A small SVG line-chart writer for the experiment reports: labelled axes with ticks, a legend, one
 * colour per series, an optional shaded band (e.g. mean +- std over seeds). PNG through
 * @resvg/resvg-js when that optional package loads, in an explicitly loaded sans-serif (chart-font.ts).
 */
import { chartFont } from './chart-font';

export interface Series {
  name: string;
  x: readonly number[];
  y: readonly number[];
  /** Band around y: [low, high] per point. */
  low?: readonly number[];
  high?: readonly number[];
  color?: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  yMin?: number;
  yMax?: number;
  xMin?: number;
  xMax?: number;
  /** Logarithmic x axis (values > 0). */
  logX?: boolean;
  /** Only whole-number x ticks (epochs, steps). */
  xInteger?: boolean;
  /** y values are fractions drawn as percentages (accuracies, as in the tables). */
  yPercent?: boolean;
}

/** What the SVGs ask for; the PNG renderer resolves the generic sans-serif to chartFont(). */
export const CHART_FONT_FAMILY = 'Helvetica, Arial, sans-serif';

/** One colour per method and protocol variant, stable across charts (13 variants outrun a 10-colour cycle). */
export const METHOD_COLORS: Record<string, string> = {
  qahan: '#d62728',
  'qahan@sqa': '#d62728',
  'qahan@sa': '#ff7f0e',
  'qahan-free@sqa': '#8c564b',
  'qahan-energy@sqa': '#e377c2',
  'qubo-ls': '#bcbd22',
  topk: '#17becf',
  reinforce: '#1f77b4',
  gumbel: '#2ca02c',
  soft: '#9467bd',
  none: '#7f7f7f',
};
const PALETTE = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#7f7f7f', '#ff7f0e', '#8c564b', '#e377c2', '#17becf', '#bcbd22'];

/** "topk-k23" -> "topk": a matched-count variant of a method. */
function matchedBase(name: string): string | undefined {
  return /^(.+)-k\d+$/.exec(name)?.[1];
}

/** A matched-count variant takes its method's colour and a dash (dashAttr), so the pair reads as one family. */
export function colorFor(name: string, index: number): string {
  return METHOD_COLORS[name] ?? METHOD_COLORS[matchedBase(name) ?? ''] ?? PALETTE[index % PALETTE.length];
}

function dashAttr(s: Series): string {
  return matchedBase(s.name) !== undefined ? ' stroke-dasharray="6 4"' : '';
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` round tick values covering [lo, hi]; whole numbers only with `integer`. */
export function niceTicks(lo: number, hi: number, count = 5, integer = false): number[] {
  if (!(hi > lo)) return integer ? [Math.round(lo)] : [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  // 2.5 is no step for whole numbers (0, 2.5, 5 ...), and no step is below 1.
  const factors = integer ? [1, 2, 5, 10] : [1, 2, 2.5, 5, 10];
  let step = factors.map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

/** A fraction as a percentage tick label: 0.9 -> "90%", 0.875 -> "87.5%". */
export function percentLabel(v: number): string {
  return `${Number((100 * v).toPrecision(4))}%`;
}

function fmt(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(1);
  return Number(v.toPrecision(4)).toString();
}

export function lineChartSvg(series: readonly Series[], o: ChartOptions): string {
  const W = o.width ?? 640;
  const H = o.height ?? 400;
  // The legend's column widens for long names (up to about 7.5 px a character at 12 px) rather than clipping them.
  const longest = Math.max(0, ...series.map((s) => s.name.length));
  const m = { left: 70, right: Math.min(Math.round(W / 2), Math.max(150, 52 + Math.ceil(7.5 * longest))), top: 40, bottom: 55 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const fx = (v: number) => (o.logX ? Math.log10(Math.max(v, 1e-12)) : v);
  const xs = series.flatMap((s) => s.x.map(fx)).filter(Number.isFinite);
  const ys = series.flatMap((s) => [...s.y, ...(s.low ?? []), ...(s.high ?? [])]).filter(Number.isFinite);
  let x0 = o.xMin !== undefined ? fx(o.xMin) : xs.length ? Math.min(...xs) : 0;
  let x1 = o.xMax !== undefined ? fx(o.xMax) : xs.length ? Math.max(...xs) : 1;
  if (x1 === x0) {
    x0 -= 0.5;
    x1 += 0.5;
  }
  let y0 = o.yMin ?? (ys.length ? Math.min(...ys) : 0);
  let y1 = o.yMax ?? (ys.length ? Math.max(...ys) : 1);
  if (y1 === y0) {
    y0 -= 0.5;
    y1 += 0.5;
  }
  const pad = (y1 - y0) * 0.05;
  if (o.yMin === undefined) y0 -= pad;
  if (o.yMax === undefined) y1 += pad;
  const px = (v: number) => m.left + ((fx(v) - x0) / (x1 - x0)) * pw;
  const py = (v: number) => m.top + (1 - (v - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="${CHART_FONT_FAMILY}" font-size="12">`);
  parts.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  // A long title is centred on the whole chart, not the plot area, so it does not run off the left edge.
  const titleX = 8.5 * o.title.length > pw ? W / 2 : m.left + pw / 2;
  parts.push(`<text x="${titleX}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(o.title)}</text>`);
  // Grid and ticks.
  const xt = o.logX ? niceTicks(x0, x1, 5).filter((v) => Number.isInteger(v)).map((v) => 10 ** v) : niceTicks(x0, x1, 6, o.xInteger);
  const yfmt = o.yPercent ? percentLabel : fmt;
  const yt = niceTicks(y0, y1, 5);
  parts.push('<g class="grid" stroke="#e5e5e5" stroke-width="1">');
  for (const v of yt) parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}"/>`);
  for (const v of xt) parts.push(`<line x1="${px(v).toFixed(1)}" x2="${px(v).toFixed(1)}" y1="${m.top}" y2="${m.top + ph}"/>`);
  parts.push('</g>');
  parts.push(`<g class="axes" stroke="#333" stroke-width="1"><line x1="${m.left}" y1="${m.top + ph}" x2="${m.left + pw}" y2="${m.top + ph}"/><line x1="${m.left}" y1="${m.top}" x2="${m.left}" y2="${m.top + ph}"/></g>`);
  parts.push('<g class="ticks" fill="#333">');
  for (const v of xt) parts.push(`<text class="x-tick" x="${px(v).toFixed(1)}" y="${m.top + ph + 16}" text-anchor="middle">${fmt(v)}</text>`);
  for (const v of yt) parts.push(`<text class="y-tick" x="${m.left - 6}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${yfmt(v)}</text>`);
  parts.push('</g>');
  parts.push(`<text class="x-label" x="${m.left + pw / 2}" y="${H - 12}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  parts.push(`<text class="y-label" transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  // Series: band first, then the line.
  series.forEach((s, i) => {
    const c = s.color ?? colorFor(s.name, i);
    const pts = s.x.map((x, j) => [x, s.y[j]] as const).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    parts.push(`<g class="series" data-name="${esc(s.name)}">`);
    if (s.low && s.high && pts.length > 1) {
      const up = s.x.map((x, j) => `${px(x).toFixed(1)},${py(s.high![j]).toFixed(1)}`);
      const down = s.x.map((x, j) => `${px(x).toFixed(1)},${py(s.low![j]).toFixed(1)}`).reverse();
      parts.push(`<polygon points="${[...up, ...down].join(' ')}" fill="${c}" fill-opacity="0.18" stroke="none"/>`);
    }
    if (pts.length) parts.push(`<polyline points="${pts.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}" fill="none" stroke="${c}" stroke-width="2"${dashAttr(s)}/>`);
    if (pts.length <= 30) for (const [x, y] of pts) parts.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="2.5" fill="${c}"/>`);
    parts.push('</g>');
  });
  // Legend.
  parts.push(`<g class="legend" transform="translate(${m.left + pw + 12} ${m.top + 4})">`);
  series.forEach((s, i) => {
    const c = s.color ?? colorFor(s.name, i);
    parts.push(`<line x1="0" x2="22" y1="${i * 20 + 6}" y2="${i * 20 + 6}" stroke="${c}" stroke-width="3"${dashAttr(s)}/><text x="28" y="${i * 20 + 10}">${esc(s.name)}</text>`);
  });
  parts.push('</g></svg>');
  return parts.join('\n');
}

export interface PngOptions {
  /** Pixels per SVG unit (2 doubles width and height, for print). Default 1. */
  scale?: number;
}

export interface PngResult {
  png?: Buffer;
  /** Why there is no PNG (resvg missing, bad SVG). */
  error?: string;
  /** The family the generic sans-serif was drawn in; undefined when no font file was found (system fonts then). */
  font?: string;
}

/**
 * Renders SVG to PNG with @resvg/resvg-js (an optional peer): text in chartFont(), the sans-serif the
 * SVG asks for. With no font file found it falls back to resvg's pick among the system fonts (`font`
 * undefined); a QAHAN_FONT that is not a font is an error.
 */
export function svgToPng(svg: string, o: PngOptions = {}): PngResult {
  const scale = o.scale ?? 1;
  if (!(scale > 0 && Number.isFinite(scale))) throw new RangeError(`PNG scale must be a number > 0, got ${scale}`);
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const { Resvg } = require('@resvg/resvg-js') as { Resvg: new (svg: string, o?: unknown) => { render(): { asPng(): Buffer } } };
    const font = chartFont();
    const fontOptions = font
      ? { loadSystemFonts: false, fontFiles: font.files, defaultFontFamily: font.family, sansSerifFamily: font.family }
      : { loadSystemFonts: true };
    const r = new Resvg(svg, { background: 'white', font: fontOptions, fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale } });
    return { png: r.render().asPng(), font: font?.family };
  } catch (err) {
    return { error: (err as Error).message.split('\n')[0] };
  }
}
