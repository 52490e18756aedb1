/** Creates, updates and operates the daily Temporal Schedule. */
import { parseArgs } from 'node:util';
import { readTemporalConfig } from '../config/index.js';
import { readMonitoringSettings } from '../config/monitoring-settings.js';
import { connectClient } from '../temporal/connection.js';
import { upsertDailySchedule } from '../temporal/daily-schedule.js';
import { DAILY_SCHEDULE_ID } from '../workflows/ids.js';
import { isoDayArgument, runScript, UsageError } from './lib/cli.js';

const USAGE = `Usage: npx tsx scripts/schedule.ts <command> [options]
Commands:
  upsert                  create the schedule, or update it in place (spec, action with the current
                          thresholds from the environment, policies): safe to run on every deploy
  describe                print its spec, policies, state, recent and next runs
  pause [--note TEXT]     stop taking actions (runs missed while paused are not caught up)
  unpause [--note TEXT]
  trigger                 start one run now (it monitors today's date in Asia/Kolkata)
  backfill --from D --to D   take the actions the schedule would have taken between those dates
  delete
Schedule: ${DAILY_SCHEDULE_ID}, 18:30 Asia/Kolkata Monday-Friday, overlap BUFFER_ONE, catch-up window 3 days.
Examples:
  npx tsx scripts/schedule.ts upsert
  npx tsx scripts/schedule.ts pause --note "exchange holiday week"
  npx tsx scripts/schedule.ts backfill --from 2024-09-02 --to 2024-09-06
  temporal schedule describe --schedule-id ${DAILY_SCHEDULE_ID}     # the same through the CLI
`;

/** 18:30 IST is 13:00 UTC: a backfill window must include that instant of each day it covers. */
function istEvening(date: string, end: boolean): Date {
  return new Date(`${date}T${end ? '13:01' : '12:59'}:00Z`);
}

runScript('schedule', USAGE, async (argv) => {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: { note: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } },
  });
  const temporal = readTemporalConfig();
  const { client, close } = await connectClient(temporal);
  try {
    const handle = client.schedule.getHandle(DAILY_SCHEDULE_ID);
    switch (command) {
      case 'upsert': {
        const { created } = await upsertDailySchedule(client, {
          taskQueue: temporal.taskQueue,
          settings: readMonitoringSettings(),
        });
        process.stdout.write(`schedule ${DAILY_SCHEDULE_ID} ${created ? 'created' : 'updated'}\n`);
        break;
      }
      case 'describe': {
        const d = await handle.describe();
        const out = {
          id: d.scheduleId,
          spec: d.spec,
          policies: d.policies,
          paused: d.state.paused,
          note: d.state.note,
          recentActions: d.info.recentActions.map((a) => ({
            scheduledAt: a.scheduledAt,
            workflowId: a.action.workflow.workflowId,
          })),
          nextActionTimes: d.info.nextActionTimes.slice(0, 5),
        };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        break;
      }
      case 'pause':
        await handle.pause(values.note ?? 'paused with scripts/schedule.ts');
        process.stdout.write('paused\n');
        break;
      case 'unpause':
        await handle.unpause(values.note ?? 'unpaused with scripts/schedule.ts');
        process.stdout.write('unpaused\n');
        break;
      case 'trigger':
        await handle.trigger();
        process.stdout.write('triggered\n');
        break;
      case 'backfill': {
        const from = isoDayArgument('from', values.from);
        const to = isoDayArgument('to', values.to);
        await handle.backfill({ start: istEvening(from, false), end: istEvening(to, true), overlap: 'BUFFER_ALL' });
        process.stdout.write(`backfill ${from}..${to} requested\n`);
        break;
      }
      case 'delete':
        await handle.delete();
        process.stdout.write('deleted\n');
        break;
      default:
        throw new UsageError(command ? `unknown command "${command}"` : 'a command is required');
    }
  } finally {
    await close();
  }
});
