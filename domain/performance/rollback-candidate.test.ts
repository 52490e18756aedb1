import { describe, expect, it } from 'vitest';
import type { ModelStage, ModelVersionRecord } from '../model/types.js';
import { compareVersions, selectRollbackCandidate, type VersionWithProductionF1 } from './rollback-candidate.js';

function record(version: string, trainingDate: string, stage: ModelStage, testF1: number): ModelVersionRecord {
  return {
    version,
    modelType: 'logistic_regression',
    trainingDate,
    trainingWindow: { start: '2023-01-01', end: trainingDate },
    testMetrics: { f1: testF1, precision: testF1, recall: testF1, rocAuc: 0.8 },
    featureImportances: [],
    stage,
    isActive: false,
    artifact: {
      version,
      modelType: 'logistic_regression',
      features: [],
      means: [],
      stds: [],
      coefficients: [],
      intercept: 0,
      threshold: 0.5,
    },
  };
}

const current = { record: record('1.3.0', '2025-10-01', 'stable', 0.74), productionF1: 0.6 };
const v = (version: string, date: string, stage: ModelStage, testF1: number, productionF1: number | null) =>
  ({ record: record(version, date, stage, testF1), productionF1 }) satisfies VersionWithProductionF1;

describe('selectRollbackCandidate', () => {
  it('picks the newest earlier stable version whose F1 beats the current production F1', () => {
    const c = selectRollbackCandidate(current, [
      v('1.0.0', '2025-01-10', 'stable', 0.7, 0.66),
      v('1.2.0', '2025-07-01', 'stable', 0.71, 0.64),
      v('1.1.0', '2025-04-01', 'stable', 0.72, 0.65),
    ]);
    expect(c).toMatchObject({ version: '1.2.0', f1: 0.64, f1Source: 'production', currentF1: 0.6 });
  });

  it('skips newer versions that do not beat the current F1 and takes an older one that does', () => {
    const c = selectRollbackCandidate(current, [
      v('1.2.0', '2025-07-01', 'stable', 0.7, 0.58),
      v('1.1.0', '2025-04-01', 'stable', 0.7, 0.62),
    ]);
    expect(c?.version).toBe('1.1.0');
  });

  it('ignores candidates, retired versions, later versions, same-day siblings and the current version', () => {
    const c = selectRollbackCandidate(current, [
      v('1.2.5', '2025-08-01', 'candidate', 0.8, 0.7),
      v('1.2.4', '2025-07-15', 'retired', 0.8, 0.7),
      v('1.4.0', '2025-11-01', 'stable', 0.8, 0.7),
      v('1.3.1', '2025-10-01', 'stable', 0.8, 0.7),
      v('1.3.0', '2025-10-01', 'stable', 0.8, 0.7),
    ]);
    expect(c).toBeNull();
  });

  it('falls back to the test-set F1 for a version never shadow-scored, and says so', () => {
    const c = selectRollbackCandidate(current, [v('1.2.0', '2025-07-01', 'stable', 0.69, null)]);
    expect(c).toMatchObject({ version: '1.2.0', f1: 0.69, f1Source: 'test_set' });
  });

  it('prefers the production F1 over a higher test-set F1 when both exist', () => {
    expect(selectRollbackCandidate(current, [v('1.2.0', '2025-07-01', 'stable', 0.9, 0.55)])).toBeNull();
  });

  it('breaks a training-date tie by version number', () => {
    const c = selectRollbackCandidate(current, [
      v('1.2.9', '2025-07-01', 'stable', 0.7, 0.7),
      v('1.2.10', '2025-07-01', 'stable', 0.7, 0.7),
    ]);
    expect(c?.version).toBe('1.2.10');
  });

  it('returns null when no version beats an equal F1', () => {
    expect(selectRollbackCandidate(current, [v('1.2.0', '2025-07-01', 'stable', 0.6, 0.6)])).toBeNull();
  });
});

describe('compareVersions', () => {
  it('orders dotted versions numerically', () => {
    expect(['1.10.0', '1.9.2', '1.2', '2.0.0'].sort(compareVersions)).toEqual(['1.2', '1.9.2', '1.10.0', '2.0.0']);
  });
});
