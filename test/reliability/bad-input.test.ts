/**
 * Bad input on the real pipeline: a real Temporal dev server, the real Postgres, the synthetic data set. Every case
 * snapshots the tables a run writes, feeds one kind of bad input, and checks that the error names the problem
 * where a person can act on it, and that nothing stored before was changed or lost.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityDeps } from '../../activities/context.js';
import { buildApp } from '../../api/app.js';
import { DEFAULT_API_CONFIG } from '../../api/config.js';
import { predictionItem, silentLogger } from '../../api/test-fixtures.js';
import type { AppConfig } from '../../config/index.js';
import { queryRows } from '../../db/rows.js';
import { predictions } from '../../db/schema/index.js';
import { FEATURE_NAMES } from '../../domain/features.js';
import { loadSyntheticData } from '../../loaders/synthetic.js';
import { buildBaselines, runDay } from '../../temporal/daily-runs.js';
import { createWorker } from '../../workers/create-worker.js';
import {
  decideRollbackUpdate,
  rollbackStateQuery,
  ROLLBACK_WORKFLOW_TYPE,
  type DecideRollbackInput,
  type RollbackApprovalInput,
} from '../../workflows/rollback-messages.js';
import type { DailyRunSummary } from '../../workflows/types.js';
import {
  changedTables,
  copyBhavCopySource,
  duplicateKeys,
  failureChain,
  insertFeatureFaults,
  lostRows,
  rejectionOf,
  snapshotTables,
  type BhavCopySourceCopy,
  type TableSnapshot,
} from '../support/bad-input-fixtures.js';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline.js';
import { scenarioReport } from '../support/scenario-report.js';
import { waitFor } from '../support/rollback-fixtures.js';
import { workflowBundle } from '../support/temporal.js';

const ACTIVE = '1.1.0';
const STABLE = '1.0.0';
const PRICE_COLUMNS = ['CLOSE', 'ClsPric'] as const;

describe('bad input: each fault is named where a person can fix it, and nothing stored is changed or lost', () => {
  let h: PipelineHarness;
  let source: BhavCopySourceCopy;
  let worker: Worker;
  let running: Promise<void>;
  let days: readonly string[];
  /** The last day that completed: re-running it recomputes the same numbers, so its snapshot must hold exactly. */
  let lastCompleted: string;
  const report = scenarioReport();

  const db = () => h.database.handle.db;
  const run = (date: string): Promise<DailyRunSummary> =>
    runDay(h.env.client, { date, settings: h.settings, taskQueue: h.taskQueue });
  const snapshot = (): Promise<TableSnapshot> => snapshotTables(db());

  /** Records a scenario row: runs started, runs that completed, duplicate natural keys, rows lost since `before`. */
  async function record(
    scenario: string,
    runs: number,
    completed: number,
    before: TableSnapshot,
    note: string,
  ): Promise<void> {
    const lost = lostRows(before, await snapshot());
    const duplicates = await duplicateKeys(db());
    report.add({
      scenario: `bad input: ${scenario}`,
      runs,
      completed,
      duplicates,
      lostRows: Object.values(lost).reduce((a, b) => a + b, 0),
      note,
    });
    expect(duplicates, scenario).toBe(0);
    expect(lost, scenario).toEqual({});
  }

  beforeAll(async () => {
    h = await startPipelineHarness('badinput');
    days = h.manifest.tradingDays;
    source = copyBhavCopySource(path.join(h.dataDir, 'bhavcopy'));
    // The harness's own worker reads the shared source; this one reads the copy the cases corrupt.
    const config: AppConfig = { ...h.config, bhavcopySource: source.dir };
    const deps: ActivityDeps = { ...h.deps(), config };
    worker = await createWorker({
      connection: h.env.nativeConnection,
      namespace: 'default',
      taskQueue: h.taskQueue,
      deps,
      workflowBundle: await workflowBundle(),
    });
    running = worker.run();
    for (const model of h.manifest.models)
      await buildBaselines(h.env.client, { modelVersion: model.version, taskQueue: h.taskQueue });
    for (const date of days.slice(0, 4)) lastCompleted = (await run(date)).date;
  }, 600_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    source?.remove();
    await h?.close();
    report.flush();
  });

  it('fails the day on a malformed BhavCopy with BhavCopyFormatError naming file, line and column, stores nothing from it, and runs once fixed', async () => {
    const day = days[4]!;
    const fileName = source.fileFor(day);
    const { line, column } = source.corruptCell(day, { row: 17, columns: PRICE_COLUMNS, value: '12x.50' });
    const before = await snapshot();

    const err = await rejectionOf(run(day));
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const chain = failureChain(err);
    expect(chain.map((c) => c.name).slice(0, 3)).toEqual([
      'WorkflowFailedError',
      'ActivityFailure',
      'ApplicationFailure',
    ]);
    expect(chain[2]!.type).toBe('BhavCopyFormatError');
    expect(chain[2]!.message).toBe(`${fileName}: line ${line}, column ${column}: price "12x.50" is not a number`);
    expect(changedTables(before, await snapshot())).toEqual([]);
    const [stored] = await queryRows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from daily_prices where trade_date = ${day}::date`,
    );
    expect(stored!.n).toBe(0);

    source.restore(day);
    const fixed = await run(day);
    expect(fixed.tradingDay).toBe(true);
    lastCompleted = day;
    const [ingested] = await queryRows<{ file_name: string; row_count: number }>(
      db(),
      sql`select file_name, row_count from bhavcopy_files where trade_date = ${day}::date`,
    );
    expect(ingested?.file_name).toBe(fileName);
    await record(
      'malformed BhavCopy, then fixed',
      2,
      1,
      before,
      'BhavCopyFormatError at file/line/column; re-run after the fix completes',
    );
  });

  it('fails the day on a truncated BhavCopy (an interrupted download) naming the incomplete line, and runs once fixed', async () => {
    const day = days[5]!;
    const fileName = source.fileFor(day);
    const { line } = source.truncate(day, { row: 40 });
    const before = await snapshot();

    const chain = failureChain(await rejectionOf(run(day)));
    expect(chain[2]).toMatchObject({ name: 'ApplicationFailure', type: 'BhavCopyFormatError' });
    expect(chain[2]!.message).toMatch(
      new RegExp(
        `^${fileName.replace(/\./g, '\\.')}: line ${line}, column \\w+: row has \\d+ columns, the header has \\d+ \\(truncated row\\)$`,
      ),
    );
    expect(changedTables(before, await snapshot())).toEqual([]);

    source.restore(day);
    await run(day);
    lastCompleted = day;
    await record(
      'truncated BhavCopy, then fixed',
      2,
      1,
      before,
      'BhavCopyFormatError (truncated row); re-run after the fix completes',
    );
  });

  it('counts NaN, infinite and missing feature values in the drift results and marks features over the limit QUALITY', async () => {
    const day = days[6]!;
    const [{ n: served } = { n: 0 }] = await queryRows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from predictions where prediction_date = ${day}::date and model_version = ${ACTIVE} and served`,
    );
    // 40 extra rows against ~90 served: rsi_14 NaN and macd_signal NULL on ~30% (over the 20% limit), atr_14 infinite
    // on 5 rows (under it), so one feature of each kind is QUALITY and one is counted but still tested.
    const faulty = await insertFeatureFaults(
      db(),
      {
        date: day,
        version: ACTIVE,
        count: 40,
        firstCode: 990001,
        features: { rsi_14: `'NaN'::float8`, macd_signal: 'null' },
      },
      FEATURE_NAMES,
    );
    await db().execute(
      sql`update predictions set atr_14 = 'Infinity'::float8 where prediction_date = ${day}::date and bse_code between 990001 and 990005`,
    );
    const before = await snapshot();
    const summary = await run(day);
    lastCompleted = day;
    const drift = await queryRows<{
      feature_name: string;
      rows: number;
      missing: number;
      non_finite: number;
      status: string;
      reason: string;
    }>(
      db(),
      sql`select feature_name, rows, missing, non_finite, status, reason from drift_feature_results
          where report_date = ${day}::date and model_version = ${ACTIVE}`,
    );
    const by = new Map(drift.map((d) => [d.feature_name, d]));
    const total = served + faulty;
    expect(faulty).toBe(40);
    // Every served row of the day is counted for every feature: nothing silently dropped.
    expect(drift.map((d) => d.rows)).toEqual(drift.map(() => total));
    expect(by.get('rsi_14')).toMatchObject({ non_finite: 40, missing: 0, status: 'QUALITY' });
    expect(by.get('macd_signal')).toMatchObject({ missing: 40, non_finite: 0, status: 'QUALITY' });
    expect(by.get('atr_14')).toMatchObject({ non_finite: 5, missing: 0 });
    expect(by.get('atr_14')!.status).not.toBe('QUALITY');
    expect(summary.driftingFeatures).not.toContain('rsi_14');
    const report = fs.readFileSync(path.join(h.config.reportsDir, `drift_${day}.txt`), 'utf8');
    expect(report).toMatch(/rsi_14.*QUALITY/);
    expect(report).toMatch(/macd_signal.*QUALITY/);
    await record(
      'NaN / infinite / missing features',
      1,
      1,
      before,
      'counted per feature; rsi_14 and macd_signal QUALITY',
    );
  });

  it('refuses probabilities outside [0, 1] and a second prediction for one key in the database, naming the constraint and row', async () => {
    const day = days[6]!;
    const [existing] = await db()
      .select()
      .from(predictions)
      .where(sql`prediction_date = ${day}::date and model_version = ${ACTIVE}`)
      .limit(1);
    const { id: _id, createdAt: _createdAt, ...row } = existing!;
    const before = await snapshot();

    for (const probability of [1.5, -0.01, Number.NaN]) {
      const err = await rejectionOf(
        db()
          .insert(predictions)
          .values({ ...row, bseCode: 990100, predictedProbability: probability }),
      );
      expect(String((err as Error).cause ?? err), `probability ${probability}`).toMatch(
        /predictions_probability_range/,
      );
    }
    const duplicate = await rejectionOf(
      db()
        .insert(predictions)
        .values({ ...row, predictedProbability: 0.5 }),
    );
    const pg = ((duplicate as Error).cause ?? duplicate) as { constraint_name?: string; detail?: string };
    expect(pg.constraint_name).toBe('predictions_version_scrip_day');
    expect(pg.detail).toBe(
      `Key (model_version, bse_code, prediction_date)=(${ACTIVE}, ${row.bseCode}, ${day}) already exists.`,
    );
    expect(changedTables(before, await snapshot())).toEqual([]);
    await record(
      'probability out of range / duplicate key (database)',
      0,
      0,
      before,
      'check constraint and unique key refuse the rows',
    );
  });

  it('stops the loader at a probability outside [0, 1] naming file, line and column, before any row of the file is stored', async () => {
    const dir = fs.mkdtempSync(path.join(h.config.dataDir, 'bad-load-'));
    for (const entry of ['manifest.json', 'scrips.csv', 'training'])
      fs.symlinkSync(path.join(h.dataDir, entry), path.join(dir, entry));
    fs.mkdirSync(path.join(dir, 'predictions'));
    const good = fs
      .readFileSync(path.join(h.dataDir, 'predictions', `${days[7]}.csv`), 'utf8')
      .trimEnd()
      .split('\n');
    const header = good[0]!.split(',');
    const cells = good[3]!.split(',');
    cells[header.indexOf('predicted_probability')] = '1.7';
    good[3] = cells.join(',');
    const file = path.join(dir, 'predictions', `${days[7]}.csv`);
    fs.writeFileSync(file, `${good.join('\n')}\n`);
    const before = await snapshot();

    const err = await rejectionOf(loadSyntheticData(db(), dir));
    expect((err as Error).name).toBe('SyntheticCsvError');
    expect((err as Error).message).toBe(`${file}, line 4, column predicted_probability: 1.7 lies outside 0-1`);
    expect(changedTables(before, await snapshot())).toEqual([]);
    await record('loader: probability out of range', 0, 0, before, 'SyntheticCsvError names file, line, column');
  });

  // Re-loading the same file stays a no-op, but a conflicting value for a stored (version, scrip, day) is an
  // upstream fault the loader names, refusing the whole file.
  it('refuses, naming the row, a loaded prediction that contradicts a stored one for the same key', async () => {
    const dir = fs.mkdtempSync(path.join(h.config.dataDir, 'dup-load-'));
    for (const entry of ['manifest.json', 'scrips.csv', 'training'])
      fs.symlinkSync(path.join(h.dataDir, entry), path.join(dir, entry));
    fs.mkdirSync(path.join(dir, 'predictions'));
    const lines = fs
      .readFileSync(path.join(h.dataDir, 'predictions', `${days[7]}.csv`), 'utf8')
      .trimEnd()
      .split('\n');
    const header = lines[0]!.split(',');
    const cells = lines[1]!.split(',');
    cells[header.indexOf('predicted_probability')] = '0.123456';
    fs.writeFileSync(path.join(dir, 'predictions', `${days[7]}.csv`), `${lines[0]}\n${cells.join(',')}\n`);
    const before = await snapshot();
    const err = await rejectionOf(loadSyntheticData(db(), dir));
    expect(changedTables(before, await snapshot())).toEqual([]);
    expect((err as Error).message).toMatch(/line 2/);
  });

  it('completes a day with no predictions, drift skipped with the reason in the results and the report', async () => {
    const day = days[7]!;
    await db().execute(sql`delete from predictions where prediction_date = ${day}::date`);
    const before = await snapshot();
    const summary = await run(day);
    lastCompleted = day;
    expect(summary.tradingDay).toBe(true);
    expect(summary.drift).toBe('NONE');
    const drift = await queryRows<{ status: string; reason: string }>(
      db(),
      sql`select distinct status, reason from drift_feature_results where report_date = ${day}::date`,
    );
    expect(drift).toEqual([{ status: 'SKIPPED', reason: `no served predictions on ${day}: nothing to test` }]);
    expect(fs.readFileSync(path.join(h.config.reportsDir, `drift_${day}.txt`), 'utf8')).toContain(
      `no served predictions on ${day}`,
    );
    await record('day with no predictions', 1, 1, before, 'drift SKIPPED with the reason');
  });

  it('leaves served predictions of a version not in the registry out of performance and drift, without saying so (finding)', async () => {
    const day = days[8]!;
    await insertFeatureFaults(
      db(),
      { date: day, version: ACTIVE, count: 5, firstCode: 990201, features: {} },
      FEATURE_NAMES,
    );
    await db().execute(
      sql`update predictions set model_version = '9.9.9' where prediction_date = ${day}::date and bse_code between 990201 and 990205`,
    );
    const before = await snapshot();
    const summary = await run(day);
    lastCompleted = day;
    expect(summary.tradingDay).toBe(true);
    const versions = await queryRows<{ model_version: string }>(
      db(),
      sql`select distinct model_version from model_performance_history union select distinct model_version from drift_feature_results order by 1`,
    );
    expect(versions.map((v) => v.model_version)).toEqual([STABLE, ACTIVE]);
    const [driftRows] = await queryRows<{ rows: number }>(
      db(),
      sql`select rows from drift_feature_results where report_date = ${day}::date and feature_name = 'rsi_14'`,
    );
    const [served] = await queryRows<{ n: number }>(
      db(),
      sql`select count(*)::int as n from predictions where prediction_date = ${day}::date and model_version = ${ACTIVE} and served`,
    );
    expect(driftRows!.rows).toBe(served!.n);
    // What happens today: nothing in the summary or the reports says that five served predictions belong to no
    // registered version. The right behaviour is to name them in the performance report (or refuse them at load,
    // with a foreign key to model_versions); until then this assertion documents the silence.
    expect(summary.text).not.toContain('9.9.9');
    await record(
      'prediction of an unknown model version',
      1,
      1,
      before,
      'ignored by performance and drift without a word (gap)',
    );
  });

  it('fails the run with InvalidInputError naming the fix when the registry has no active version', async () => {
    const before = await snapshot();
    await db().execute(sql`update model_versions set is_active = false where version = ${ACTIVE}`);
    try {
      const chain = failureChain(await rejectionOf(run(lastCompleted)));
      expect(chain.slice(0, 3).map((c) => c.name)).toEqual([
        'WorkflowFailedError',
        'ActivityFailure',
        'ApplicationFailure',
      ]);
      expect(chain[2]).toMatchObject({
        type: 'InvalidInputError',
        message: 'the model registry has no active version: load one (scripts/seed-data.ts) or approve a rollback',
      });
    } finally {
      await db().execute(sql`update model_versions set is_active = true where version = ${ACTIVE}`);
    }
    expect(changedTables(before, await snapshot())).toEqual([]);
    await record('registry without an active version', 1, 0, before, 'InvalidInputError names the fix');
  });

  it('fails the drift stage with BaselineMissingError naming the command that builds the baseline', async () => {
    const before = await snapshot();
    await db().execute(sql`delete from drift_baselines where model_version = ${ACTIVE}`);
    const chain = failureChain(await rejectionOf(run(lastCompleted)));
    expect(chain[2]).toMatchObject({
      type: 'BaselineMissingError',
      message: `no drift baselines for model version ${ACTIVE}: build them with scripts/build-baselines.ts --version ${ACTIVE}`,
    });
    // The performance stage before it re-upserted the same numbers; only the deleted baselines differ.
    expect(changedTables(before, await snapshot())).toEqual([`drift_baselines: 50 -> 25 rows`]);
    await buildBaselines(h.env.client, { modelVersion: ACTIVE, taskQueue: h.taskQueue });
    expect(changedTables(before, await snapshot())).toEqual([]);
    await run(lastCompleted);
    await record(
      'baseline missing for the active version',
      2,
      1,
      before,
      'BaselineMissingError names the command; completes once rebuilt',
    );
  });

  describe('through the API and the approval workflow', () => {
    let app: FastifyInstance;

    beforeAll(async () => {
      app = buildApp({
        db: db(),
        config: { ...DEFAULT_API_CONFIG, bodyLimitBytes: 16 * 1024, modelRefreshMs: 60_000 },
        log: silentLogger(),
      });
      await app.ready();
    });
    afterAll(async () => {
      await app?.close();
    });

    it('answers an oversize prediction body with 413 and a message giving the size and the limit', async () => {
      const before = await snapshot();
      const items = Array.from({ length: 200 }, (_, i) => predictionItem(500000 + i, days[9]!));
      const payload = JSON.stringify({ predictions: items });
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/predict',
        headers: { 'content-type': 'application/json' },
        payload,
      });
      expect(response.statusCode).toBe(413);
      expect(response.json()).toMatchObject({
        error: {
          code: 'PAYLOAD_TOO_LARGE',
          message: `request body is ${Buffer.byteLength(payload)} bytes; the limit is 16384 bytes`,
        },
      });
      expect(changedTables(before, await snapshot())).toEqual([]);
    });

    it('names the item and feature of a batch whose one value is not a number', async () => {
      const items = [predictionItem(500001, days[9]!), { ...predictionItem(500002, days[9]!), rsi_14: 'NaN' }];
      const response = await app.inject({ method: 'POST', url: '/api/v1/predict', payload: { predictions: items } });
      expect(response.statusCode).toBe(400);
      expect(response.json<{ error: { field?: string } }>().error.field).toBe('body.predictions[1].rsi_14');
    });

    it('refuses rollback decisions by an unknown approver, for the wrong version, and on a closed request, changing nothing', async () => {
      const workflowId = `rollback-approval-bad-input-${Date.now().toString(36)}`;
      const input: RollbackApprovalInput = {
        date: lastCompleted,
        currentVersion: ACTIVE,
        currentF1: 0.4,
        candidateVersion: STABLE,
        candidateF1: 0.55,
        f1Source: 'production',
        reason: 'bad-input test request',
        reminderAfter: '1 hour',
        expireAfter: '2 hours',
        approvers: ['asha', 'vikram'],
      };
      const handle = await h.env.client.workflow.start(ROLLBACK_WORKFLOW_TYPE, {
        taskQueue: h.taskQueue,
        workflowId,
        args: [input],
      });
      // The request's audit row and its REQUESTED alert are written by activities after the workflow starts.
      await waitFor('the rollback request to be recorded and alerted', async () => {
        const [n] = await queryRows<{ events: number; alerts: number }>(
          db(),
          sql`select (select count(*)::int from model_rollback_history where workflow_id = ${workflowId}) as events,
                     (select count(*)::int from alerts where source = 'rollback' and dedup_key like ${`%${encodeURIComponent(workflowId)}%`}) as alerts`,
        );
        return n !== undefined && n.events > 0 && n.alerts > 0;
      });
      const before = await snapshot();

      const refusal = async (decision: DecideRollbackInput): Promise<string> => {
        const err = await rejectionOf(handle.executeUpdate(decideRollbackUpdate, { args: [decision] }));
        expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
        const chain = failureChain(err);
        expect(chain[1]?.type).toBe('InvalidRollbackDecision');
        return chain[1]!.message;
      };
      expect(await refusal({ decision: 'approve', approver: 'mallory', reason: 'x', version: STABLE })).toMatch(
        /mallory/,
      );
      expect(await refusal({ decision: 'approve', approver: 'asha', reason: 'x', version: '0.9.0' })).toMatch(
        /0\.9\.0/,
      );
      expect(changedTables(before, await snapshot())).toEqual([]);
      expect((await handle.query(rollbackStateQuery)).state).toBe('pending');

      await handle.executeUpdate(decideRollbackUpdate, {
        args: [{ decision: 'reject', approver: 'vikram', reason: 'not now', version: STABLE }],
      });
      await handle.result();
      const closed = await snapshot();
      const late = await rejectionOf(
        handle.executeUpdate(decideRollbackUpdate, {
          args: [{ decision: 'approve', approver: 'asha', reason: 'x', version: STABLE }],
        }),
      );
      expect(String((late as Error).message)).toMatch(/completed|closed|not found/i);
      expect(changedTables(closed, await snapshot())).toEqual([]);
      const [active] = await queryRows<{ version: string }>(
        db(),
        sql`select version from model_versions where is_active`,
      );
      expect(active?.version).toBe(ACTIVE);
      await record(
        'invalid rollback decisions',
        0,
        0,
        before,
        'update validator refuses; closed request refused by Temporal',
      );
    });
  });
});
