import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { useTempDirs } from './helpers/fs.js';

// The interactive path on a real terminal: tmux gives the CLI a pty, we type and read the screen.
// bash .ci/run installs tmux; without it these tests skip.

const cliPath = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const tempDir = useTempDirs('create-mcp-prod-tty-');
// A tmux server of our own (its own socket), so nothing here touches anyone else's sessions. A new
// socket for each test: a server just told to stop can still answer on its socket, and a session
// started there then fails with "server exited unexpectedly".
let socket = '';
let sockets = 0;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });

beforeEach(() => {
  sockets += 1;
  socket = `create-mcp-prod-test-${process.pid}-${sockets}`;
});

afterEach(() => {
  spawnSync('tmux', ['-L', socket, 'kill-server']);
});

/** Starts the CLI in a detached 120x40 terminal; the shell stays after it to show the exit code. */
function startCli(cwd: string, args: string[]): void {
  const command = `cd ${JSON.stringify(cwd)} && node ${JSON.stringify(cliPath)} ${args.join(' ')}; echo "EXIT=$?"; sleep 60`;
  tmux('new-session', '-d', '-s', 'cli', '-x', '120', '-y', '40', 'sh', '-c', command);
}

const screen = () => tmux('capture-pane', '-p', '-t', 'cli');

async function waitForScreen(pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = screen();
    if (pattern.test(text)) return text;
    if (Date.now() > deadline) throw new Error(`screen never matched ${String(pattern)}:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const keys = (...names: string[]) => tmux('send-keys', '-t', 'cli', ...names);

describe.skipIf(!hasTmux)('the CLI on a real terminal (tmux)', () => {
  it('refuses a non-empty target before asking anything', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'taken'));
    await writeFile(path.join(cwd, 'taken', 'notes.txt'), 'mine');
    startCli(cwd, ['taken', '--no-install', '--no-git']);
    const text = await waitForScreen(/EXIT=\d+/);
    expect(text).toContain('target directory taken is not empty');
    expect(text).toContain('EXIT=1');
    expect(text).not.toMatch(/Description|Transports/);
  }, 60_000);

  it('asks, re-asks an empty transport choice in plain words, and writes the repo', async () => {
    const cwd = await tempDir();
    startCli(cwd, ['fresh', '--no-install', '--no-git']);
    await waitForScreen(/Description/);
    keys('Enter');
    await waitForScreen(/Transports/);
    keys('Space', 'Enter'); // stdio was preselected: this leaves nothing chosen
    // Asked again, with the default (stdio) selected again: enter takes it.
    const warned = await waitForScreen(/Pick at least one transport[\s\S]*\? Transports/);
    expect(warned).not.toContain('Complete answerYou must');
    keys('Enter');
    await waitForScreen(/Database/);
    keys('Enter');
    const done = await waitForScreen(/EXIT=\d+/);
    expect(done).toContain('EXIT=0');
    expect(await readdir(path.join(cwd, 'fresh'))).toContain('package.json');
  }, 60_000);
});
