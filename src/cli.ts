#!/usr/bin/env node
import { HELP, parseCliArgs, type CliArgs } from './args.js';
import { CliError, ExitCode } from './errors.js';
import { generatorPackage } from './version.js';

// A reader that stops early (`create-mcp-prod --dry-run | head`) closes our stdout: the rest of the
// output has nowhere to go, which is not an error. Writes are dropped and the run goes on, so a
// create in progress still finishes (or rolls back) as it would have.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') return;
  throw error;
});

/** argv → command. Command modules are imported only when needed so `--help` and `--version` start fast. */
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
  return run(args);
}

async function run(args: CliArgs): Promise<number> {
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
    if (error instanceof CliError) {
      process.stderr.write(`create-mcp-prod: ${error.message}\n`);
      process.exitCode = error.exitCode;
      return;
    }
    const detail = process.env.DEBUG && error instanceof Error ? (error.stack ?? error.message) : String(error);
    process.stderr.write(`create-mcp-prod: unexpected error: ${detail}\n`);
    process.exitCode = ExitCode.failure;
  },
);
