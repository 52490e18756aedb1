/**
 * Loads the bundled synthetic world into the database the way production data would arrive:
 * the model registry, the scrip master, each version's training sample, and the batch scoring
 * job's predictions. BhavCopy files stay on disk for the ground-truth stage to find.
 * Every insert does nothing on conflict, so loading twice leaves one copy.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { FEATURE_NAMES, type FeatureVector } from '../domain/features.js';
import type { ModelVersionRecord } from '../domain/model/types.js';
import { parseScripsCsv, parseTrainingCsv, readPredictionsCsv } from '../domain/synthetic/csv.js';
import type { Database } from '../db/client.js';
import { and, inArray } from 'drizzle-orm';
import { chunk } from '../db/rows.js';
import { modelVersions, predictions, scrips, trainingSamples } from '../db/schema/index.js';

export interface SyntheticManifest {
  readonly seed: number;
  readonly tradingDays: readonly string[];
  readonly regimeChangeDate: string;
  readonly driftedFeatures: readonly string[];
  readonly models: readonly ModelVersionRecord[];
}

export interface LoadSummary {
  readonly models: number;
  readonly scrips: number;
  readonly trainingRows: number;
  readonly predictions: number;
}

export async function readManifest(dir: string): Promise<SyntheticManifest> {
  const file = path.join(dir, 'manifest.json');
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as SyntheticManifest;
  } catch (err) {
    throw new Error(
      `synthetic data manifest ${file} cannot be read (generate it with scripts/generate-data.ts): ${(err as Error).message}`,
      { cause: err },
    );
  }
}

function featureValues(features: FeatureVector): FeatureVector {
  return Object.fromEntries(FEATURE_NAMES.map((f) => [f, features[f]])) as FeatureVector;
}

async function loadRegistry(db: Database, models: readonly ModelVersionRecord[]): Promise<void> {
  await db
    .insert(modelVersions)
    .values(
      models.map((m) => ({
        version: m.version,
        modelType: m.modelType,
        trainingDate: m.trainingDate,
        trainingWindowStart: m.trainingWindow.start,
        trainingWindowEnd: m.trainingWindow.end,
        testF1: m.testMetrics.f1,
        testPrecision: m.testMetrics.precision,
        testRecall: m.testMetrics.recall,
        testRocAuc: m.testMetrics.rocAuc,
        featureImportances: [...m.featureImportances],
        artifact: m.artifact,
        stage: m.stage,
        isActive: m.isActive,
        activatedAt: m.isActive ? new Date(`${m.trainingDate}T00:00:00Z`) : null,
      })),
    )
    // A version already registered keeps its row: a rollback may have changed which one is active.
    .onConflictDoNothing();
}

/** A prediction whose key is stored with other values: an upstream fault, never silently kept or replaced. */
export class PredictionConflictError extends Error {
  override readonly name = 'PredictionConflictError';
}

type PredictionRow = typeof predictions.$inferInsert;

const keyOf = (r: { modelVersion: string; bseCode: number; predictionDate: string }): string =>
  `${r.modelVersion}|${r.bseCode}|${r.predictionDate}`;

/**
 * One file in one transaction: a refusal anywhere stores nothing of it. Loading the same file again is a no-op,
 * but a row whose (version, scrip, day) is stored with another probability, label or served flag is named, with
 * its file and line, and the file is refused.
 */
async function loadPredictionFile(db: Database, file: string, rows: readonly PredictionRow[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const [partIndex, part] of chunk(rows, 1500).entries()) {
      const inserted = await tx.insert(predictions).values(part).onConflictDoNothing().returning({
        modelVersion: predictions.modelVersion,
        bseCode: predictions.bseCode,
        predictionDate: predictions.predictionDate,
      });
      if (inserted.length === part.length) continue;
      const fresh = new Set(inserted.map(keyOf));
      const conflicts = part.filter((r) => !fresh.has(keyOf(r)));
      const stored = await tx
        .select()
        .from(predictions)
        .where(
          and(
            inArray(
              predictions.bseCode,
              conflicts.map((r) => r.bseCode),
            ),
            inArray(
              predictions.predictionDate,
              conflicts.map((r) => r.predictionDate),
            ),
          ),
        );
      const byKey = new Map(stored.map((r) => [keyOf(r), r]));
      for (const row of conflicts) {
        const existing = byKey.get(keyOf(row));
        if (
          existing &&
          existing.predictedProbability === row.predictedProbability &&
          existing.predictedLabel === row.predictedLabel &&
          existing.served === row.served
        ) {
          continue;
        }
        const line = partIndex * 1500 + part.indexOf(row) + 2;
        throw new PredictionConflictError(
          `${file}, line ${line}: prediction of model ${row.modelVersion} for ${row.bseCode} on ${row.predictionDate} ` +
            `is already stored with probability ${existing?.predictedProbability ?? '?'} (file says ${row.predictedProbability}); ` +
            'nothing of this file was loaded',
        );
      }
    }
  });
}

export async function loadSyntheticData(db: Database, dir: string): Promise<LoadSummary> {
  const manifest = await readManifest(dir);
  await loadRegistry(db, manifest.models);

  const scripList = parseScripsCsv(await fs.readFile(path.join(dir, 'scrips.csv'), 'utf8'));
  for (const part of chunk(scripList, 5000)) {
    await db
      .insert(scrips)
      .values(
        part.map((s) => ({
          bseCode: s.bseCode,
          name: s.name,
          isin: s.isin,
          scripGroup: s.group,
          priceBandPct: s.priceBandPct,
        })),
      )
      .onConflictDoNothing();
  }

  let trainingRows = 0;
  for (const model of manifest.models) {
    const file = path.join(dir, 'training', `${model.version}.csv`);
    const sample = parseTrainingCsv(await fs.readFile(file, 'utf8'), file);
    const rows = sample.features.map((features, i) => ({
      modelVersion: model.version,
      rowNumber: i,
      label: sample.labels[i] ?? 0,
      ...featureValues(features),
    }));
    for (const part of chunk(rows, 1500)) await db.insert(trainingSamples).values(part).onConflictDoNothing();
    trainingRows += rows.length;
  }

  let predictionCount = 0;
  const predictionFiles = (await fs.readdir(path.join(dir, 'predictions'))).filter((f) => f.endsWith('.csv')).sort();
  for (const name of predictionFiles) {
    const file = path.join(dir, 'predictions', name);
    const day = readPredictionsCsv(await fs.readFile(file, 'utf8'), file);
    const rows = day.map((p) => ({
      bseCode: p.bseCode,
      predictionDate: p.predictionDate,
      earningsDate: p.earningsDate,
      modelVersion: p.modelVersion,
      predictedProbability: p.predictedProbability,
      predictedLabel: p.predictedLabel,
      served: p.served,
      ...featureValues(p.features),
    }));
    await loadPredictionFile(db, file, rows);
    predictionCount += rows.length;
  }
  return { models: manifest.models.length, scrips: scripList.length, trainingRows, predictions: predictionCount };
}
