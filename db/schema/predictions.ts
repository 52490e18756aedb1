import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  date,
  doublePrecision,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';
import { FEATURE_NAMES, type FeatureName } from '../../domain/features.js';

type FeatureColumns = { [K in FeatureName]: ReturnType<typeof doublePrecision> };

/**
 * One double precision column per feature, nullable: NULL is a missing value, while NaN and
 * infinities are stored as Postgres keeps them so that data quality can count them.
 */
function featureColumns(): FeatureColumns {
  return Object.fromEntries(FEATURE_NAMES.map((name) => [name, doublePrecision(name)])) as FeatureColumns;
}

/** The batch scoring job's output: served predictions plus shadow scores of other versions. */
export const predictions = pgTable(
  'predictions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    bseCode: integer('bse_code').notNull(),
    predictionDate: date('prediction_date').notNull(),
    earningsDate: date('earnings_date').notNull(),
    modelVersion: text('model_version').notNull(),
    predictedProbability: doublePrecision('predicted_probability').notNull(),
    predictedLabel: smallint('predicted_label').notNull(),
    served: boolean('served').notNull(),
    ...featureColumns(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('predictions_version_scrip_day').on(t.modelVersion, t.bseCode, t.predictionDate),
    index('predictions_day_idx').on(t.predictionDate, t.modelVersion),
    check('predictions_probability_range', sql`${t.predictedProbability} between 0 and 1`),
    check('predictions_label_check', sql`${t.predictedLabel} in (0, 1)`),
  ],
);

/** The sample each version was trained on: what its drift baselines are built from. */
export const trainingSamples = pgTable(
  'training_samples',
  {
    modelVersion: text('model_version').notNull(),
    rowNumber: integer('row_number').notNull(),
    label: smallint('label').notNull(),
    ...featureColumns(),
  },
  (t) => [unique('training_samples_version_row').on(t.modelVersion, t.rowNumber)],
);

/** Real outcomes joined to the served prediction: the spec's columns and natural key. */
export const productionLabels = pgTable(
  'production_labels',
  {
    labelId: bigserial('label_id', { mode: 'number' }).primaryKey(),
    bseCode: integer('bse_code').notNull(),
    predictionDate: date('prediction_date').notNull(),
    earningsDate: date('earnings_date').notNull(),
    actualLabel: smallint('actual_label').notNull(),
    predictedLabel: smallint('predicted_label').notNull(),
    predictedProbability: doublePrecision('predicted_probability').notNull(),
    modelVersion: text('model_version').notNull(),
    outcomeDate: date('outcome_date').notNull(),
    labeledAt: timestamp('labeled_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('production_labels_scrip_day').on(t.bseCode, t.predictionDate),
    index('production_labels_day_idx').on(t.predictionDate),
    check('production_labels_actual_check', sql`${t.actualLabel} in (0, 1)`),
    check('production_labels_predicted_check', sql`${t.predictedLabel} in (0, 1)`),
    check('production_labels_probability_range', sql`${t.predictedProbability} between 0 and 1`),
  ],
);
