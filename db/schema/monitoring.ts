import { sql } from 'drizzle-orm';
import {
  bigserial,
  check,
  date,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';

/** Rolling metrics per evaluation day, model version and window length (7, 30, 90 days). */
export const modelPerformanceHistory = pgTable(
  'model_performance_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    evaluationDate: date('evaluation_date').notNull(),
    modelVersion: text('model_version').notNull(),
    windowDays: smallint('window_days').notNull(),
    scoring: text('scoring', { enum: ['served', 'shadow'] }).notNull(),
    predictions: integer('predictions').notNull(),
    truePositives: integer('true_positives').notNull(),
    falsePositives: integer('false_positives').notNull(),
    falseNegatives: integer('false_negatives').notNull(),
    trueNegatives: integer('true_negatives').notNull(),
    precision: doublePrecision('precision').notNull(),
    recall: doublePrecision('recall').notNull(),
    f1: doublePrecision('f1').notNull(),
    /** NULL when the window holds one class only: ROC-AUC is undefined there. */
    rocAuc: doublePrecision('roc_auc'),
    f1CiLow: doublePrecision('f1_ci_low'),
    f1CiHigh: doublePrecision('f1_ci_high'),
    baselineF1: doublePrecision('baseline_f1').notNull(),
    f1RelativeDrop: doublePrecision('f1_relative_drop').notNull(),
    severity: text('severity', { enum: ['NONE', 'MINOR', 'MODERATE', 'SEVERE', 'INSUFFICIENT_DATA'] }).notNull(),
    computedAt: timestamp('computed_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('model_performance_history_key').on(t.evaluationDate, t.modelVersion, t.windowDays),
    check('model_performance_history_window', sql`${t.windowDays} in (7, 30, 90)`),
  ],
);

/** The text reports (drift, performance) and their structured summary, one per kind, day and version. */
export const monitoringReports = pgTable(
  'monitoring_reports',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    kind: text('kind', { enum: ['drift', 'performance'] }).notNull(),
    reportDate: date('report_date').notNull(),
    modelVersion: text('model_version').notNull(),
    severity: text('severity').notNull(),
    filePath: text('file_path').notNull(),
    body: text('body').notNull(),
    summary: jsonb('summary').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('monitoring_reports_key').on(t.kind, t.reportDate, t.modelVersion)],
);

/** One row per daily run: what an operator sees first. Written by the last stage. */
export const monitoringRuns = pgTable('monitoring_runs', {
  runDate: date('run_date').primaryKey(),
  workflowId: text('workflow_id').notNull(),
  runId: text('run_id').notNull(),
  modelVersion: text('model_version').notNull(),
  driftSeverity: text('drift_severity').notNull(),
  degradationSeverity: text('degradation_severity').notNull(),
  summary: jsonb('summary').$type<Record<string, unknown>>().notNull(),
  completedAt: timestamp('completed_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Every step of every rollback request; (workflow, event, sequence) makes each write once-only. */
export const modelRollbackHistory = pgTable(
  'model_rollback_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    workflowId: text('workflow_id').notNull(),
    runId: text('run_id').notNull(),
    event: text('event', {
      enum: ['requested', 'reminded', 'approved', 'rejected', 'expired', 'executed', 'failed'],
    }).notNull(),
    sequence: integer('sequence').notNull().default(0),
    fromVersion: text('from_version').notNull(),
    toVersion: text('to_version').notNull(),
    actor: text('actor'),
    reason: text('reason'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('model_rollback_history_step').on(t.workflowId, t.event, t.sequence)],
);
