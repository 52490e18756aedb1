/** Runs (or re-runs) the daily monitoring of one date through Temporal and prints its summary. */
import { parseArgs } from 'node:util';
import { readTemporalConfig } from '../config/index.js';
import { readMonitoringSettings } from '../config/monitoring-settings.js';
import { connectClient } from '../temporal/connection.js';
import { startDailyRun } from '../temporal/daily-runs.js';
import type { DailyRunSummary } from '../workflows/types.js';
import { isoDayArgument, runScript } from './lib/cli.js';

const USAGE = `Usage: npx tsx scripts/run-day.ts --date YYYY-MM-DD [--no-wait]
  Starts daily-monitoring-<date> on TEMPORAL_TASK_QUEUE (a worker must be running: npm run worker),
  or attaches to it if it is already running, and prints the run's summary. Re-running a finished
  day is safe: every stage upserts, so the stored rows are those of one run and no alert is resent.
  Thresholds come from the environment (see config/monitoring-settings.ts), e.g. F1_SEVERE_DROP=0.08.
Examples:
  npx tsx scripts/run-day.ts --date 2024-09-16
  npx tsx scripts/run-day.ts --date 2024-09-16 --no-wait
`;

runScript('run-day', USAGE, async (argv) => {
  const { values } = parseArgs({ args: argv, options: { date: { type: 'string' }, 'no-wait': { type: 'boolean' } } });
  const date = isoDayArgument('date', values.date);
  const temporal = readTemporalConfig();
  const { client, close } = await connectClient(temporal);
  try {
    const handle = await startDailyRun(client, {
      date,
      settings: readMonitoringSettings(),
      taskQueue: temporal.taskQueue,
    });
    process.stdout.write(`workflow ${handle.workflowId}\n`);
    if (values['no-wait']) return;
    const summary = (await handle.result()) as DailyRunSummary;
    process.stdout.write(`${summary.text}\n${JSON.stringify(summary.reports)}\n`);
  } finally {
    await close();
  }
});
