import { describe, expect, it } from 'vitest';
import { FEATURE_NAMES, KS_FEATURE_NAMES, type FeatureName } from '../features.js';
import { createRandom, type Random } from '../statistics/random.js';
import { buildFeatureBaseline, type FeatureBaseline } from './baseline.js';
import {
  DEFAULT_DRIFT_SETTINGS,
  DriftInputError,
  evaluateDrift,
  psiNoiseFloor,
  type ProductionValues,
} from './policy.js';

const r = createRandom(2024);
const baselines: Partial<Record<FeatureName, FeatureBaseline>> = {};
for (const f of FEATURE_NAMES) {
  baselines[f] = buildFeatureBaseline(
    f,
    Array.from({ length: 5000 }, () => r.normal()),
  );
}

function sample(rng: Random, rows: number, shift: Partial<Record<FeatureName, number>> = {}): ProductionValues {
  const out: ProductionValues = {};
  for (const f of FEATURE_NAMES) out[f] = Array.from({ length: rows }, () => rng.normal(shift[f] ?? 0, 1));
  return out;
}

function expectError(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DriftInputError);
    expect((e as DriftInputError).code).toBe(code);
    expect((e as Error).message).toMatch(message);
    return;
  }
  throw new Error(`expected DriftInputError ${code}`);
}

describe('evaluateDrift', () => {
  it('finds no drift on a day drawn from the baseline distribution and tests all 25 features', () => {
    const rng = createRandom(1);
    const ev = evaluateDrift({ baselines, daily: sample(rng, 200), weekly: sample(rng, 1400) });
    expect(ev.severity).toBe('NONE');
    expect(ev.featuresTested).toBe(25);
    expect(ev.features.every((f) => f.status === 'OK' && f.action === '-')).toBe(true);
    // KS on the continuous technical features only, PSI on every feature, both windows.
    expect(ev.testsCorrected).toBe(2 * (25 + KS_FEATURE_NAMES.length));
    expect(ev.features.find((f) => f.feature === 'roe')!.ksStatistic).toBeNull();
    expect(ev.features.find((f) => f.feature === 'rsi_14')!.ksStatistic).not.toBeNull();
  });

  it('does not flag a small noisy day whose raw PSI crosses 0.1 without significance', () => {
    const rng = createRandom(2);
    const ev = evaluateDrift({ baselines, daily: sample(rng, 50) });
    const noisy = ev.features.filter((f) => (f.psiDaily ?? 0) >= 0.1);
    expect(noisy.length).toBeGreaterThan(5);
    expect(ev.severity).toBe('NONE');
  });

  it('flags a 0.5 sd shift in three features through the weekly window even on 50-row days', () => {
    const rng = createRandom(3);
    const shift = { rsi_14: 0.5, beta_1y: 0.5, roe: 0.5 };
    const ev = evaluateDrift({ baselines, daily: sample(rng, 50, shift), weekly: sample(rng, 350, shift) });
    expect(new Set(ev.driftingFeatures)).toEqual(new Set(['rsi_14', 'beta_1y', 'roe']));
    const roe = ev.features.find((f) => f.feature === 'roe')!;
    expect(roe.decidingWindow).toBe('weekly');
    expect(roe.qValue!).toBeLessThanOrEqual(DEFAULT_DRIFT_SETTINGS.fdrAlpha);
    expect(['MODERATE', 'HIGH']).toContain(ev.severity);
  });

  it('recommends retraining for a large shift and escalates to CRITICAL when over 30% of features drift', () => {
    const rng = createRandom(4);
    const one = evaluateDrift({ baselines, daily: sample(rng, 300, { atr_14: 1.2 }) });
    const atr = one.features.find((f) => f.feature === 'atr_14')!;
    expect(atr.status).toBe('DRIFT');
    expect(atr.action).toBe('Retrain recommended');
    expect(one.highPsiFeatures).toContain('atr_14');

    const many: Partial<Record<FeatureName, number>> = {};
    for (const f of FEATURE_NAMES.slice(0, 9)) many[f] = 0.6;
    const ev = evaluateDrift({ baselines, daily: sample(rng, 300, many), settings: { psiCritical: 10 } });
    expect(ev.driftingFeatures.length).toBe(9);
    expect(ev.severity).toBe('CRITICAL');
  });

  it('reports a feature with too many missing values as QUALITY and does not test the rest', () => {
    const rng = createRandom(5);
    const daily = sample(rng, 100);
    daily.rsi_14 = daily.rsi_14!.map((v, i) => (i % 4 === 0 ? null : i % 4 === 1 ? Number.NaN : v));
    daily.roe = Array.from({ length: 100 }, () => Number.NaN);
    const ev = evaluateDrift({ baselines, daily });
    const rsi = ev.features.find((f) => f.feature === 'rsi_14')!;
    expect(rsi).toMatchObject({ status: 'QUALITY', action: 'Fix data', rows: 100, missing: 25, nonFinite: 25 });
    expect(rsi.psiDaily).toBeNull();
    expect(ev.features.find((f) => f.feature === 'roe')!.reason).toMatch(/^all 100 of 100 values/);
    expect(ev.qualityFeatures).toEqual(['rsi_14', 'roe']);
    expect(ev.featuresTested).toBe(23);
  });

  it('counts production values outside the training range', () => {
    const rng = createRandom(6);
    const daily = sample(rng, 100);
    daily.obv_trend = [...daily.obv_trend!.slice(0, 97), 99, -99, 1e6];
    const f = evaluateDrift({ baselines, daily }).features.find((x) => x.feature === 'obv_trend')!;
    expect(f.outOfRange).toBeGreaterThanOrEqual(3);
  });

  it('skips a feature without a baseline and tests a short day on the weekly window alone', () => {
    const rng = createRandom(7);
    const { delivery_pct: _dropped, ...partial } = baselines;
    const daily = sample(rng, 20);
    const ev = evaluateDrift({ baselines: partial, daily, weekly: sample(rng, 140) });
    const delivery = ev.features.find((f) => f.feature === 'delivery_pct')!;
    expect(delivery.status).toBe('SKIPPED');
    expect(delivery.reason).toMatch(/no baseline/);
    const rsi = ev.features.find((f) => f.feature === 'rsi_14')!;
    expect(rsi.psiDaily).toBeNull();
    expect(rsi.psiWeekly).not.toBeNull();
    expect(rsi.status).toBe('OK');
    const noWeek = evaluateDrift({ baselines, daily });
    expect(noWeek.features[0]!.status).toBe('SKIPPED');
    expect(noWeek.features[0]!.reason).toMatch(/only 20 finite values today, fewer than minRows 30/);
  });

  it('throws DriftInputError with a code for an empty day, an unknown feature, no baselines and bad settings', () => {
    expectError(() => evaluateDrift({ baselines, daily: {} }), 'EMPTY_DAY', /no production rows/);
    expectError(
      () => evaluateDrift({ baselines, daily: { ...sample(createRandom(8), 40), rsi_15: [1] } as ProductionValues }),
      'UNKNOWN_FEATURE',
      /daily input has unknown feature 'rsi_15'/,
    );
    expectError(
      () => evaluateDrift({ baselines: {}, daily: sample(createRandom(9), 40) }),
      'NO_BASELINES',
      /no feature has a baseline/,
    );
    expectError(
      () => evaluateDrift({ baselines, daily: sample(createRandom(9), 40), settings: { fdrAlpha: 2 } }),
      'INVALID_SETTINGS',
      /fdrAlpha 2/,
    );
  });

  it('returns plain JSON that survives a round trip', () => {
    const ev = evaluateDrift({ baselines, daily: sample(createRandom(10), 80), weekly: sample(createRandom(11), 560) });
    expect(JSON.parse(JSON.stringify(ev))).toEqual(ev);
  });

  it('works on equal-width bins, re-deriving them from the reference sample when the baseline has deciles', () => {
    const rng = createRandom(12);
    const ev = evaluateDrift({
      baselines,
      daily: sample(rng, 300, { rsi_14: 1 }),
      settings: { binning: 'equal_width' },
    });
    expect(ev.features.find((f) => f.feature === 'rsi_14')!.status).toBe('DRIFT');
    expect(ev.features.filter((f) => f.status !== 'OK').length).toBe(1);
  });

  it('puts the PSI noise floor at (bins - 1)(1/n + 1/N)', () => {
    expect(psiNoiseFloor([500, 500, 0, 500, 500], 100)).toBeCloseTo(3 * (1 / 100 + 1 / 2000), 15);
  });
});
