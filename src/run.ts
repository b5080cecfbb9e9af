import type { CliArgs } from './args.js';
import { reportFailure } from './failure.js';

/**
 * Runs one command and reports its failure, returning the exit code. The bin entry (`cli.ts`)
 * imports this module only when there is a command to run, and gets a number back rather than an
 * error: errors thrown here are this module's classes, which the entry cannot recognise.
 */
export async function runCommand(args: CliArgs): Promise<number> {
  try {
    return await dispatch(args);
  } catch (error) {
    return reportFailure(error);
  }
}

/** Each command module is its own chunk, loaded only when that command runs. */
async function dispatch(args: CliArgs): Promise<number> {
  switch (args.command) {
    case 'create':
      return (await import('./commands/create.js')).create(args);
    case 'add-tool':
    case 'add-resource':
    case 'add-prompt':
      return (await import('./commands/add.js')).add(args);
    case 'check':
      return (await import('./commands/check.js')).check(args);
    case 'update':
      return (await import('./commands/update.js')).update(args);
    case 'render':
      return (await import('./commands/render.js')).render(args);
  }
}
