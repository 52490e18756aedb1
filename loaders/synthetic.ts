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

export async function loadSyntheticData(db: Database, dir: string): Promise<LoadSummary> {
  const manifest = await readManifest(dir);
  await loadRegistry(db, manifest.models);

  const scripList = parseScripsCsv(await fs.readFile(path.join(dir, 'scrips.csv'), 'utf8'));
  for (const part of chunk(scripList, 5000)) {
    await db
      .insert(scrips)
      .values(part.map((s) => ({ bseCode: s.bseCode, name: s.name, isin: s.isin, scripGroup: s.group, priceBandPct: s.priceBandPct })))
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
    for (const part of chunk(rows, 1500)) await db.insert(predictions).values(part).onConflictDoNothing();
    predictionCount += rows.length;
  }
  return { models: manifest.models.length, scrips: scripList.length, trainingRows, predictions: predictionCount };
}
