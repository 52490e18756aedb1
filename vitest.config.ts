import { defineConfig } from 'vitest/config';

// Two projects: `unit` needs nothing running; `integration` talks to the real Temporal dev
// server, Postgres, Prometheus and local receivers, so it runs its files one at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: [
            'domain/**/*.test.ts',
            'alerts/**/*.unit.test.ts',
            'logging/**/*.unit.test.ts',
            'api/**/*.unit.test.ts',
          ],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/reliability/**'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
      {
        // Fault injection: kills workers, drops connections, restarts servers. Its own target, run after the rest.
        test: {
          name: 'reliability',
          include: ['test/reliability/**/*.test.ts'],
          // Clears the scenario table before the run and prints it after the last file.
          globalSetup: ['test/support/scenario-report.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 600_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
