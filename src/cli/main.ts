#!/usr/bin/env node
import type { Command } from './command';
import { formatHelp, UsageError } from './command';

/** Commands load lazily so that `qahan solve` never pays for TensorFlow.js. */
export const COMMANDS: Readonly<Record<string, () => Command>> = {
  solve: () => require('./commands/solve').command,
  info: () => require('./commands/info').command,
  config: () => require('./commands/config').command,
  'mock-sapi': () => require('./commands/mock-sapi').command,
  train: () => training('train'),
  experiment: () => training('experiment'),
  masks: () => training('masks'),
};

/** A command that loads TensorFlow.js (an optional peer): a clear message when it is not installed. */
function training(name: string): Command {
  require('../train/require-tfjs').requireTrainingPackages(`qahan ${name}`);
  return require(`./commands/${name}`).command;
}

function help(): string {
  const lines = ['Usage: qahan <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS)) {
    try {
      lines.push(`  ${name.padEnd(12)} ${load().summary}`);
    } catch {
      lines.push(`  ${name.padEnd(12)} (unavailable)`);
    }
  }
  lines.push('', "Run 'qahan <command> --help' for a command's options.");
  return lines.join('\n');
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    console.log(require('../../package.json').version);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`qahan: unknown command '${name}'\n\n${help()}`);
    return 2;
  }
  let command: Command;
  try {
    command = load();
  } catch (err) {
    // e.g. TensorFlow.js not installed for train/experiment/masks: the message says what to install.
    console.error(`qahan ${name}: ${(err as Error).message}`);
    return 1;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(formatHelp(command));
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`qahan ${name}: ${err.message}\nUsage: ${command.usage}`);
      return 2;
    }
    const e = err as Error;
    console.error(`qahan ${name}: ${e.name && e.name !== 'Error' ? `${e.name}: ` : ''}${e.message}`);
    if (process.env.QAHAN_DEBUG) console.error(e.stack);
    return 1;
  }
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
