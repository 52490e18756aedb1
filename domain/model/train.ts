/**
 * From a labelled sample to a registry record: split, fit, pick the threshold on validation, measure on test.
 */
import type { FeatureName, FeatureVector } from '../features.js';
import { classificationMetrics } from '../statistics/classification.js';
import {
  ModelFitError,
  chooseThreshold,
  featureImportances,
  fitLogisticRegression,
  predictLabel,
  predictProbability,
} from './logistic.js';
import type { FeatureImportance, ModelArtifact, TestMetrics } from './types.js';

export interface TrainOptions {
  readonly version: string;
  readonly l2: number;
  readonly iterations: number;
  readonly features?: readonly FeatureName[];
  /** Shares of the rows held out, taken from the end of the sample in this order: validation, then test. */
  readonly validationShare: number;
  readonly testShare: number;
}

export interface TrainedModel {
  readonly artifact: ModelArtifact;
  readonly testMetrics: TestMetrics;
  readonly validationF1: number;
  readonly featureImportances: readonly FeatureImportance[];
  readonly split: { readonly train: number; readonly validation: number; readonly test: number };
}

function scoreAll(artifact: ModelArtifact, rows: readonly FeatureVector[]): number[] {
  return rows.map((row) => predictProbability(artifact, row));
}

/**
 * The split is by position, not shuffled: when the rows are in time order the validation and test sets come after
 * the training rows, which is the honest (out-of-time) way to measure a model that will score the future. Rows
 * that are already exchangeable, like the synthetic samples, lose nothing by it.
 */
export function trainModel(
  rows: readonly FeatureVector[],
  labels: readonly (0 | 1)[],
  opts: TrainOptions,
): TrainedModel {
  if (rows.length !== labels.length) {
    throw new ModelFitError(`model ${opts.version}: ${rows.length} feature rows but ${labels.length} labels`);
  }
  const shares = opts.validationShare + opts.testShare;
  if (!(opts.validationShare > 0) || !(opts.testShare > 0) || !(shares < 1)) {
    throw new ModelFitError(
      `model ${opts.version}: validation share ${opts.validationShare} and test share ${opts.testShare} ` +
        'must be positive and leave rows to train on',
    );
  }
  const testSize = Math.round(rows.length * opts.testShare);
  const validationSize = Math.round(rows.length * opts.validationShare);
  const trainSize = rows.length - testSize - validationSize;
  const trainRows = rows.slice(0, trainSize);
  const validationRows = rows.slice(trainSize, trainSize + validationSize);
  const testRows = rows.slice(trainSize + validationSize);
  const trainLabels = labels.slice(0, trainSize);
  const validationLabels = labels.slice(trainSize, trainSize + validationSize);
  const testLabels = labels.slice(trainSize + validationSize);

  const fitted = fitLogisticRegression(trainRows, trainLabels, {
    version: opts.version,
    l2: opts.l2,
    iterations: opts.iterations,
    ...(opts.features === undefined ? {} : { features: opts.features }),
  });
  const threshold = chooseThreshold(scoreAll(fitted, validationRows), validationLabels);
  const artifact: ModelArtifact = { ...fitted, threshold };

  const validationProbabilities = scoreAll(artifact, validationRows);
  const validation = classificationMetrics(
    validationLabels,
    validationProbabilities.map((p) => predictLabel(artifact, p)),
  );
  const testProbabilities = scoreAll(artifact, testRows);
  const test = classificationMetrics(
    testLabels,
    testProbabilities.map((p) => predictLabel(artifact, p)),
    testProbabilities,
  );
  if (test.rocAuc === null) {
    throw new ModelFitError(`model ${opts.version}: the test split of ${testRows.length} rows holds one class only`);
  }
  return {
    artifact,
    testMetrics: { f1: test.f1, precision: test.precision, recall: test.recall, rocAuc: test.rocAuc },
    validationF1: validation.f1,
    featureImportances: featureImportances(artifact),
    split: { train: trainRows.length, validation: validationRows.length, test: testRows.length },
  };
}
