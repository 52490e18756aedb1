/**
 * A vcp-monitor worker in its own process, for the fault-injection suite: `npx tsx test/support/child-worker.ts`.
 * A test kills it with SIGKILL while a stage is in flight, which no in-process worker can imitate (shutdown is
 * always graceful there). The same file exports the helpers that spawn, await and kill it.
 *
 * Environment: DATABASE_URL, TEMPORAL_ADDRESS, TEMPORAL_TASK_QUEUE, BHAVCOPY_SOURCE, REPORTS_DIR, DATA_DIR, the
 * channel variables the production worker reads (SLACK_WEBHOOK_URL, SMTP_*, ALERT_EMAIL_*, PAGERDUTY_*), and
 * BUNDLE_PATH (a prebuilt workflow bundle, so a child starts in seconds instead of bundling), and CHANNEL_TIMEOUT_MS
 * (each channel's request timeout, so a test whose receiver hangs sees the retry within seconds).
 *
 * Fault hook, read only here and never by production code:
 * - FAULT_HOLD_ACTIVITY=<activityType> holds that activity on its first attempt, FAULT_HOLD_MS long (60 s default);
 * - FAULT_HOLD_AFTER unset holds before the real activity runs; `1` holds after it returned (its writes are
 *   committed, Temporal has not heard); `send` holds after the channel adapter's send returned and before the
 *   activity records the delivery (the provider has the message, the database does not);
 * - FAULT_HOLD_IN_DB=1 holds inside the database (`select pg_sleep`) on the worker's own pool, so a dropped
 *   connection fails the attempt the way it fails a real query;
 * - FAULT_HOLD_CHANNEL=<channel> holds deliverAlert only for that channel; FAULT_HOLD_COUNT (1) caps the holds.
 * It prints `ready` once polling and `fault-hold <activity> <phase>` when a hold begins.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Context } from '@temporalio/activity';
import { NativeConnection, Worker } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import { createActivities } from '../../activities/index.js';
import { createChannels, type AlertChannelConfig } from '../../alerts/channels/index.js';
import { readAlertChannelConfig } from '../../alerts/config.js';
import type { AlertChannel, ChannelName } from '../../alerts/types.js';
import { readConfig } from '../../config/index.js';
import { openDatabase, type Database } from '../../db/client.js';
import { installTemporalLogging } from '../../workers/temporal-logging.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

type ActivityFn = (input: unknown) => Promise<unknown>;

interface FaultHook {
  readonly activity: string;
  readonly ms: number;
  readonly after: 'none' | 'return' | 'send';
  readonly inDb: boolean;
  readonly channel: string | undefined;
  remaining: number;
}

function readFaultHook(env: NodeJS.ProcessEnv): FaultHook | undefined {
  const activity = env.FAULT_HOLD_ACTIVITY?.trim();
  if (!activity) return undefined;
  const after = env.FAULT_HOLD_AFTER === '1' ? 'return' : env.FAULT_HOLD_AFTER === 'send' ? 'send' : 'none';
  return {
    activity,
    ms: Number(env.FAULT_HOLD_MS ?? 60_000),
    after,
    inDb: env.FAULT_HOLD_IN_DB === '1',
    channel: env.FAULT_HOLD_CHANNEL?.trim() || undefined,
    remaining: Number(env.FAULT_HOLD_COUNT ?? 1),
  };
}

function holder(hook: FaultHook, db: Database): (phase: string) => Promise<void> {
  return async (phase) => {
    console.log(`fault-hold ${hook.activity} ${phase}`);
    if (hook.inDb) await db.execute(sql`select pg_sleep(${hook.ms / 1000})`);
    else await new Promise((resolve) => setTimeout(resolve, hook.ms));
  };
}

/** Whether this invocation is the one to hold: first attempt, matching channel, holds left. */
function claimHold(hook: FaultHook, input: unknown): boolean {
  if (hook.remaining <= 0 || Context.current().info.attempt !== 1) return false;
  const channel = (input as { channel?: string } | undefined)?.channel;
  if (hook.channel !== undefined && channel !== hook.channel) return false;
  hook.remaining -= 1;
  return true;
}

function withChannelTimeout(config: AlertChannelConfig): AlertChannelConfig {
  const raw = process.env.CHANNEL_TIMEOUT_MS;
  if (!raw) return config;
  const timeoutMs = Number(raw);
  return {
    ...(config.slack ? { slack: { ...config.slack, timeoutMs } } : {}),
    ...(config.email ? { email: { ...config.email, timeoutMs } } : {}),
    ...(config.pagerduty ? { pagerduty: { ...config.pagerduty, timeoutMs } } : {}),
  };
}

async function main(): Promise<void> {
  process.env.TEMPORAL_LOG_LEVEL ??= 'WARN';
  installTemporalLogging();
  const config = readConfig();
  const database = await openDatabase(config);
  const hook = readFaultHook(process.env);
  const hold = hook ? holder(hook, database.db) : undefined;

  // The `send` phase needs the adapter itself wrapped: the activity's own writes come after it returns.
  const sendHeld = { armed: false };
  const channels = new Map<ChannelName, AlertChannel>();
  for (const [name, channel] of createChannels(withChannelTimeout(readAlertChannelConfig(process.env)))) {
    channels.set(name, {
      name: channel.name,
      send: async (message) => {
        const receipt = await channel.send(message);
        if (sendHeld.armed && hold) {
          sendHeld.armed = false;
          await hold('after-send');
        }
        return receipt;
      },
    });
  }

  const activities = createActivities({
    db: database.db,
    config,
    channels,
    now: () => new Date(),
  }) as unknown as Record<string, ActivityFn>;
  if (hook && hold) {
    const real = activities[hook.activity];
    if (!real) throw new Error(`FAULT_HOLD_ACTIVITY=${hook.activity} is not an activity of the worker`);
    activities[hook.activity] = async (input) => {
      if (!claimHold(hook, input)) return real(input);
      if (hook.after === 'none') {
        await hold('before');
        return real(input);
      }
      if (hook.after === 'send') sendHeld.armed = true;
      const result = await real(input);
      await hold('after');
      return result;
    };
  }

  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const worker = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    ...(process.env.BUNDLE_PATH
      ? { workflowBundle: { codePath: process.env.BUNDLE_PATH } }
      : { workflowsPath: path.join(ROOT, 'workflows', 'index.ts') }),
    activities,
    // After a crash the workflow task should leave the dead worker's sticky queue at once, not after 10 s.
    stickyQueueScheduleToStartTimeout: '1 second',
    shutdownGraceTime: '1 second',
  });
  console.log('ready');
  await worker.run();
  await connection.close();
  await database.close();
}

// --- helpers for the tests that run it ------------------------------------------------------------------------------

export interface ChildWorker {
  readonly process: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** Resolves on the first line starting with `prefix`, e.g. `fault-hold detectDrift`. */
  waitForLine(prefix: string, timeoutMs?: number): Promise<string>;
  /** SIGKILL to the whole process group (npx, tsx and node), then waits for the exit. */
  kill(): Promise<void>;
  readonly exited: boolean;
}

export async function startChildWorker(
  env: Readonly<Record<string, string>>,
  readyTimeoutMs = 60_000,
): Promise<ChildWorker> {
  // Its own process group, so SIGKILL reaches the node process under tsx and not only the npx wrapper.
  const child = spawn('npx', ['tsx', 'test/support/child-worker.ts'], {
    cwd: ROOT,
    env: { ...process.env, TEMPORAL_LOG_LEVEL: 'WARN', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  const waiters: { prefix: string; resolve: (line: string) => void }[] = [];
  const scan = (): void => {
    const lines = text.split('\n');
    for (const w of [...waiters]) {
      const line = lines.find((l) => l.startsWith(w.prefix));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(line);
      }
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    text += chunk.toString();
    scan();
  });
  child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let exited = false;
  void exit.then(() => (exited = true));

  const handle: ChildWorker = {
    process: child,
    output: () => text,
    get exited() {
      return exited;
    },
    waitForLine(prefix, timeoutMs = 60_000) {
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`child worker printed no "${prefix}" line in ${timeoutMs} ms:\n${text.slice(-3000)}`)),
          timeoutMs,
        );
        const done = (line: string): void => {
          clearTimeout(timer);
          resolve(line);
        };
        void exit.then(() => {
          clearTimeout(timer);
          reject(new Error(`child worker exited before printing "${prefix}":\n${text.slice(-3000)}`));
        });
        waiters.push({ prefix, resolve: done });
        scan();
      });
    },
    async kill() {
      if (exited || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is already gone.
      }
      await exit;
    },
  };
  await handle.waitForLine('ready', readyTimeoutMs);
  return handle;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
