import fs from 'fs';
import path from 'path';

/** A Markdown table from rows of plain values; numbers get `digits` significant places. */
export function markdownTable(rows: Record<string, unknown>[], columns?: string[], digits = 4): string {
  if (rows.length === 0) return '_no rows_\n';
  const cols = columns ?? Object.keys(rows[0]);
  const fmt = (v: unknown) =>
    v === null || v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? String(v) : Number(v.toPrecision(digits)).toString()) : String(v);
  return [`| ${cols.join(' | ')} |`, `| ${cols.map(() => '---').join(' | ')} |`, ...rows.map((r) => `| ${cols.map((c) => fmt(r[c])).join(' | ')} |`)].join('\n') + '\n';
}

/** Writes JSON and Markdown side by side, through a temp file so a crash never leaves half a report. */
export function writeReport(dir: string, name: string, json: unknown, markdown: string): { json: string; markdown: string } {
  fs.mkdirSync(dir, { recursive: true });
  const files = { json: path.join(dir, `${name}.json`), markdown: path.join(dir, `${name}.md`) };
  for (const [file, body] of [[files.json, JSON.stringify(json, null, 2) + '\n'], [files.markdown, markdown]] as const) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, body);
    fs.renameSync(tmp, file);
  }
  return files;
}
