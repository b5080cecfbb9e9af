#!/usr/bin/env node
import { HELP, parseCliArgs, type CliArgs } from './args.js';
import { ExitCode } from './errors.js';
import { reportFailure } from './failure.js';
import { generatorPackage } from './version.js';

// A reader that stops early (`create-mcp-prod --dry-run | head`) closes our stdout: the rest of the
// output has nowhere to go, which is not an error. Writes are dropped and the run goes on, so a
// create in progress still finishes (or rolls back) as it would have.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
  throw error;
});

/**
 * argv → command. The build makes this file a small CommonJS script that holds only argument
 * parsing and the help text, so `--help` and `--version` load nothing else.
 */
async function main(argv: readonly string[]): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.help) {
    process.stdout.write(`${HELP}\n`);
    return ExitCode.ok;
  }
  if (args.version) {
    process.stdout.write(`${generatorPackage().version}\n`);
    return ExitCode.ok;
  }
  return runCommand(args);
}

/**
 * Each command is a bundle of its own, holding all of our code it runs, so a command loads one
 * file (and a dependency only when it gets to use it). The build turns these import()s into
 * require()s of CommonJS bundles: see scripts/build.mjs.
 */
async function runCommand(args: CliArgs): Promise<number> {
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

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = reportFailure(error);
  },
);
