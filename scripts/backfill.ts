/** Runs the daily monitoring for every weekday in a date range, oldest first, one day at a time. */
import { parseArgs } from 'node:util';
import { readTemporalConfig } from '../config/index.js';
import { readMonitoringSettings } from '../config/monitoring-settings.js';
import { connectClient } from '../temporal/connection.js';
import { runDay, weekdaysBetween } from '../temporal/daily-runs.js';
import { isoDayArgument, runScript, UsageError } from './lib/cli.js';

const USAGE = `Usage: npx tsx scripts/backfill.ts --from YYYY-MM-DD --to YYYY-MM-DD
  Runs daily-monitoring-<date> for each weekday from --from to --to inclusive, in order, waiting for
  each: a day's labels and rolling windows build on the days before it, so days are not run in
  parallel. Exchange holidays find no BhavCopy and no predictions and finish as "not a trading day".
  Needs a running worker (npm run worker). Safe to repeat: finished days are re-run idempotently.
Examples:
  npx tsx scripts/backfill.ts --from 2024-04-15 --to 2024-10-22
`;

runScript('backfill', USAGE, async (argv) => {
  const { values } = parseArgs({ args: argv, options: { from: { type: 'string' }, to: { type: 'string' } } });
  const from = isoDayArgument('from', values.from);
  const to = isoDayArgument('to', values.to);
  if (from > to) throw new UsageError(`--from ${from} is after --to ${to}`);
  const temporal = readTemporalConfig();
  const settings = readMonitoringSettings();
  const { client, close } = await connectClient(temporal);
  try {
    for (const date of weekdaysBetween(from, to)) {
      const summary = await runDay(client, { date, settings, taskQueue: temporal.taskQueue });
      process.stdout.write(`${summary.text}\n`);
    }
  } finally {
    await close();
  }
});
