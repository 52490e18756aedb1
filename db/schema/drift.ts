import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';

/** One baseline per feature and model version, built from that version's training sample. */
export const driftBaselines = pgTable(
  'drift_baselines',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    featureName: text('feature_name').notNull(),
    modelVersion: text('model_version').notNull(),
    distributionType: text('distribution_type', { enum: ['histogram', 'summary'] }).notNull(),
    binScheme: text('bin_scheme', { enum: ['decile', 'equal_width'] }).notNull(),
    binEdges: doublePrecision('bin_edges').array().notNull(),
    binCounts: integer('bin_counts').array().notNull(),
    mean: doublePrecision('mean').notNull(),
    std: doublePrecision('std').notNull(),
    min: doublePrecision('min').notNull(),
    max: doublePrecision('max').notNull(),
    percentiles: jsonb('percentiles').$type<Record<'p5' | 'p25' | 'p50' | 'p75' | 'p95', number>>().notNull(),
    /** Sorted finite training values (or a quantile grid) that the KS test compares against. */
    referenceSample: doublePrecision('reference_sample').array().notNull(),
    /** True when referenceSample is an evenly spaced quantile grid of a larger training sample. */
    referenceIsQuantileGrid: boolean('reference_is_quantile_grid').notNull().default(false),
    sampleSize: integer('sample_size').notNull(),
    missingCount: integer('missing_count').notNull(),
    trainingWindowStart: date('training_window_start').notNull(),
    trainingWindowEnd: date('training_window_end').notNull(),
    builtAt: timestamp('built_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('drift_baselines_feature_version').on(t.featureName, t.modelVersion)],
);

/** One row per feature per drift run; the run itself is a row of monitoring_reports. */
export const driftFeatureResults = pgTable(
  'drift_feature_results',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    reportDate: date('report_date').notNull(),
    modelVersion: text('model_version').notNull(),
    featureName: text('feature_name').notNull(),
    rows: integer('rows').notNull(),
    missing: integer('missing').notNull(),
    nonFinite: integer('non_finite').notNull(),
    outOfRange: integer('out_of_range').notNull(),
    rowsWeekly: integer('rows_weekly'),
    ksStatistic: doublePrecision('ks_statistic'),
    ksPValue: doublePrecision('ks_p_value'),
    ksStatisticWeekly: doublePrecision('ks_statistic_weekly'),
    ksPValueWeekly: doublePrecision('ks_p_value_weekly'),
    psiDaily: doublePrecision('psi_daily'),
    psiWeekly: doublePrecision('psi_weekly'),
    pValue: doublePrecision('p_value'),
    qValue: doublePrecision('q_value'),
    decidingWindow: text('deciding_window', { enum: ['daily', 'weekly'] }),
    severityPsi: doublePrecision('severity_psi'),
    status: text('status', { enum: ['OK', 'MODERATE', 'DRIFT', 'QUALITY', 'SKIPPED'] }).notNull(),
    action: text('action').notNull(),
    reason: text('reason'),
  },
  (t) => [
    unique('drift_feature_results_day_version_feature').on(t.reportDate, t.modelVersion, t.featureName),
    check('drift_feature_results_status', sql`${t.status} in ('OK', 'MODERATE', 'DRIFT', 'QUALITY', 'SKIPPED')`),
  ],
);
