import { parseArgs, ParseArgsConfig } from 'util';
import { UsageError } from '../errors';

/**
 * One command-line option, declared once: parsing, `--help` and the help test all read this. Description
 * and default are required so that an option cannot be added without saying what it does and what
 * happens when it is left out.
 */
export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** The value's placeholder in the help (e.g. 'N', 'FILE'); strings only. */
  value?: string;
  /** One line: what the option does. */
  description: string;
  /** What applies when the option is absent ('none' when nothing does, 'required' when it must be given). */
  default: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** A string option: its value's placeholder, what it does, what applies without it. */
export const stringSpec = (value: string, description: string, dflt: string) => ({ type: 'string', value, description, default: dflt }) as const;
/** A boolean flag (off unless given). */
export const flagSpec = (description: string, dflt = 'off') => ({ type: 'boolean', description, default: dflt }) as const;

/** One CLI command: `qahan <name> ...`. Each lives in its own file under src/cli/commands/. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Every option the command accepts (its `--help` lists them all). */
  options: OptionSpecs;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

/** Thrown for bad command-line input: printed without a stack trace, exit code 2 (a QahanError, from src/errors.ts). */
export { UsageError };

export type Options = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with errors turned into UsageErrors. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

function parseConfig(options: OptionSpecs): Options {
  return Object.fromEntries(
    Object.entries(options).map(([name, o]) => [name, { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) }]),
  ) as Options;
}

export function parseCommandArgs(argv: string[], options: OptionSpecs, allowPositionals = true): ParsedArgs {
  try {
    const r = parseArgs({ args: argv, options: parseConfig(options), allowPositionals, strict: true });
    return { values: r.values as ParsedArgs['values'], positionals: r.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** `--help`: usage, summary, then one line per option with its description and default. */
export function formatHelp(command: Command): string {
  const flag = (name: string, o: OptionSpec) => `${o.short ? `-${o.short}, ` : ''}--${name}${o.type === 'string' ? ` ${o.value ?? 'X'}` : ''}`;
  const flags = Object.entries(command.options).map(([name, o]) => flag(name, o));
  const col = Math.min(30, Math.max('-h, --help'.length, ...flags.map((f) => f.length)) + 2);
  const lines = [`Usage: ${command.usage}`, '', command.summary, '', 'Options:'];
  Object.entries(command.options).forEach(([name, o], i) => {
    const text = `${o.description} (default: ${o.default})`;
    const head = `  ${flags[i]}`;
    // A long flag gets its own line; the description starts in the same column on every line.
    if (head.length + 2 > col + 2) lines.push(head, `${' '.repeat(col + 2)}${text}`);
    else lines.push(`${head.padEnd(col + 2)}${text}`);
  });
  lines.push(`  ${'-h, --help'.padEnd(col)}this help`);
  return lines.join('\n');
}

export function intOption(value: string | undefined, name: string, fallback?: number, min = 1): number | undefined {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  return v;
}

export function numberOption(value: string | undefined, name: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const v = Number(value);
  if (!Number.isFinite(v)) throw new UsageError(`--${name} must be a number, got ${JSON.stringify(value)}`);
  return v;
}

export function choiceOption<T extends string>(value: string | undefined, name: string, choices: readonly T[], fallback?: T): T | undefined {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`);
  return value as T;
}

/** The figure options shared by the commands that draw (train, experiment, masks). */
export const FIGURE_OPTIONS = {
  scale: stringSpec('S', 'PNG pixels per SVG unit, for print (2 doubles width and height; the SVG is unchanged)', '1'),
} as const satisfies OptionSpecs;

/** --scale: a zoom of the PNG in (0, 10]. */
export function scaleOption(value: string | undefined): number {
  const s = numberOption(value, 'scale', 1)!;
  if (!(s > 0 && s <= 10)) throw new UsageError(`--scale must be in (0, 10], got ${JSON.stringify(value)}`);
  return s;
}
