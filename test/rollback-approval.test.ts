/**
 * The rollback approval against a real Temporal dev server (the CLI binary) and a real Postgres. The SDK's
 * time-skipping test server is a separate binary download this machine cannot make, so the reminder and expiry
 * timers are proven in real seconds: their durations are workflow inputs ('2 seconds', '5 seconds').
 *
 * The replay file is the proto3 JSON of the History (the SDK's historyToJSON), the same form as
 * `temporal workflow show --output json`, so a history exported with the CLI can be dropped in as-is.
 *
 * Re-record the committed replay history with: RECORD_ROLLBACK_HISTORY=1 npx vitest run --project integration
 * test/rollback-approval.test.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createActivities } from '../activities/index.js';
import type { ActivityDeps } from '../activities/context.js';
import { buildApp } from '../api/app.js';
import { DEFAULT_API_CONFIG } from '../api/config.js';
import { rollbackRoutes } from '../api/routes/rollback.js';
import { silentLogger } from '../api/test-fixtures.js';
import { readConfig } from '../config/index.js';
import { rollbackApprovalWorkflowId } from '../workflows/ids.js';
import {
  approveRollbackSignal,
  decideRollbackUpdate,
  rejectRollbackSignal,
  rollbackStateQuery,
  type RollbackApprovalInput,
  type RollbackState,
} from '../workflows/rollback-messages.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startHttpRecorder, type HttpRecorder } from './support/receivers.js';
import {
  activeVersion,
  approvalInput,
  CANDIDATE,
  CURRENT,
  historyOf,
  resetRegistry,
  rollbackAlerts,
  waitFor,
} from './support/rollback-fixtures.js';
import { startDevServer, workflowBundle } from './support/temporal.js';

const HISTORY_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'histories', 'rollback-approval.json');
const TASK_QUEUE = 'rollback-approval-test';
const TOKEN = 'rollback-test-token';

/** What an update's refusal says: the validator's message travels as the cause. */
async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) return err.cause?.message ?? err.message;
    return err instanceof Error ? err.message : String(err);
  }
  throw new Error('expected the update to be refused');
}

describe('rollback approval workflow (real Temporal dev server, real Postgres)', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let reload: HttpRecorder;
  let worker: Worker;
  let running: Promise<void>;
  /** Lets a test hold the switch activity open, to decide again while the first decision is being carried out. */
  let beforeSwitch: (() => Promise<void>) | undefined;
  let switchCalls = 0;

  beforeAll(async () => {
    [env, database, reload] = await Promise.all([
      startDevServer(),
      createTestDatabase('rollback'),
      startHttpRecorder(),
    ]);
    const config = {
      ...readConfig({ DATA_DIR: '/tmp/vcp-rollback-test' }),
      apiReloadUrl: `${reload.url}/internal/reload`,
    };
    const deps: ActivityDeps = { db: database.handle.db, config, channels: new Map(), now: () => new Date() };
    const activities = createActivities(deps);
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue: TASK_QUEUE,
      workflowBundle: await workflowBundle(),
      activities: {
        ...activities,
        switchActiveModel: async (input: Parameters<typeof activities.switchActiveModel>[0]) => {
          switchCalls += 1;
          await beforeSwitch?.();
          return activities.switchActiveModel(input);
        },
      },
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await reload?.close();
    await database?.drop();
  });
  beforeEach(async () => {
    await resetRegistry(database.handle.db);
    beforeSwitch = undefined;
    switchCalls = 0;
  });

  const db = () => database.handle.db;

  async function start(input: RollbackApprovalInput): Promise<WorkflowHandle> {
    const workflowId = rollbackApprovalWorkflowId(input.currentVersion, input.date);
    const handle = await env.client.workflow.start('rollbackApprovalWorkflow', {
      taskQueue: TASK_QUEUE,
      workflowId,
      args: [input],
    });
    // The request is open once its `requested` row exists (the first step) and on-call has been told (the second:
    // the REQUESTED alert is stored after the row, so a test reading it straight after the row could miss it).
    await waitFor('the requested row', async () =>
      (await historyOf(db(), workflowId)).some((r) => r.event === 'requested'),
    );
    await waitFor('the REQUESTED alert', async () =>
      (await rollbackAlerts(db(), workflowId)).some((a) => a.level === 'REQUESTED'),
    );
    return handle;
  }

  it('approve through the update: switches the registry once, reloads the API, and records requested, approved, executed', async () => {
    const input = approvalInput('2025-11-03');
    const handle = await start(input);
    const pending = await handle.query(rollbackStateQuery);
    expect(pending).toMatchObject({
      state: 'pending',
      currentVersion: CURRENT,
      currentF1: 0.211,
      candidateVersion: CANDIDATE,
      candidateF1: 0.384,
      f1Source: 'production',
      decidedBy: null,
      remindersSent: 0,
    });

    // On-call hears how to decide, on every path.
    const [requested] = await rollbackAlerts(db(), handle.workflowId);
    expect(requested).toMatchObject({ level: 'REQUESTED', severity: 'warning', modelVersion: CURRENT });
    expect(requested?.summary).toContain('0.211');
    expect(requested?.summary).toContain('0.384');
    expect(requested?.body).toContain(
      `temporal workflow signal --workflow-id ${handle.workflowId} --name approveRollback --input`,
    );
    expect(requested?.body).toContain('Send a Signal');
    expect(requested?.body).toContain(`POST /api/v1/models/rollback?version=${CANDIDATE}`);
    expect(requested?.body).toContain(`npx tsx scripts/approvals.ts approve ${handle.workflowId} --approver`);

    const outcome = await handle.executeUpdate(decideRollbackUpdate, {
      args: [
        {
          decision: 'approve',
          approver: 'asha',
          reason: 'F1 halved; 1.4.0 holds on shadow traffic',
          version: CANDIDATE,
        },
      ],
    });
    expect(outcome).toMatchObject({
      state: 'executed',
      decision: 'approve',
      decidedBy: 'asha',
      decidedVia: 'update',
      error: null,
    });
    expect(outcome.executedAt).not.toBeNull();
    expect((await handle.result()) as RollbackState).toMatchObject({ state: 'executed' });

    expect((await activeVersion(db()))?.version).toBe(CANDIDATE);
    const rows = await historyOf(db(), handle.workflowId);
    expect(rows.map((r) => r.event)).toEqual(['requested', 'approved', 'executed']);
    const { runId } = await handle.describe();
    expect(rows.every((r) => r.runId === runId && r.fromVersion === CURRENT && r.toVersion === CANDIDATE)).toBe(true);
    expect(rows[1]).toMatchObject({ actor: 'asha', reason: 'F1 halved; 1.4.0 holds on shadow traffic' });
    expect(reload.requests.filter((r) => r.method === 'POST' && r.path === '/internal/reload')).toHaveLength(1);

    if (process.env.RECORD_ROLLBACK_HISTORY === '1') {
      fs.mkdirSync(path.dirname(HISTORY_FILE), { recursive: true });
      fs.writeFileSync(HISTORY_FILE, historyToJSON(await handle.fetchHistory()));
    }
  });

  it('reject through the signal: an invalid signal is ignored with its reason, the valid one closes the request, the model stays', async () => {
    const handle = await start(approvalInput('2025-11-04'));
    await handle.signal(approveRollbackSignal, { approver: 'mallory', reason: 'looks fine to me' });
    const afterInvalid = await waitFor('the ignored signal', async () => {
      const s = await handle.query(rollbackStateQuery);
      return s.ignored.length > 0 ? s : undefined;
    });
    expect(afterInvalid.state).toBe('pending');
    expect(afterInvalid.ignored[0]).toMatchObject({ decision: 'approve', approver: 'mallory' });
    expect(afterInvalid.ignored[0]?.why).toContain('approver "mallory" may not decide');

    await handle.signal(rejectRollbackSignal, { approver: 'vikram', reason: 'label lag; wait two more days' });
    const result = (await handle.result()) as RollbackState;
    expect(result).toMatchObject({ state: 'rejected', decision: 'reject', decidedBy: 'vikram', decidedVia: 'signal' });
    expect(result.ignored).toHaveLength(1);
    expect((await activeVersion(db()))?.version).toBe(CURRENT);
    const rows = await historyOf(db(), handle.workflowId);
    expect(rows.map((r) => r.event)).toEqual(['requested', 'rejected']);
    expect(rows[1]).toMatchObject({ actor: 'vikram', reason: 'label lag; wait two more days' });
    expect(switchCalls).toBe(0);
  });

  it('reminds on-call every 2 seconds and expires after 5 seconds with two reminders and no switch', async () => {
    const startedAt = Date.now();
    const handle = await start(approvalInput('2025-11-05', { reminderAfter: '2 seconds', expireAfter: '5 seconds' }));
    const result = (await handle.result()) as RollbackState;
    const elapsed = Date.now() - startedAt;
    expect(result).toMatchObject({ state: 'expired', remindersSent: 2, decision: null });
    expect(elapsed).toBeGreaterThanOrEqual(5_000);
    expect(elapsed).toBeLessThan(15_000);
    const rows = await historyOf(db(), handle.workflowId);
    expect(rows.map((r) => `${r.event}:${r.sequence}`)).toEqual([
      'requested:0',
      'reminded:1',
      'reminded:2',
      'expired:0',
    ]);
    const alertRows = await rollbackAlerts(db(), handle.workflowId);
    expect(alertRows.map((a) => a.level)).toEqual(['REQUESTED', 'REMINDER', 'REMINDER']);
    expect(alertRows[2]?.title).toContain('Reminder 2');
    expect((await activeVersion(db()))?.version).toBe(CURRENT);
    // A decision after the request closed is refused by Temporal itself: the workflow has completed.
    expect(
      await refusal(
        handle.executeUpdate(decideRollbackUpdate, {
          args: [{ decision: 'approve', approver: 'asha', reason: 'late', version: CANDIDATE }],
        }),
      ),
    ).toMatch(/complet/i);
  });

  it('refuses an unknown approver, a wrong version and a second decision with a message saying why, changing nothing', async () => {
    const handle = await start(approvalInput('2025-11-06'));
    const decide = (approver: string, version: string, decision: 'approve' | 'reject' = 'approve') =>
      handle.executeUpdate(decideRollbackUpdate, { args: [{ decision, approver, reason: 'test', version }] });

    expect(await refusal(decide('mallory', CANDIDATE))).toContain('approver "mallory" may not decide');
    expect(await refusal(decide('asha', '0.9.0'))).toContain('version "0.9.0" is not the proposed candidate "1.4.0"');
    expect(await handle.query(rollbackStateQuery)).toMatchObject({ state: 'pending', decision: null });
    expect((await historyOf(db(), handle.workflowId)).map((r) => r.event)).toEqual(['requested']);

    // Hold the switch so the request is decided but not finished, then decide again by both paths.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    beforeSwitch = () => held;
    const first = decide('asha', CANDIDATE);
    await waitFor(
      'the approval to be accepted',
      async () => (await handle.query(rollbackStateQuery)).state === 'approved',
    );
    expect(await refusal(decide('vikram', CANDIDATE, 'reject'))).toContain('is already closed (approved by asha');
    await handle.signal(approveRollbackSignal, { approver: 'vikram', reason: 'me too', version: CANDIDATE });
    await waitFor(
      'the second signal to be ignored',
      async () => (await handle.query(rollbackStateQuery)).ignored.length === 1,
    );
    release();

    expect(await first).toMatchObject({ state: 'executed', decidedBy: 'asha' });
    const result = (await handle.result()) as RollbackState;
    expect(result.ignored[0]?.why).toContain('already closed');
    expect(switchCalls).toBe(1);
    const rows = await historyOf(db(), handle.workflowId);
    expect(rows.map((r) => r.event)).toEqual(['requested', 'approved', 'executed']);
    expect((await activeVersion(db()))?.version).toBe(CANDIDATE);
  });

  it('replays the committed history of a completed approval without nondeterminism', async () => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(HISTORY_FILE, 'utf8')));
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, 'rollback-approval-replay');
  });

  describe('API: POST /api/v1/models/rollback and GET /api/v1/rollbacks', () => {
    let app: FastifyInstance;
    beforeAll(async () => {
      app = buildApp({
        db: database.handle.db,
        config: { ...DEFAULT_API_CONFIG, modelRefreshMs: 60_000 },
        log: silentLogger(),
        plugins: [
          rollbackRoutes({ db: database.handle.db, temporalClient: env.client, taskQueue: TASK_QUEUE, token: TOKEN }),
        ],
      });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
    });

    const post = (version: string, headers: Record<string, string>, payload: Record<string, unknown> = {}) =>
      app.inject({ method: 'POST', url: `/api/v1/models/rollback?version=${version}`, headers, payload });
    const auth = (actor: string) => ({ authorization: `Bearer ${TOKEN}`, 'x-actor': actor });

    it('answers 401 without a bearer token and 403 with a wrong one, switching nothing', async () => {
      expect((await post(CANDIDATE, {})).statusCode).toBe(401);
      const wrong = await post(CANDIDATE, { authorization: 'Bearer nope', 'x-actor': 'asha' });
      expect(wrong.statusCode).toBe(403);
      expect(wrong.json<{ error: { code: string } }>().error.code).toBe('FORBIDDEN');
      expect((await activeVersion(db()))?.version).toBe(CURRENT);
    });

    it('decides a pending approval through its update, so the workflow and the registry agree', async () => {
      const handle = await start(approvalInput('2025-11-07'));
      const refused = await post(CANDIDATE, auth('mallory'), { reason: 'break glass' });
      expect(refused.statusCode).toBe(403);
      expect(refused.body).toContain('may not decide');
      expect((await activeVersion(db()))?.version).toBe(CURRENT);

      const res = await post(CANDIDATE, auth('asha'), { reason: 'break glass' });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({
        status: 'approved',
        workflow_id: handle.workflowId,
        state: { state: 'executed', decidedBy: 'asha' },
      });
      expect((await activeVersion(db()))?.version).toBe(CANDIDATE);
      expect(((await handle.result()) as RollbackState).state).toBe('executed');
      expect((await historyOf(db(), handle.workflowId)).map((r) => r.event)).toEqual([
        'requested',
        'approved',
        'executed',
      ]);

      const listed = (
        await app.inject({ method: 'GET', url: '/api/v1/rollbacks', headers: { authorization: `Bearer ${TOKEN}` } })
      ).json<{
        recent: { workflowId: string; lastEvent: string; decidedBy: string }[];
      }>();
      expect(listed.recent.find((r) => r.workflowId === handle.workflowId)).toMatchObject({
        lastEvent: 'executed',
        decidedBy: 'asha',
      });
    });

    it('with no pending approval switches directly, records approved and executed, and a repeat is a no-op', async () => {
      const res = await post(CANDIDATE, auth('vikram'), { reason: 'manual rollback during incident' });
      expect(res.statusCode).toBe(200);
      const body = res.json<{ status: string; workflow_id: string }>();
      expect(body.status).toBe('switched');
      expect((await activeVersion(db()))?.version).toBe(CANDIDATE);
      const rows = await historyOf(db(), body.workflow_id);
      expect(rows.map((r) => [r.event, r.actor])).toEqual([
        ['approved', 'vikram'],
        ['executed', 'vikram'],
      ]);

      const again = await post(CANDIDATE, auth('vikram'));
      expect(again.json()).toMatchObject({ status: 'already_active' });
    });

    it('lists a pending request under pending', async () => {
      const handle = await start(approvalInput('2025-11-08'));
      const listed = (
        await app.inject({ method: 'GET', url: '/api/v1/rollbacks', headers: { authorization: `Bearer ${TOKEN}` } })
      ).json<{
        pending: { workflowId: string }[];
      }>();
      expect(listed.pending.map((p) => p.workflowId)).toContain(handle.workflowId);
      await handle.signal(rejectRollbackSignal, { approver: 'asha', reason: 'cleanup' });
      await handle.result();
    });
  });
});
