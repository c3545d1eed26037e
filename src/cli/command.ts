import { parseArgs, ParseArgsConfig } from 'util';

/** One CLI command: `qahan <name> ...`. Each lives in its own file under src/cli/commands/. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  /** Returns the process exit code. */
  run(argv: string[]): Promise<number>;
}

import { UsageError } from '../errors';

/** Thrown for bad command-line input: printed without a stack trace, exit code 2 (a QahanError, from src/errors.ts). */
export { UsageError };

export type Options = NonNullable<ParseArgsConfig['options']>;

/** util.parseArgs with errors turned into UsageErrors. */
export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function parseCommandArgs(argv: string[], options: Options, allowPositionals = true): ParsedArgs {
  try {
    const r = parseArgs({ args: argv, options, allowPositionals, strict: true });
    return { values: r.values as ParsedArgs['values'], positionals: r.positionals };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
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
