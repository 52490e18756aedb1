/**
 * L2-regularised logistic regression on standardised features, fitted by iteratively reweighted least squares
 * (Newton's method). Deterministic: no random initialisation, a fixed iteration order, so the same rows give the
 * same artifact bit for bit.
 */
import { FEATURE_NAMES, type FeatureName, type FeatureVector } from '../features.js';
import type { FeatureImportance, ModelArtifact } from './types.js';

export interface FitOptions {
  readonly version: string;
  /** Penalty lambda on the sum of squared standardised coefficients (the intercept is not penalised). */
  readonly l2: number;
  /** Upper bound on Newton steps; the fit stops earlier once the coefficients stop moving. */
  readonly iterations: number;
  readonly features?: readonly FeatureName[];
  /** Stored in the artifact; pick it afterwards with chooseThreshold. Defaults to 0.5. */
  readonly threshold?: number;
}

export class ModelFitError extends Error {
  override readonly name = 'ModelFitError';
}

const CONVERGENCE_TOLERANCE = 1e-10;

/** A usable number, or null for anything to impute (null, undefined, NaN, +-Infinity). */
function finiteOrNull(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function trainingMoments(
  rows: readonly FeatureVector[],
  features: readonly FeatureName[],
): { means: number[]; stds: number[] } {
  const means: number[] = [];
  const stds: number[] = [];
  for (const feature of features) {
    let n = 0;
    let sum = 0;
    for (const row of rows) {
      const v = finiteOrNull(row[feature]);
      if (v !== null) {
        n++;
        sum += v;
      }
    }
    if (n === 0) throw new ModelFitError(`feature ${feature}: no finite value in ${rows.length} training rows`);
    const mean = sum / n;
    let ss = 0;
    for (const row of rows) {
      const v = finiteOrNull(row[feature]);
      if (v !== null) ss += (v - mean) ** 2;
    }
    const std = Math.sqrt(ss / n);
    means.push(mean);
    // A constant feature carries no information; a unit scale keeps its standardised value at 0 instead of NaN.
    stds.push(std > 0 ? std : 1);
  }
  return { means, stds };
}

function standardisedRow(
  row: FeatureVector,
  features: readonly FeatureName[],
  means: readonly number[],
  stds: readonly number[],
): Float64Array {
  const z = new Float64Array(features.length);
  for (let j = 0; j < features.length; j++) {
    const v = finiteOrNull(row[features[j]!]);
    z[j] = v === null ? 0 : (v - means[j]!) / stds[j]!;
  }
  return z;
}

function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t));
  const e = Math.exp(t);
  return e / (1 + e);
}

/** Solves a symmetric positive definite system by Cholesky; the L2 term keeps the Hessian positive definite. */
function solveSpd(matrix: Float64Array, rhs: Float64Array, size: number): Float64Array {
  const l = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j <= i; j++) {
      let s = matrix[i * size + j]!;
      for (let k = 0; k < j; k++) s -= l[i * size + k]! * l[j * size + k]!;
      if (i === j) {
        if (!(s > 0)) throw new ModelFitError('IRLS Hessian is not positive definite; increase l2');
        l[i * size + i] = Math.sqrt(s);
      } else {
        l[i * size + j] = s / l[j * size + j]!;
      }
    }
  }
  const y = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    let s = rhs[i]!;
    for (let k = 0; k < i; k++) s -= l[i * size + k]! * y[k]!;
    y[i] = s / l[i * size + i]!;
  }
  const x = new Float64Array(size);
  for (let i = size - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < size; k++) s -= l[k * size + i]! * x[k]!;
    x[i] = s / l[i * size + i]!;
  }
  return x;
}

export function fitLogisticRegression(
  rows: readonly FeatureVector[],
  labels: readonly (0 | 1)[],
  opts: FitOptions,
): ModelArtifact {
  const features = opts.features ?? FEATURE_NAMES;
  if (rows.length !== labels.length) {
    throw new ModelFitError(`model ${opts.version}: ${rows.length} feature rows but ${labels.length} labels`);
  }
  if (rows.length === 0) throw new ModelFitError(`model ${opts.version}: no training rows`);
  if (!(opts.l2 >= 0)) throw new ModelFitError(`model ${opts.version}: l2 must be >= 0, got ${opts.l2}`);
  let positives = 0;
  for (const y of labels) positives += y;
  if (positives === 0 || positives === labels.length) {
    throw new ModelFitError(`model ${opts.version}: training labels are all ${labels[0]}; both classes are needed`);
  }

  const { means, stds } = trainingMoments(rows, features);
  const p = features.length + 1; // column 0 is the intercept
  const x = rows.map((row) => standardisedRow(row, features, means, stds));
  // Start from the base rate so the first Newton step is already sensible.
  const beta = new Float64Array(p);
  beta[0] = Math.log(positives / (labels.length - positives));

  for (let iter = 0; iter < opts.iterations; iter++) {
    const hessian = new Float64Array(p * p);
    const gradient = new Float64Array(p);
    for (let i = 0; i < x.length; i++) {
      const zi = x[i]!;
      let eta = beta[0];
      for (let j = 0; j < zi.length; j++) eta += beta[j + 1]! * zi[j]!;
      const mu = sigmoid(eta);
      const w = mu * (1 - mu);
      const r = labels[i]! - mu;
      gradient[0]! += r;
      hessian[0]! += w;
      for (let j = 0; j < zi.length; j++) {
        const zj = zi[j]!;
        gradient[j + 1]! += r * zj;
        const wz = w * zj;
        hessian[(j + 1) * p]! += wz;
        for (let k = 0; k <= j; k++) hessian[(j + 1) * p + k + 1]! += wz * zi[k]!;
      }
    }
    for (let j = 1; j < p; j++) {
      gradient[j]! -= opts.l2 * beta[j]!;
      hessian[j * p + j]! += opts.l2;
    }
    // Mirror the lower triangle that the loop above filled.
    for (let i = 0; i < p; i++) for (let j = i + 1; j < p; j++) hessian[i * p + j] = hessian[j * p + i]!;
    const step = solveSpd(hessian, gradient, p);
    let largest = 0;
    for (let j = 0; j < p; j++) {
      beta[j]! += step[j]!;
      largest = Math.max(largest, Math.abs(step[j]!));
    }
    if (largest < CONVERGENCE_TOLERANCE) break;
  }

  return {
    version: opts.version,
    modelType: 'logistic_regression',
    features: [...features],
    means,
    stds,
    coefficients: Array.from(beta.subarray(1)),
    intercept: beta[0],
    threshold: opts.threshold ?? 0.5,
  };
}

/**
 * Missing, NaN and infinite inputs are imputed with the training mean (a standardised 0), so a bad feed lowers
 * the quality of a score but never makes the API answer NaN.
 */
export function predictProbability(artifact: ModelArtifact, features: Partial<FeatureVector>): number {
  let eta = artifact.intercept;
  for (let j = 0; j < artifact.features.length; j++) {
    const v = finiteOrNull(features[artifact.features[j]!]);
    if (v !== null) eta += (artifact.coefficients[j]! * (v - artifact.means[j]!)) / artifact.stds[j]!;
  }
  return sigmoid(eta);
}

export function predictLabel(artifact: ModelArtifact, probability: number): 0 | 1 {
  return probability >= artifact.threshold ? 1 : 0;
}

/** |standardised coefficient| shares, largest first; ties broken by feature name so the order is stable. */
export function featureImportances(artifact: ModelArtifact): FeatureImportance[] {
  let total = 0;
  for (const c of artifact.coefficients) total += Math.abs(c);
  return artifact.features
    .map((feature, j) => ({
      feature,
      importance: total === 0 ? 0 : Math.abs(artifact.coefficients[j]!) / total,
    }))
    .sort((a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0));
}

/**
 * The probability cut-off with the best F1 on the given (validation) rows. Every distinct score is a candidate, so
 * the search is exact; among equal F1 the lower cut-off wins, which favours recall.
 */
export function chooseThreshold(probabilities: readonly number[], labels: readonly (0 | 1)[]): number {
  if (probabilities.length !== labels.length) {
    throw new ModelFitError(`chooseThreshold: ${probabilities.length} scores but ${labels.length} labels`);
  }
  const order = probabilities.map((_, i) => i).sort((a, b) => probabilities[b]! - probabilities[a]!);
  let positives = 0;
  for (const y of labels) positives += y;
  if (positives === 0) return 0.5;
  let tp = 0;
  let predicted = 0;
  let bestF1 = -1;
  let best = 0.5;
  // Walk down the scores; a cut-off at score s predicts 1 for every row with score >= s.
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    tp += labels[i]!;
    predicted++;
    const next = order[k + 1];
    if (next !== undefined && probabilities[next] === probabilities[i]) continue;
    const f1 = (2 * tp) / (predicted + positives);
    if (f1 >= bestF1) {
      bestF1 = f1;
      // Halfway to the next lower score, so a new score equal to the last one kept still counts as positive
      // without the cut-off sitting on one validation row's exact value.
      best = next === undefined ? probabilities[i]! : (probabilities[i]! + probabilities[next]!) / 2;
    }
  }
  return best;
}
