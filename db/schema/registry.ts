import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  doublePrecision,
  jsonb,
  pgTable,
  serial,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import type { FeatureImportance, ModelArtifact } from '../../domain/model/types.js';

/** The model registry: one row per trained version. Exactly one version is active at a time. */
export const modelVersions = pgTable(
  'model_versions',
  {
    id: serial('id').primaryKey(),
    version: text('version').notNull().unique(),
    modelType: text('model_type').notNull(),
    trainingDate: date('training_date').notNull(),
    trainingWindowStart: date('training_window_start').notNull(),
    trainingWindowEnd: date('training_window_end').notNull(),
    testF1: doublePrecision('test_f1').notNull(),
    testPrecision: doublePrecision('test_precision').notNull(),
    testRecall: doublePrecision('test_recall').notNull(),
    testRocAuc: doublePrecision('test_roc_auc').notNull(),
    featureImportances: jsonb('feature_importances').$type<FeatureImportance[]>().notNull(),
    artifact: jsonb('artifact').$type<ModelArtifact>().notNull(),
    stage: text('stage', { enum: ['stable', 'candidate', 'retired'] }).notNull(),
    isActive: boolean('is_active').notNull().default(false),
    activatedAt: timestamp('activated_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('model_versions_one_active')
      .on(t.isActive)
      .where(sql`${t.isActive}`),
    check('model_versions_stage_check', sql`${t.stage} in ('stable', 'candidate', 'retired')`),
    check('model_versions_f1_range', sql`${t.testF1} between 0 and 1`),
  ],
);

export type ModelVersionRow = typeof modelVersions.$inferSelect;
