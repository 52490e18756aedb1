import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, type FeatureName, type FeatureVector } from '../features.js';
import { createRandom } from '../synthetic/random.js';
import {
  ModelFitError,
  chooseThreshold,
  featureImportances,
  fitLogisticRegression,
  predictLabel,
  predictProbability,
} from './logistic.js';
import { trainModel } from './train.js';

const TRUE_COEFFICIENTS: Partial<Record<FeatureName, number>> = {
  rsi_14: 1.2,
  earnings_surprise_pct: 0.8,
  debt_to_equity: -0.9,
  vcp_contraction_ratio: -0.5,
};

/** Independent features on assorted scales; the label is logistic in the standardised values. */
function simulate(seed: number, size: number): { rows: FeatureVector[]; labels: (0 | 1)[] } {
  const random = createRandom(seed);
  const rows: FeatureVector[] = [];
  const labels: (0 | 1)[] = [];
  for (let i = 0; i < size; i++) {
    const row = {} as Record<FeatureName, number | null>;
    let eta = -2;
    FEATURE_NAMES.forEach((name, j) => {
      const z = random.normal();
      row[name] = 10 * (j + 1) + (j + 1) * z;
      eta += (TRUE_COEFFICIENTS[name] ?? 0) * z;
    });
    rows.push(row);
    labels.push(random.next() < 1 / (1 + Math.exp(-eta)) ? 1 : 0);
  }
  return { rows, labels };
}

describe('fitLogisticRegression', () => {
  const { rows, labels } = simulate(11, 6000);
  const artifact = fitLogisticRegression(rows, labels, { version: 't', l2: 1, iterations: 50 });
  const coefficient = (name: FeatureName): number => artifact.coefficients[artifact.features.indexOf(name)]!;

  it('recovers the sign and rough size of known coefficients on a simulated sample', () => {
    for (const [name, truth] of Object.entries(TRUE_COEFFICIENTS) as [FeatureName, number][]) {
      expect(Math.sign(coefficient(name))).toBe(Math.sign(truth));
      expect(coefficient(name)).toBeCloseTo(truth, 0);
    }
    const noise = FEATURE_NAMES.filter((f) => TRUE_COEFFICIENTS[f] === undefined).map((f) => Math.abs(coefficient(f)));
    expect(Math.max(...noise)).toBeLessThan(0.15);
    expect(artifact.intercept).toBeCloseTo(-2, 0);
  });

  it('stores the training means and standard deviations it standardised with', () => {
    const j = artifact.features.indexOf('rsi_14');
    expect(artifact.means[j]).toBeCloseTo(10, 0);
    expect(artifact.stds[j]).toBeCloseTo(1, 1);
  });

  it('gives an identical artifact for the same seed and rows', () => {
    const again = simulate(11, 6000);
    expect(fitLogisticRegression(again.rows, again.labels, { version: 't', l2: 1, iterations: 50 })).toEqual(artifact);
  });

  it('imputes missing, NaN and infinite training values with the mean of the finite ones', () => {
    const holed = rows.slice(0, 2000).map((r, i) => ({ ...r, roe: i % 10 === 0 ? null : i % 10 === 1 ? NaN : r.roe }));
    const fitted = fitLogisticRegression(holed, labels.slice(0, 2000), { version: 'h', l2: 1, iterations: 30 });
    expect(fitted.coefficients.every(Number.isFinite)).toBe(true);
    expect(Number.isFinite(fitted.means[fitted.features.indexOf('roe')])).toBe(true);
  });

  it('fits only the features asked for', () => {
    const fitted = fitLogisticRegression(rows, labels, { version: 's', l2: 1, iterations: 30, features: ['rsi_14'] });
    expect(fitted.features).toEqual(['rsi_14']);
    expect(fitted.coefficients).toHaveLength(1);
  });

  it('rejects mismatched lengths, a single class and a feature with no finite value', () => {
    expect(() => fitLogisticRegression(rows, labels.slice(1), { version: 'x', l2: 1, iterations: 5 })).toThrow(
      /6000 feature rows but 5999 labels/,
    );
    expect(() =>
      fitLogisticRegression(rows.slice(0, 10), Array<0>(10).fill(0), { version: 'x', l2: 1, iterations: 5 }),
    ).toThrow(ModelFitError);
    const empty = rows.slice(0, 50).map((r) => ({ ...r, roe: null }));
    expect(() => fitLogisticRegression(empty, labels.slice(0, 50), { version: 'x', l2: 1, iterations: 5 })).toThrow(
      /feature roe: no finite value/,
    );
  });
});

describe('predictProbability', () => {
  const { rows, labels } = simulate(5, 3000);
  const artifact = fitLogisticRegression(rows, labels, { version: 'p', l2: 1, iterations: 50 });
  const atMeans = 1 / (1 + Math.exp(-artifact.intercept));

  it('never returns NaN: null, NaN, Infinity and absent features are imputed with the training mean', () => {
    const bad = { ...rows[0]!, rsi_14: NaN, roe: Infinity, beta_1y: -Infinity, debt_to_equity: null };
    const p = predictProbability(artifact, bad);
    expect(Number.isFinite(p)).toBe(true);
    const imputed = {
      ...rows[0]!,
      ...Object.fromEntries(
        (['rsi_14', 'roe', 'beta_1y', 'debt_to_equity'] as const).map((f) => [
          f,
          artifact.means[artifact.features.indexOf(f)]!,
        ]),
      ),
    };
    expect(p).toBeCloseTo(predictProbability(artifact, imputed), 12);
    expect(predictProbability(artifact, {})).toBeCloseTo(atMeans, 12);
  });

  it('stays a probability for extreme inputs', () => {
    const extreme = { ...rows[0]!, rsi_14: 1e300 };
    const p = predictProbability(artifact, extreme);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThanOrEqual(1);
  });

  it('labels at or above the threshold as 1', () => {
    const a = { ...artifact, threshold: 0.3 };
    expect(predictLabel(a, 0.3)).toBe(1);
    expect(predictLabel(a, 0.2999)).toBe(0);
  });
});

describe('featureImportances', () => {
  it('are |standardised coefficient| shares that sum to 1, largest first', () => {
    const { rows, labels } = simulate(7, 4000);
    const importances = featureImportances(
      fitLogisticRegression(rows, labels, { version: 'i', l2: 1, iterations: 50 }),
    );
    expect(importances).toHaveLength(25);
    expect(importances.reduce((s, f) => s + f.importance, 0)).toBeCloseTo(1, 12);
    for (let i = 1; i < importances.length; i++) {
      expect(importances[i - 1]!.importance).toBeGreaterThanOrEqual(importances[i]!.importance);
    }
    expect(importances[0]!.feature).toBe('rsi_14');
  });
});

describe('chooseThreshold', () => {
  it('picks the cut-off with the best F1 on the rows given', () => {
    // Cutting between 0.6 and 0.4 predicts the three top rows: tp 2, fp 1, fn 0 -> F1 0.8, the best available.
    const p = [0.9, 0.8, 0.6, 0.4, 0.2, 0.1];
    const y: (0 | 1)[] = [1, 0, 1, 0, 0, 0];
    const t = chooseThreshold(p, y);
    expect(t).toBeGreaterThan(0.4);
    expect(t).toBeLessThanOrEqual(0.6);
  });
});

describe('trainModel', () => {
  it('fits on the first rows, picks the threshold on validation and measures on the held-out test rows', () => {
    const { rows, labels } = simulate(3, 5000);
    const trained = trainModel(rows, labels, {
      version: '9.9.9',
      l2: 1,
      iterations: 50,
      validationShare: 0.2,
      testShare: 0.4,
    });
    expect(trained.split).toEqual({ train: 2000, validation: 1000, test: 2000 });
    expect(trained.artifact.threshold).toBeGreaterThan(0);
    expect(trained.artifact.threshold).toBeLessThan(1);
    expect(trained.testMetrics.rocAuc).toBeGreaterThan(0.75);
    expect(trained.testMetrics.f1).toBeGreaterThan(0.3);
    expect(trained.featureImportances[0]!.feature).toBe('rsi_14');
    const again = trainModel(rows, labels, {
      version: '9.9.9',
      l2: 1,
      iterations: 50,
      validationShare: 0.2,
      testShare: 0.4,
    });
    expect(again).toEqual(trained);
  });
});
