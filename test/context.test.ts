import { afterEach, describe, expect, it, vi } from 'vitest';
import { detectPackageManager } from '../src/context.js';

describe('detectPackageManager', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it.each([
    ['pnpm/9.1.0 npm/? node/v20.19.0 linux x64', 'pnpm'],
    ['yarn/4.2.2 npm/? node/v20.19.0 linux x64', 'yarn'],
    ['bun/1.1.8 npm/? node/v22.0.0 linux x64', 'bun'],
    ['npm/10.8.1 node/v20.19.0 linux x64 workspaces/false', 'npm'],
    ['', 'npm'],
    ['deno/2.0.0 npm/? node/v20', 'npm'],
    ['pnpmx/1.0.0', 'npm'],
  ] as const)('%j → %s', (userAgent, expected) => {
    expect(detectPackageManager(userAgent)).toBe(expected);
  });

  it('falls back to npm when npm_config_user_agent is not set', () => {
    vi.stubEnv('npm_config_user_agent', undefined);
    expect(detectPackageManager()).toBe('npm');
    expect(detectPackageManager(undefined)).toBe('npm');
  });

  it('reads npm_config_user_agent by default', () => {
    vi.stubEnv('npm_config_user_agent', 'yarn/1.22.22 npm/? node/v20.19.0 darwin arm64');
    expect(detectPackageManager()).toBe('yarn');
  });
});
