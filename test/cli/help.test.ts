/**
 * Every command's --help lists every option it declares, each with a one-line description and its
 * default: a new option without them fails here (and does not type-check: OptionSpec requires both).
 */
import { COMMANDS, main } from '../../src/cli/main';
import { formatHelp, Command, OptionSpec } from '../../src/cli/command';

async function helpOf(name: string): Promise<string> {
  const out: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void out.push(a.join(' ')));
  try {
    expect(await main([name, '--help'])).toBe(0);
  } finally {
    log.mockRestore();
  }
  return out.join('\n');
}

/** The help text that belongs to one option: from its flag to the next flag. */
function entry(help: string, name: string, o: OptionSpec): string {
  const lines = help.split('\n');
  const flag = `--${name}${o.type === 'string' ? ' ' : ''}`;
  const i = lines.findIndex((l) => new RegExp(`^  (-\\w, )?${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(l) && (o.type === 'string' || new RegExp(`--${name}(\\s|$)`).test(l)));
  if (i < 0) return '';
  const next = lines.findIndex((l, j) => j > i && /^  -/.test(l));
  return lines.slice(i, next < 0 ? undefined : next).join('\n');
}

/** What is wrong with the help's entries for the command's options (empty: nothing). */
function problems(help: string, command: Command): string[] {
  const out: string[] = [];
  for (const [opt, spec] of Object.entries(command.options)) {
    const text = entry(help, opt, spec).replace(/\s+/g, ' ');
    if (!text) {
      out.push(`--${opt}: not in the help`);
      continue;
    }
    if (spec.description.trim().length < 4 || /\n/.test(spec.description) || !text.includes(spec.description.replace(/\s+/g, ' '))) out.push(`--${opt}: no description`);
    if (!spec.default.trim() || !text.includes(`(default: ${spec.default})`)) out.push(`--${opt}: no default`);
  }
  return out;
}

const names = Object.keys(COMMANDS);

test('the registry holds every command', () => {
  expect(names.sort()).toEqual(['config', 'experiment', 'info', 'masks', 'mock-sapi', 'solve', 'train']);
});

describe.each(names)('qahan %s --help', (name) => {
  let command: Command;
  let help: string;
  beforeAll(async () => {
    command = COMMANDS[name]();
    help = await helpOf(name);
  });

  test('starts with the usage and the summary', () => {
    expect(help).toBe(formatHelp(command));
    expect(help.startsWith(`Usage: ${command.usage}`)).toBe(true);
    expect(help).toContain(command.summary);
  });

  test('lists each declared option with a description and its default', () => {
    expect(Object.keys(command.options).length).toBeGreaterThan(0);
    expect(problems(help, command)).toEqual([]);
  });

  test('no option is listed twice', () => {
    const flags = [...help.matchAll(/^ {2}(?:-\w, )?--([a-z0-9-]+)/gm)].map((m) => m[1]).filter((f) => f !== 'help');
    expect(new Set(flags).size).toBe(flags.length);
    expect(flags.sort()).toEqual(Object.keys(command.options).sort());
  });
});

test('the check catches an option without a description or default, or missing from the help', () => {
  const bad: Command = {
    name: 'x',
    summary: 's',
    usage: 'qahan x',
    options: { good: { type: 'string', value: 'N', description: 'a fine option', default: '3' }, quiet: { type: 'boolean', description: '', default: '' } },
    run: async () => 0,
  };
  expect(problems(formatHelp(bad), bad)).toEqual(['--quiet: no description', '--quiet: no default']);
  expect(problems(formatHelp(bad).replace(/^.*--good.*$/m, ''), bad)).toEqual(['--good: not in the help', '--quiet: no description', '--quiet: no default']);
});
