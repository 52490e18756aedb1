/**
 * A worker for the crash test, run in its own process (`npx tsx test/support/rollback-crash-worker.ts`) so the test
 * can kill it with SIGKILL mid-activity. Its switch activity commits the switch, drops a marker file, then hangs:
 * the worst moment to die, after the database changed and before Temporal heard the activity completed.
 *
 * Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE, DATABASE_URL, BUNDLE_PATH (prebuilt workflow
 * bundle, so the child does not spend seconds bundling), MARKER_PATH.
 */
import fs from 'node:fs';
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { readConfig } from '../../config/index.js';
import { openDatabase } from '../../db/client.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const markerPath = required('MARKER_PATH');
  const database = await openDatabase({ databaseUrl: required('DATABASE_URL'), dataDir: '/nonexistent' });
  const config = readConfig({ DATA_DIR: '/tmp/vcp-rollback-crash' });
  const activities = createActivities({ db: database.db, config, channels: new Map(), now: () => new Date() });
  const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: required('TASK_QUEUE'),
    workflowBundle: { codePath: required('BUNDLE_PATH') },
    // The workflow task after the crash should move to the shared queue quickly, not after the default 10 s.
    stickyQueueScheduleToStartTimeout: '1 second',
    activities: {
      ...activities,
      switchActiveModel: async (input: Parameters<typeof activities.switchActiveModel>[0]) => {
        const result = await activities.switchActiveModel(input);
        fs.writeFileSync(markerPath, JSON.stringify(result));
        return new Promise<never>(() => undefined);
      },
    },
  });
  console.log('crash-worker ready');
  await worker.run();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
