import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          globalSetup: ['test/e2e/global-setup.ts'],
          // Each generated repo is installed and built once; files run one at a time to fit 2 cores.
          fileParallelism: false,
          // A generated repo's own suite (build, lint, tests) runs inside one test: the database
          // variant's takes several minutes on 2 busy cores, so the limit is generous.
          testTimeout: 900_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
