/**
 * Exactly-once switch across a worker crash, on a real Temporal dev server and a real Postgres. The first worker
 * runs in a child process (`test/support/child-worker.ts`, its fault hook holding `switchActiveModel` after it
 * returned) and is killed with SIGKILL while the switch is committed and not yet reported: no graceful shutdown. The activity times out
 * (start-to-close 10 s), a fresh worker retries it, and the retry must find the switch done and do nothing.
 * (The time-skipping test server cannot be downloaded here, so the timeout elapses in real time.)
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import { readConfig } from '../config/index.js';
import { rollbackApprovalWorkflowId } from '../workflows/ids.js';
import { approveRollbackSignal, type RollbackState } from '../workflows/rollback-messages.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import {
  activeVersion,
  approvalInput,
  CANDIDATE,
  historyOf,
  resetRegistry,
  waitFor,
} from './support/rollback-fixtures.js';
import { startChildWorker, type ChildWorker } from './support/child-worker.js';
import { startDevServer, workflowBundle } from './support/temporal.js';

const TASK_QUEUE = 'rollback-crash-test';

describe('rollback switch across a SIGKILLed worker', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let child: ChildWorker | undefined;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-rollback-crash-'));

  beforeAll(async () => {
    [env, database] = await Promise.all([startDevServer(), createTestDatabase('rollback_crash')]);
    await resetRegistry(database.handle.db);
  });
  afterAll(async () => {
    await child?.kill();
    await env?.teardown();
    await database?.drop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('switches once and records one executed row after the worker dies mid-switch and another retries', async () => {
    const db = database.handle.db;
    const bundlePath = path.join(tmp, 'workflow-bundle.js');
    fs.writeFileSync(bundlePath, (await workflowBundle()).code);
    child = await startChildWorker({
      TEMPORAL_ADDRESS: env.address,
      TEMPORAL_NAMESPACE: env.namespace ?? 'default',
      TEMPORAL_TASK_QUEUE: TASK_QUEUE,
      DATABASE_URL: database.url,
      DATA_DIR: tmp,
      BUNDLE_PATH: bundlePath,
      // Commits the switch, then holds well past the activity's 10 s start-to-close: the worst moment to die.
      FAULT_HOLD_ACTIVITY: 'switchActiveModel',
      FAULT_HOLD_AFTER: '1',
      FAULT_HOLD_MS: '600000',
    });

    const input = approvalInput('2025-11-10');
    const workflowId = rollbackApprovalWorkflowId(input.currentVersion, input.date);
    const handle = await env.client.workflow.start('rollbackApprovalWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [input],
    });
    await waitFor('the requested row', async () =>
      (await historyOf(db, workflowId)).some((r) => r.event === 'requested'),
    );
    await handle.signal(approveRollbackSignal, { approver: 'asha', reason: 'severe drop', version: CANDIDATE });

    await child.waitForLine('fault-hold switchActiveModel after', 30_000);
    const switched = await activeVersion(db);
    expect(switched?.version).toBe(CANDIDATE);
    await child.kill();

    const restartedAt = Date.now();
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: createActivities({
        db,
        config: readConfig({ DATA_DIR: tmp }),
        channels: new Map(),
        now: () => new Date(),
      }),
    });
    const result = (await worker.runUntil(handle.result())) as RollbackState;
    console.log(`crash test: retry finished ${Date.now() - restartedAt} ms after the restart`);

    expect(result).toMatchObject({ state: 'executed', decidedBy: 'asha' });
    const after = await activeVersion(db);
    expect(after?.version).toBe(CANDIDATE);
    // The retry did not switch again: the activation time is the one the killed worker committed.
    expect(after?.activatedAt?.toISOString()).toBe(switched?.activatedAt?.toISOString());
    const rows = await historyOf(db, workflowId);
    expect(rows.map((r) => r.event)).toEqual(['requested', 'approved', 'executed']);

    // Temporal ran the switch twice (the killed attempt and the retry); the database saw one switch.
    const history = await handle.fetchHistory();
    const attempts = (history.events ?? [])
      .map((e) => e.activityTaskStartedEventAttributes?.attempt)
      .filter((a): a is number => typeof a === 'number');
    expect(Math.max(...attempts)).toBe(2);
  });
});
