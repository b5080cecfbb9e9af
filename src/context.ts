import type { Answers } from './answers.js';

export type PackageManager = 'npm' | 'pnpm' | 'yarn' | 'bun';

export interface Output {
  /** Progress and results for the user (stdout). */
  info(line: string): void;
  /** Warnings and problems (stderr). */
  warn(line: string): void;
}

/** What the create steps hand to one another: resolved answers, where to write, and how. */
export interface CreateContext {
  cwd: string;
  /** Absolute path of the directory to create. */
  targetDir: string;
  answers: Answers;
  generatorVersion: string;
  packageManager: PackageManager;
  options: {
    install: boolean;
    git: boolean;
    force: boolean;
    dryRun: boolean;
  };
  out: Output;
}

export const consoleOutput: Output = {
  info: (line) => process.stdout.write(`${line}\n`),
  warn: (line) => process.stderr.write(`${line}\n`),
};

/** `npm_config_user_agent` is set by whichever package manager ran `create`, e.g. `pnpm/9.1.0 npm/? node/v20…`. */
export function detectPackageManager(userAgent = process.env.npm_config_user_agent): PackageManager {
  const name = userAgent?.split('/')[0];
  return name === 'pnpm' || name === 'yarn' || name === 'bun' ? name : 'npm';
}
