import { beforeAll, describe, expect, it } from 'vitest';
import type { PriceRow } from '../bhavcopy/types.js';
import { FEATURE_NAMES, type FeatureName } from '../features.js';
import { hitUpperCircuit, upperCircuitPaise } from '../labels/upper-circuit.js';
import { predictLabel, predictProbability } from '../model/logistic.js';
import { BSE_HOLIDAYS, tradingDaysFrom } from './calendar.js';
import { windowMetrics } from './evaluate.js';
import {
  ACTIVE_VERSION,
  DEFAULT_SEED,
  MIN_TRADING_DAYS_BETWEEN_REPORTS,
  STABLE_VERSION,
  generateSyntheticDataset,
  type SyntheticDataset,
} from './generate.js';
import { isinCheckDigit } from './scrips.js';

const paise = (rupees: number): number => Math.round(rupees * 100);
const mean = (xs: readonly number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / xs.length);
};
const values = (rows: readonly { [K in FeatureName]: number | null }[], f: FeatureName): number[] =>
  rows.map((r) => r[f]).filter((v): v is number => v !== null);

describe('generateSyntheticDataset at the default size', () => {
  let ds: SyntheticDataset;
  let elapsedMs = 0;
  let change = 0;
  beforeAll(() => {
    const started = performance.now();
    ds = generateSyntheticDataset({ seed: DEFAULT_SEED });
    elapsedMs = performance.now() - started;
    change = ds.tradingDays.indexOf(ds.regimeChangeDate);
  }, 20_000);

  it('builds 4000 scrips over 130 trading days in well under 10 seconds', () => {
    expect(ds.scrips).toHaveLength(4000);
    expect(ds.tradingDays).toHaveLength(130);
    expect(ds.prices).toHaveLength(130);
    expect(elapsedMs).toBeLessThan(10_000);
  });

  it('gives scrips unique 6-digit BSE codes, valid ISINs, real groups and mostly 5/10/20% bands', () => {
    const codes = new Set(ds.scrips.map((s) => s.bseCode));
    expect(codes.size).toBe(4000);
    for (const s of ds.scrips) {
      expect(s.bseCode).toBeGreaterThanOrEqual(500000);
      expect(s.bseCode).toBeLessThanOrEqual(544999);
      expect(s.isin).toMatch(/^INE[A-Z0-9]{9}$/);
      expect(Number(s.isin.slice(11))).toBe(isinCheckDigit(s.isin.slice(0, 11)));
      expect(['A', 'B', 'T', 'X', 'XT', 'Z', 'M', 'MT']).toContain(s.group);
    }
    expect(new Set(ds.scrips.map((s) => s.isin)).size).toBe(4000);
    const narrow = ds.scrips.filter((s) => s.priceBandPct === 2).length;
    expect(narrow).toBeGreaterThan(0);
    expect(narrow / 4000).toBeLessThan(0.15);
    expect(new Set(ds.scrips.map((s) => s.priceBandPct))).toEqual(new Set([2, 5, 10, 20]));
  });

  it('trades on weekdays only, skips BSE holidays and straddles the July 2024 switch to UDiFF', () => {
    expect(ds.tradingDays[0]).toBe('2024-04-15');
    for (const day of ds.tradingDays) {
      expect([0, 6]).not.toContain(new Date(`${day}T00:00:00Z`).getUTCDay());
      expect(BSE_HOLIDAYS.has(day)).toBe(false);
    }
    for (const holiday of ['2024-05-01', '2024-05-20', '2024-06-17', '2024-07-17', '2024-08-15', '2024-10-02']) {
      expect(ds.tradingDays).not.toContain(holiday);
    }
    expect(ds.prices.filter((f) => f.layout === 'classic').every((f) => f.tradeDate < '2024-07-08')).toBe(true);
    expect(ds.prices.filter((f) => f.layout === 'udiff').every((f) => f.tradeDate >= '2024-07-08')).toBe(true);
    expect(ds.prices.find((f) => f.tradeDate === '2024-07-08')?.layout).toBe('udiff');
  });

  it('announces 50-300 results a day, more in results season, never twice within 30 trading days', () => {
    const perDay = ds.tradingDays.map((d) => ds.outcomes.filter((o) => o.earningsDate === d).length);
    expect(Math.min(...perDay)).toBeGreaterThanOrEqual(50);
    expect(Math.max(...perDay)).toBeLessThanOrEqual(300);
    const august = perDay.filter((_, i) => ds.tradingDays[i]! >= '2024-08-01' && ds.tradingDays[i]! <= '2024-08-14');
    const september = perDay.filter((_, i) => ds.tradingDays[i]!.startsWith('2024-09'));
    expect(mean(august)).toBeGreaterThan(3 * mean(september));
    const lastDay = new Map<number, number>();
    for (const o of ds.outcomes) {
      const day = ds.tradingDays.indexOf(o.earningsDate);
      const previous = lastDay.get(o.bseCode);
      if (previous !== undefined) expect(day - previous).toBeGreaterThanOrEqual(MIN_TRADING_DAYS_BETWEEN_REPORTS);
      lastDay.set(o.bseCode, day);
    }
  });

  it('scores every announcement with the active model (served) and shadow-scores it with the stable one', () => {
    expect(ds.predictions).toHaveLength(2 * ds.outcomes.length);
    const served = ds.predictions.filter((p) => p.served);
    expect(served.every((p) => p.modelVersion === ACTIVE_VERSION)).toBe(true);
    expect(ds.predictions.filter((p) => !p.served).every((p) => p.modelVersion === STABLE_VERSION)).toBe(true);
    expect(served).toHaveLength(ds.outcomes.length);
    const models = new Map(ds.models.map((m) => [m.version, m]));
    for (const p of ds.predictions.slice(0, 2000)) {
      const artifact = models.get(p.modelVersion)!.artifact;
      expect(p.predictionDate).toBe(p.earningsDate);
      expect(p.predictedProbability).toBe(predictProbability(artifact, p.features));
      expect(p.predictedLabel).toBe(predictLabel(artifact, p.predictedProbability));
    }
  });

  it('registers 1.0.0 as the inactive stable version and 1.1.0 as the active candidate, each with real metrics', () => {
    const [stable, active] = ds.models;
    expect(stable).toMatchObject({ version: '1.0.0', stage: 'stable', isActive: false });
    expect(active).toMatchObject({ version: '1.1.0', stage: 'candidate', isActive: true });
    expect(stable!.trainingWindow.end < active!.trainingWindow.start).toBe(true);
    expect(active!.trainingDate < ds.tradingDays[0]!).toBe(true);
    for (const m of ds.models) {
      expect(ds.trainingSamples[m.version]!.labels).toHaveLength(5000);
      expect(m.featureImportances).toHaveLength(25);
      expect(m.testMetrics.rocAuc).toBeGreaterThan(0.8);
    }
    expect(active!.testMetrics.f1).toBeGreaterThan(stable!.testMetrics.f1);
  });

  it('has a 10-15% base rate of upper circuits', () => {
    const rate = ds.outcomes.filter((o) => o.outcome === 1).length / ds.outcomes.length;
    expect(rate).toBeGreaterThan(0.1);
    expect(rate).toBeLessThan(0.15);
    for (const s of Object.values(ds.trainingSamples)) {
      const r = mean(s.labels);
      expect(r).toBeGreaterThan(0.1);
      expect(r).toBeLessThan(0.15);
    }
  });

  it('draws features with realistic shapes: bounded percentages, positive skews, small counts, ties and a few gaps', () => {
    const rows = ds.predictions.filter((p) => p.served).map((p) => p.features);
    const rsi = values(rows, 'rsi_14');
    expect(Math.min(...rsi)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...rsi)).toBeLessThanOrEqual(100);
    const delivery = values(rows, 'delivery_pct');
    expect(Math.min(...delivery)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...delivery)).toBeLessThanOrEqual(100);
    const debt = values(rows, 'debt_to_equity');
    expect(Math.min(...debt)).toBeGreaterThanOrEqual(0);
    expect(mean(debt)).toBeGreaterThan(debt.slice().sort((a, b) => a - b)[Math.floor(debt.length / 2)]!);
    const volume = values(rows, 'volume_ratio_30d');
    expect(Math.min(...volume)).toBeGreaterThan(0);
    for (const f of ['gap_up_days_90d', 'npm_trend'] as const) {
      const counts = values(rows, f);
      expect(counts.every((v) => Number.isInteger(v) && v >= 0)).toBe(true);
      expect(new Set(counts).size).toBeLessThan(20);
    }
    expect(Math.max(...values(rows, 'npm_trend'))).toBe(4);
    // Heavy tails: the 30-day momentum has more mass beyond 3 SD than a normal's 0.27%.
    const momentum = values(rows, 'price_momentum_30d');
    const m = mean(momentum);
    const s = sd(momentum);
    expect(momentum.filter((v) => Math.abs(v - m) > 3 * s).length / momentum.length).toBeGreaterThan(0.004);
    // Rounding makes ties; promoter holdings mostly do not change at all.
    expect(new Set(rsi).size).toBeLessThan(rsi.length / 5);
    expect(values(rows, 'promoter_holding_change').filter((v) => v === 0).length / rows.length).toBeGreaterThan(0.4);
    const missingShare = (f: FeatureName): number => rows.filter((r) => r[f] === null).length / rows.length;
    expect(missingShare('earnings_surprise_pct')).toBeGreaterThan(0.04);
    expect(missingShare('earnings_surprise_pct')).toBeLessThan(0.1);
    expect(missingShare('debt_to_equity')).toBeGreaterThan(0.01);
    expect(missingShare('debt_to_equity')).toBeLessThan(0.05);
    const complete = FEATURE_NAMES.filter((f) => f !== 'earnings_surprise_pct' && f !== 'debt_to_equity');
    for (const f of complete) expect(missingShare(f)).toBe(0);
  });

  it('chains every scrip prev close to its last close and keeps OHLC consistent on the 5-paise tick', () => {
    // Plain checks collected into one list: half a million rows are too many for one expect each.
    const problems: string[] = [];
    const lastClose = new Map<number, number>();
    for (const file of ds.prices) {
      for (const row of file.rows) {
        const at = `${file.tradeDate} ${row.bseCode}`;
        const previous = lastClose.get(row.bseCode);
        if (previous !== undefined && paise(row.prevClose) !== previous) problems.push(`${at}: prev close`);
        if ([row.open, row.high, row.low, row.close, row.last, row.prevClose].some((v) => paise(v) % 5 !== 0)) {
          problems.push(`${at}: off tick`);
        }
        if (row.low > Math.min(row.open, row.close, row.last)) problems.push(`${at}: low above a price`);
        if (row.high < Math.max(row.open, row.close, row.last)) problems.push(`${at}: high below a price`);
        if (row.low < 10) problems.push(`${at}: below Rs 10`);
        lastClose.set(row.bseCode, paise(row.close));
      }
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('puts the reaction-day HIGH exactly on the upper circuit for outcome 1 and below it for outcome 0', () => {
    const band = new Map(ds.scrips.map((s) => [s.bseCode, s.priceBandPct]));
    const rowsByDay = new Map(ds.prices.map((f) => [f.tradeDate, new Map(f.rows.map((r) => [r.bseCode, r]))]));
    let checked = 0;
    let nearMisses = 0;
    for (const o of ds.outcomes) {
      const row: PriceRow | undefined = rowsByDay.get(o.reactionDate)?.get(o.bseCode);
      expect(row !== undefined).toBe(o.priced);
      if (row === undefined) continue;
      const circuit = upperCircuitPaise(row.prevClose, band.get(o.bseCode)!);
      expect(hitUpperCircuit(row, band.get(o.bseCode)!)).toBe(o.outcome === 1);
      if (o.outcome === 1) expect(paise(row.high)).toBe(circuit);
      if (o.outcome === 0 && paise(row.high) === circuit - 5) nearMisses++;
      checked++;
    }
    expect(checked).toBeGreaterThan(0.98 * ds.outcomes.length);
    expect(nearMisses).toBeGreaterThan(10);
  });

  it('never hits the upper circuit on a day that is not an earnings reaction', () => {
    const band = new Map(ds.scrips.map((s) => [s.bseCode, s.priceBandPct]));
    const reactions = new Set(ds.outcomes.map((o) => `${o.reactionDate}:${o.bseCode}`));
    const hits: string[] = [];
    for (const file of ds.prices) {
      for (const row of file.rows) {
        if (!reactions.has(`${file.tradeDate}:${row.bseCode}`) && hitUpperCircuit(row, band.get(row.bseCode)!)) {
          hits.push(`${file.tradeDate} ${row.bseCode}`);
        }
      }
    }
    expect(hits).toEqual([]);
  });

  it('leaves some scrips out of some days, a few of them on their reaction day', () => {
    const missingPerDay = ds.prices.map((f) => 4000 - f.rows.length);
    expect(missingPerDay.filter((n) => n > 0).length).toBeGreaterThan(100);
    expect(Math.max(...missingPerDay)).toBeLessThan(40);
    const lastDay = ds.tradingDays.at(-1)!;
    const suspendedOnReaction = ds.outcomes.filter((o) => !o.priced && o.earningsDate !== lastDay);
    expect(suspendedOnReaction.length).toBeGreaterThanOrEqual(5);
    expect(suspendedOnReaction.length).toBeLessThan(0.02 * ds.outcomes.length);
  });

  it('keeps the active model within 4% of its test F1 over the 30 days before the regime change', () => {
    const active = ds.models.find((m) => m.version === ACTIVE_VERSION)!;
    const before = windowMetrics(ds, ACTIVE_VERSION, change - 30, change);
    expect(before.predictions).toBeGreaterThan(2500);
    expect(Math.abs(before.f1 / active.testMetrics.f1 - 1)).toBeLessThan(0.04);
  });

  it('drops the active model more than 10% below its test F1 over the 30 days after, and the rolling 30-day window follows', () => {
    const active = ds.models.find((m) => m.version === ACTIVE_VERSION)!;
    const after = windowMetrics(ds, ACTIVE_VERSION, change, change + 30);
    expect(after.f1).toBeLessThan(0.9 * active.testMetrics.f1);
    // The rolling window still holds the busy August season at first; it crosses the line within 30 days.
    const crossing = Array.from({ length: 30 }, (_, k) => k).find(
      (k) => windowMetrics(ds, ACTIVE_VERSION, change + k - 29, change + k + 1).f1 < 0.9 * active.testMetrics.f1,
    );
    expect(crossing).toBeDefined();
  });

  it('lets the older stable model degrade less, so it beats the active one after the change', () => {
    const stable = ds.models.find((m) => m.version === STABLE_VERSION)!;
    const active = ds.models.find((m) => m.version === ACTIVE_VERSION)!;
    const stableAfter = windowMetrics(ds, STABLE_VERSION, change, change + 30);
    const activeAfter = windowMetrics(ds, ACTIVE_VERSION, change, change + 30);
    expect(stableAfter.f1).toBeGreaterThan(activeAfter.f1);
    expect(1 - stableAfter.f1 / stable.testMetrics.f1).toBeLessThan(1 - activeAfter.f1 / active.testMetrics.f1);
    // Before the change the newer model earns its place.
    expect(windowMetrics(ds, ACTIVE_VERSION, change - 30, change).f1).toBeGreaterThan(
      windowMetrics(ds, STABLE_VERSION, change - 30, change).f1,
    );
  });

  it('matches the training distribution before the change and shifts the drifted features by about 1 SD after', () => {
    expect(ds.driftedFeatures).toEqual(['volume_ratio_30d', 'volatility_30d', 'atr_14', 'delivery_pct']);
    const training = ds.trainingSamples[ACTIVE_VERSION]!.features;
    const served = ds.predictions.filter((p) => p.served);
    const before = served.filter((p) => p.predictionDate < ds.regimeChangeDate).map((p) => p.features);
    const after = served.filter((p) => p.predictionDate >= ds.regimeChangeDate).map((p) => p.features);
    for (const f of FEATURE_NAMES) {
      const base = values(training, f);
      const shiftBefore = (mean(values(before, f)) - mean(base)) / sd(base);
      expect(Math.abs(shiftBefore), `${f} before the change`).toBeLessThan(0.08);
      const shiftAfter = Math.abs(mean(values(after, f)) - mean(base)) / sd(base);
      if (ds.driftedFeatures.includes(f)) expect(shiftAfter, `${f} after`).toBeGreaterThan(0.6);
      else expect(shiftAfter, `${f} after`).toBeLessThan(0.12);
    }
  });
});

describe('generateSyntheticDataset determinism and options', () => {
  it('gives identical output for the same seed and different output for another', () => {
    const a = generateSyntheticDataset({ seed: 3, scrips: 150, days: 25, trainingRows: 800 });
    const b = generateSyntheticDataset({ seed: 3, scrips: 150, days: 25, trainingRows: 800 });
    const c = generateSyntheticDataset({ seed: 4, scrips: 150, days: 25, trainingRows: 800 });
    expect(b).toEqual(a);
    expect(c.scrips).not.toEqual(a.scrips);
    expect(c.models[1]!.artifact).not.toEqual(a.models[1]!.artifact);
  });

  it('scales announcements with the universe and honours start date and length', () => {
    const small = generateSyntheticDataset({
      seed: 1,
      scrips: 400,
      days: 20,
      startDate: '2025-01-01',
      trainingRows: 800,
    });
    expect(small.tradingDays).toEqual(tradingDaysFrom('2025-01-01', 20));
    expect(small.prices.every((f) => f.layout === 'udiff')).toBe(true);
    expect(small.regimeChangeDate).toBe(small.tradingDays[13]);
    const perDay = small.tradingDays.map((d) => small.outcomes.filter((o) => o.earningsDate === d).length);
    expect(Math.max(...perDay)).toBeLessThanOrEqual(30);
    expect(Math.min(...perDay)).toBeGreaterThanOrEqual(5);
  });

  it('rejects options it cannot honour, naming the option', () => {
    expect(() => generateSyntheticDataset({ seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => generateSyntheticDataset({ seed: 1, scrips: 10 })).toThrow(/scrips must be an integer from 50/);
    expect(() => generateSyntheticDataset({ seed: 1, days: 3 })).toThrow(/days must be an integer >= 10/);
    expect(() => generateSyntheticDataset({ seed: 1, startDate: '2024-02-30' })).toThrow(/not a real ISO date/);
  });
});
