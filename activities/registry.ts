/** Reads the model registry into the domain's record shape. */
import { isoDay } from '../db/rows.js';
import type { Database } from '../db/client.js';
import { modelVersions, type ModelVersionRow } from '../db/schema/index.js';
import type { ModelVersionRecord } from '../domain/model/types.js';
import { InvalidInputError } from './errors.js';

function toModelVersionRecord(row: ModelVersionRow): ModelVersionRecord {
  return {
    version: row.version,
    modelType: row.modelType,
    trainingDate: isoDay(row.trainingDate),
    trainingWindow: { start: isoDay(row.trainingWindowStart), end: isoDay(row.trainingWindowEnd) },
    testMetrics: { f1: row.testF1, precision: row.testPrecision, recall: row.testRecall, rocAuc: row.testRocAuc },
    featureImportances: row.featureImportances,
    stage: row.stage,
    isActive: row.isActive,
    artifact: row.artifact,
  };
}

export async function loadRegistry(db: Database): Promise<{ active: ModelVersionRecord; all: ModelVersionRecord[] }> {
  const rows = await db.select().from(modelVersions);
  const all = rows.map(toModelVersionRecord);
  const active = all.find((r) => r.isActive);
  if (!active) {
    throw new InvalidInputError(
      'the model registry has no active version: load one (scripts/seed-data.ts) or approve a rollback',
    );
  }
  return { active, all };
}
