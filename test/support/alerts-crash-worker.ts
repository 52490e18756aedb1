/**
 * A worker for the alert delivery crash test, run in its own process (`npx tsx test/support/alerts-crash-worker.ts`)
 * so the test can SIGKILL it while a send hangs: the receiver has the message, the activity has not completed.
 * It builds the same activities as the real worker, with the channels read from the environment the way
 * workers/worker.ts reads them, and shorter channel timeouts so a retry comes within seconds.
 *
 * Environment: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TASK_QUEUE, DATABASE_URL, BUNDLE_PATH (prebuilt workflow
 * bundle), CHANNEL_TIMEOUT_MS, and the channel variables (SLACK_WEBHOOK_URL, SMTP_HOST, SMTP_PORT,
 * ALERT_EMAIL_FROM, ALERT_EMAIL_TO, PAGERDUTY_ROUTING_KEY, PAGERDUTY_EVENTS_URL).
 */
import { NativeConnection, Worker } from '@temporalio/worker';
import { createActivities } from '../../activities/index.js';
import { createChannels } from '../../alerts/channels/index.js';
import { readAlertChannelConfig } from '../../alerts/config.js';
import { readConfig } from '../../config/index.js';
import { openDatabase } from '../../db/client.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const timeoutMs = Number(process.env.CHANNEL_TIMEOUT_MS ?? 4_000);
  const channelConfig = readAlertChannelConfig(process.env);
  const channels = createChannels({
    ...(channelConfig.slack ? { slack: { ...channelConfig.slack, timeoutMs } } : {}),
    ...(channelConfig.email ? { email: { ...channelConfig.email, timeoutMs } } : {}),
    ...(channelConfig.pagerduty ? { pagerduty: { ...channelConfig.pagerduty, timeoutMs } } : {}),
  });
  const database = await openDatabase({ databaseUrl: required('DATABASE_URL'), dataDir: '/nonexistent' });
  const config = readConfig({ DATA_DIR: '/tmp/vcp-alerts-crash' });
  const connection = await NativeConnection.connect({ address: required('TEMPORAL_ADDRESS') });
  const worker = await Worker.create({
    connection,
    namespace: process.env.TEMPORAL_NAMESPACE ?? 'default',
    taskQueue: required('TASK_QUEUE'),
    workflowBundle: { codePath: required('BUNDLE_PATH') },
    // After a crash the next workflow task should move to the shared queue at once, not after the default 10 s.
    stickyQueueScheduleToStartTimeout: '1 second',
    activities: createActivities({ db: database.db, config, channels, now: () => new Date() }),
  });
  console.log('alerts-crash-worker ready');
  await worker.run();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
