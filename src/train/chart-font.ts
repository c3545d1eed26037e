/**
 * The sans-serif font the chart PNGs are drawn in. The SVGs ask for "Helvetica, Arial, sans-serif";
 * resvg maps the generic family to a font it was given, and with only the system fonts loaded it picked
 * whatever came first (a serif on Debian). So the renderer loads one sans-serif file explicitly: the
 * file in QAHAN_FONT, else the first installed of a few common ones (DejaVu Sans is Debian's
 * fonts-dejavu-core; nothing is shipped with qahan, so no font licence travels with the package).
 */
import * as fs from 'fs';
import * as path from 'path';

export interface ChartFont {
  /** Font files to load (regular, and bold when there is one beside it). */
  files: string[];
  /** The family name inside the regular file (its 'name' table). */
  family: string;
}

/** Regular sans-serif fonts in their usual places; a Bold file beside one is loaded with it. */
export const SANS_CANDIDATES: readonly string[] = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf', // Debian, Ubuntu: fonts-dejavu-core
  '/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf', // Fedora
  '/usr/share/fonts/TTF/DejaVuSans.ttf', // Arch
  '/usr/share/fonts/dejavu/DejaVuSans.ttf', // Alpine
  '/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf', // Debian: fonts-liberation
  '/usr/share/fonts/liberation-sans/LiberationSans-Regular.ttf',
  '/System/Library/Fonts/Supplemental/Arial.ttf', // macOS
  '/Library/Fonts/Arial.ttf',
  'C:\\Windows\\Fonts\\arial.ttf',
];

const BOLD_BESIDE: [RegExp, string][] = [
  [/DejaVuSans\.ttf$/, 'DejaVuSans-Bold.ttf'],
  [/LiberationSans-Regular\.ttf$/, 'LiberationSans-Bold.ttf'],
  [/Arial\.ttf$/, 'Arial Bold.ttf'],
  [/arial\.ttf$/, 'arialbd.ttf'],
];

/**
 * The family name of a TrueType/OpenType font (first font of a collection): the typographic family
 * (name ID 16) when present, else the family (ID 1). Undefined when the file is not a font.
 */
export function fontFamily(bytes: Buffer): string | undefined {
  if (bytes.length < 12) return undefined;
  let base = 0;
  if (bytes.toString('latin1', 0, 4) === 'ttcf') base = bytes.readUInt32BE(12);
  if (base + 12 > bytes.length) return undefined;
  const numTables = bytes.readUInt16BE(base + 4);
  let name = -1;
  for (let t = 0; t < numTables; t++) {
    const rec = base + 12 + 16 * t;
    if (rec + 16 > bytes.length) return undefined;
    if (bytes.toString('latin1', rec, rec + 4) === 'name') name = bytes.readUInt32BE(rec + 8);
  }
  if (name < 0 || name + 6 > bytes.length) return undefined;
  const count = bytes.readUInt16BE(name + 2);
  const strings = name + bytes.readUInt16BE(name + 4);
  const found = new Map<number, string>();
  for (let r = 0; r < count; r++) {
    const rec = name + 6 + 12 * r;
    if (rec + 12 > bytes.length) break;
    const platform = bytes.readUInt16BE(rec);
    const language = bytes.readUInt16BE(rec + 4);
    const id = bytes.readUInt16BE(rec + 6);
    const len = bytes.readUInt16BE(rec + 8);
    const off = strings + bytes.readUInt16BE(rec + 10);
    if ((id !== 1 && id !== 16) || found.has(id) || off + len > bytes.length) continue;
    // Windows names are UTF-16BE (English, 0x409, preferred by taking the first); Mac Roman ones are ASCII for these fonts.
    if (platform === 3 && (language === 0x409 || language === 0)) found.set(id, utf16be(bytes, off, len));
    else if (platform === 1 && language === 0) found.set(id, bytes.toString('latin1', off, off + len));
  }
  return found.get(16) ?? found.get(1);
}

function utf16be(bytes: Buffer, off: number, len: number): string {
  let s = '';
  for (let i = 0; i + 1 < len; i += 2) s += String.fromCharCode(bytes.readUInt16BE(off + i));
  return s;
}

let cached: { key: string; font: ChartFont | undefined } | undefined;

/** The font to draw charts in: QAHAN_FONT, else the first installed candidate; undefined when none is found. */
export function chartFont(env: NodeJS.ProcessEnv = process.env, candidates: readonly string[] = SANS_CANDIDATES): ChartFont | undefined {
  const key = `${env.QAHAN_FONT ?? ''}\u0000${candidates.join('\u0000')}`;
  if (cached?.key === key) return cached.font;
  const files = env.QAHAN_FONT ? [env.QAHAN_FONT] : candidates;
  let font: ChartFont | undefined;
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      if (env.QAHAN_FONT) throw new Error(`QAHAN_FONT=${file}: cannot read the font file`);
      continue;
    }
    const family = fontFamily(bytes);
    if (!family) {
      if (env.QAHAN_FONT) throw new Error(`QAHAN_FONT=${file}: not a TrueType/OpenType font`);
      continue;
    }
    const bold = BOLD_BESIDE.find(([re]) => re.test(file));
    const boldFile = bold ? path.join(path.dirname(file), bold[1]) : undefined;
    font = { files: boldFile && fs.existsSync(boldFile) ? [file, boldFile] : [file], family };
    break;
  }
  cached = { key, font };
  return font;
}
