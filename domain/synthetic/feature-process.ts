/**
 * The true data-generating process behind the synthetic data: how the 25 features are distributed, how they
 * move together, and how the chance of an upper circuit after earnings depends on them in each regime.
 *
 * Every feature is a monotone transform of a latent standard normal. The latent values share three factors
 * (price momentum, trading activity, risk) and a quality factor, so related features correlate the way they do
 * in real data, and the outcome is logistic in the latent values, which leaves the model on the observed values
 * (lognormal ratios, heavy-tailed returns, rounded counts) a little misspecified, as a real model is.
 */
import { FEATURE_NAMES, type FeatureName, type FeatureVector } from '../features.js';
import type { Random } from './random.js';

type Factor = 'momentum' | 'activity' | 'risk' | 'quality';
const FACTORS: readonly Factor[] = ['momentum', 'activity', 'risk', 'quality'];

interface FeatureShape {
  readonly loadings: Partial<Record<Factor, number>>;
  /** Share of the feature's own (non-factor) variance that belongs to the company and repeats quarter to quarter. */
  readonly persistence: number;
  readonly missingRate: number;
  /** Latent standard normal to observed value (the random source serves the count features). */
  readonly observe: (z: number, random: Random) => number;
}

const logistic = (t: number): number => 1 / (1 + Math.exp(-t));
const round = (value: number, decimals: number): number => {
  const f = 10 ** decimals;
  // `+ 0` turns -0 into 0: a CSV cell cannot carry the sign of zero, and the round trip must be exact.
  return Math.round(value * f) / f + 0;
};
const clamp = (value: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, value));
/** sinh(k z) / k: close to z near 0, with fatter tails than a normal; the shape of stock returns and growth rates. */
const heavy = (z: number, k: number): number => Math.sinh(k * z) / k;

const SHAPES: Record<FeatureName, FeatureShape> = {
  rsi_14: {
    loadings: { momentum: 0.7 },
    persistence: 0,
    missingRate: 0,
    observe: (z) => round(clamp(50 + 14 * z, 1, 99), 1),
  },
  macd_signal: { loadings: { momentum: 0.6 }, persistence: 0, missingRate: 0, observe: (z) => round(0.1 + 0.8 * z, 2) },
  macd_histogram: { loadings: { momentum: 0.4 }, persistence: 0, missingRate: 0, observe: (z) => round(0.35 * z, 2) },
  volume_ratio_30d: {
    loadings: { activity: 0.6 },
    persistence: 0,
    missingRate: 0,
    observe: (z) => round(Math.exp(-0.15 + 0.5 * z), 2),
  },
  price_momentum_30d: {
    loadings: { momentum: 0.75 },
    persistence: 0,
    missingRate: 0,
    observe: (z) => round(0.02 + 0.09 * heavy(z, 0.9), 3),
  },
  price_momentum_90d: {
    loadings: { momentum: 0.55 },
    persistence: 0.2,
    missingRate: 0,
    observe: (z) => round(0.04 + 0.16 * heavy(z, 0.9), 3),
  },
  volatility_30d: {
    loadings: { activity: 0.4, risk: 0.6 },
    persistence: 0.4,
    missingRate: 0,
    observe: (z) => round(Math.exp(Math.log(0.38) + 0.3 * z), 3),
  },
  atr_14: {
    loadings: { risk: 0.8 },
    persistence: 0.4,
    missingRate: 0,
    observe: (z) => round(Math.exp(Math.log(3.2) + 0.35 * z), 2),
  },
  bollinger_position: {
    loadings: { momentum: 0.6 },
    persistence: 0,
    missingRate: 0,
    observe: (z) => round(1.4 * logistic(1.3 * z) - 0.2, 2),
  },
  sma_50_200_ratio: {
    loadings: { momentum: 0.5 },
    persistence: 0.2,
    missingRate: 0,
    observe: (z) => round(Math.exp(0.03 + 0.09 * z), 3),
  },
  distance_from_52w_high: {
    loadings: { momentum: -0.6 },
    persistence: 0.2,
    missingRate: 0,
    observe: (z) => round(logistic(-1.6 + 0.9 * z), 3),
  },
  vcp_contraction_ratio: {
    loadings: {},
    persistence: 0,
    missingRate: 0,
    observe: (z) => round(Math.exp(Math.log(0.55) + 0.4 * z), 2),
  },
  volume_dry_up_ratio: {
    loadings: {},
    persistence: 0,
    missingRate: 0,
    observe: (z) => round(Math.exp(Math.log(0.75) + 0.35 * z), 2),
  },
  relative_strength_index: {
    loadings: { momentum: 0.65 },
    persistence: 0,
    missingRate: 0,
    observe: (z) => round(0.06 * heavy(z, 0.8), 3),
  },
  obv_trend: {
    loadings: { momentum: 0.4, activity: 0.3 },
    persistence: 0,
    missingRate: 0,
    observe: (z) => round(0.05 + 0.5 * z, 2),
  },
  delivery_pct: {
    loadings: { activity: 0.3 },
    persistence: 0.5,
    missingRate: 0,
    observe: (z) => round(100 * logistic(-0.1 + 0.75 * z), 1),
  },
  beta_1y: {
    loadings: { risk: 0.4 },
    persistence: 0.7,
    missingRate: 0,
    observe: (z) => round(clamp(0.95 + 0.32 * z, -0.2, 2.8), 2),
  },
  gap_up_days_90d: {
    loadings: { momentum: 0.4 },
    persistence: 0.2,
    missingRate: 0,
    observe: (z, random) => random.poisson(2.2 * Math.exp(0.45 * z)),
  },
  revenue_growth_yoy: {
    loadings: { quality: 0.5 },
    persistence: 0.4,
    missingRate: 0,
    observe: (z) => round(0.11 + 0.18 * heavy(z, 0.7), 3),
  },
  eps_growth_yoy: {
    loadings: { quality: 0.4 },
    persistence: 0.2,
    missingRate: 0,
    observe: (z) => round(0.13 + 0.35 * heavy(z, 0.9), 3),
  },
  // Small caps often have no analyst consensus to beat, so the surprise is missing for a share of them.
  earnings_surprise_pct: {
    loadings: { quality: 0.3 },
    persistence: 0,
    missingRate: 0.07,
    observe: (z) => round(2 + 12 * heavy(z, 0.7), 1),
  },
  roe: { loadings: { quality: 0.6 }, persistence: 0.7, missingRate: 0, observe: (z) => round(0.13 + 0.09 * z, 3) },
  // Missing where the latest balance sheet was not filed in a machine-readable form.
  debt_to_equity: {
    loadings: { quality: -0.3 },
    persistence: 0.85,
    missingRate: 0.03,
    observe: (z) => round(Math.exp(Math.log(0.45) + 0.85 * z), 2),
  },
  // Most quarters the promoters neither buy nor sell: a dead zone makes exact zeros the commonest value.
  promoter_holding_change: {
    loadings: {},
    persistence: 0,
    missingRate: 0,
    observe: (z) => (Math.abs(z) < 0.7 ? 0 : round(0.6 * (z - Math.sign(z) * 0.7), 2)),
  },
  npm_trend: {
    loadings: { quality: 0.5 },
    persistence: 0.3,
    missingRate: 0,
    observe: (z, random) => {
      const p = logistic(0.9 * z);
      let quarters = 0;
      for (let q = 0; q < 4; q++) if (random.next() < p) quarters++;
      return quarters;
    },
  },
};

/**
 * Regimes of the outcome process.
 * - `older`: the window 1.0.0 was trained on. The outcome depends on earnings quality and price structure, plus
 *   an unobserved shock with the spread that the activity signal has in `recent`.
 * - `recent`: the window 1.1.0 was trained on and the production period before the regime change. Volume surges,
 *   high delivery and rising volatility ahead of results now carry real information (informed buying), and that
 *   part of the outcome is observable.
 * - `shifted`: after the regime change. Activity rises across the market (volumes, volatility and ATR up, delivery
 *   down, about one standard deviation each), so activity says nothing about a single stock any more; the outcome
 *   goes back to the older form. A model leaning on activity (1.1.0) scores everyone higher and ranks worse; the
 *   older model never relied on it and barely notices.
 * All three have the same spread of the logit and the same intercept, so the base rate stays put and 1.0.0 sees
 * statistically the same problem in all of them.
 */
export type Regime = 'older' | 'recent' | 'shifted';

const CORE_COEFFICIENTS: Partial<Record<FeatureName, number>> = {
  earnings_surprise_pct: 0.9,
  eps_growth_yoy: 0.5,
  revenue_growth_yoy: 0.3,
  rsi_14: 0.35,
  price_momentum_30d: 0.35,
  relative_strength_index: 0.3,
  distance_from_52w_high: -0.45,
  vcp_contraction_ratio: -0.55,
  volume_dry_up_ratio: -0.35,
  promoter_holding_change: 0.35,
  debt_to_equity: -0.3,
  npm_trend: 0.3,
  gap_up_days_90d: 0.25,
};

const ACTIVITY_COEFFICIENTS: Partial<Record<FeatureName, number>> = {
  volume_ratio_30d: 0.7,
  delivery_pct: 0.6,
  volatility_30d: 0.3,
};

/** Latent shifts after the regime change, in standard deviations of the latent value. */
export const REGIME_SHIFTS: Partial<Record<FeatureName, number>> = {
  volume_ratio_30d: 1.0,
  volatility_30d: 1.0,
  atr_14: 0.9,
  delivery_pct: -0.9,
};

export const DRIFTED_FEATURES = Object.keys(REGIME_SHIFTS) as FeatureName[];

export interface OutcomeProcessOptions {
  /** Multiplies every coefficient: larger means an easier problem and a higher F1 for every model. */
  readonly signalScale: number;
  /** Share of positives the intercept is solved for. */
  readonly baseRate: number;
}

export const DEFAULT_OUTCOME_PROCESS: OutcomeProcessOptions = { signalScale: 2, baseRate: 0.125 };

function latentCovariance(a: FeatureName, b: FeatureName): number {
  if (a === b) return 1;
  let c = 0;
  for (const f of FACTORS) c += (SHAPES[a].loadings[f] ?? 0) * (SHAPES[b].loadings[f] ?? 0);
  return c;
}

function linearVariance(coefficients: Partial<Record<FeatureName, number>>): number {
  const names = Object.keys(coefficients) as FeatureName[];
  let v = 0;
  for (const a of names) for (const b of names) v += coefficients[a]! * coefficients[b]! * latentCovariance(a, b);
  return v;
}

/** E[logistic(alpha + s N(0,1))] by the trapezoid rule on a fine grid; deterministic and accurate to 1e-9. */
function meanLogistic(alpha: number, sd: number): number {
  let total = 0;
  let weight = 0;
  for (let i = -800; i <= 800; i++) {
    const x = i / 100;
    const w = Math.exp(-0.5 * x * x);
    total += w * logistic(alpha + sd * x);
    weight += w;
  }
  return total / weight;
}

export interface OutcomeProcess {
  readonly options: OutcomeProcessOptions;
  readonly intercept: number;
  /** Standard deviation of the unobserved shock in the `older` and `shifted` regimes. */
  readonly shockSd: number;
  readonly logitSd: number;
}

export function outcomeProcess(options: OutcomeProcessOptions = DEFAULT_OUTCOME_PROCESS): OutcomeProcess {
  const scale = options.signalScale;
  const core = linearVariance(CORE_COEFFICIENTS) * scale * scale;
  const activity = linearVariance(ACTIVITY_COEFFICIENTS) * scale * scale;
  const logitSd = Math.sqrt(core + activity);
  // Bisection for the intercept that gives the wanted base rate.
  let lo = -20;
  let hi = 5;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (meanLogistic(mid, logitSd) < options.baseRate) lo = mid;
    else hi = mid;
  }
  return { options, intercept: (lo + hi) / 2, shockSd: Math.sqrt(activity), logitSd };
}

/** One event's latent values, before the regime shift is applied. */
export type LatentVector = Float64Array;

/** The company-specific part of the latent values, drawn once per scrip. */
export function drawCompanyEffects(random: Random): Float64Array {
  const effects = new Float64Array(FEATURE_NAMES.length);
  for (let j = 0; j < effects.length; j++) effects[j] = random.normal();
  return effects;
}

export function drawLatent(random: Random, companyEffects?: Float64Array): LatentVector {
  const factors: Record<Factor, number> = {
    momentum: random.normal(),
    activity: random.normal(),
    risk: random.normal(),
    quality: random.normal(),
  };
  const z = new Float64Array(FEATURE_NAMES.length);
  for (let j = 0; j < FEATURE_NAMES.length; j++) {
    const shape = SHAPES[FEATURE_NAMES[j]!];
    let common = 0;
    let loadingSquares = 0;
    for (const f of FACTORS) {
      const l = shape.loadings[f] ?? 0;
      common += l * factors[f];
      loadingSquares += l * l;
    }
    const fresh = random.normal();
    const own =
      companyEffects === undefined
        ? fresh
        : Math.sqrt(shape.persistence) * companyEffects[j]! + Math.sqrt(1 - shape.persistence) * fresh;
    z[j] = common + Math.sqrt(1 - loadingSquares) * own;
  }
  return z;
}

/** The latent values as the market shows them in a regime: shifted after the regime change. */
export function shiftLatent(latent: LatentVector, regime: Regime): LatentVector {
  if (regime !== 'shifted') return latent;
  const shifted = Float64Array.from(latent);
  for (let j = 0; j < FEATURE_NAMES.length; j++) shifted[j]! += REGIME_SHIFTS[FEATURE_NAMES[j]!] ?? 0;
  return shifted;
}

export function observeFeatures(latent: LatentVector, random: Random): FeatureVector {
  const row = {} as Record<FeatureName, number | null>;
  for (let j = 0; j < FEATURE_NAMES.length; j++) {
    const name = FEATURE_NAMES[j]!;
    const shape = SHAPES[name];
    const value = shape.observe(latent[j]!, random);
    // Drawn for every feature, missing or not, so a change of one missing rate leaves the other draws alone.
    const missing = random.next() < shape.missingRate;
    row[name] = missing ? null : value;
  }
  return row;
}

/** Probability of an upper circuit on the reaction day, from the market-visible latent values. */
export function outcomeProbability(
  process: OutcomeProcess,
  latent: LatentVector,
  regime: Regime,
  random: Random,
): number {
  const scale = process.options.signalScale;
  let eta = process.intercept;
  for (let j = 0; j < FEATURE_NAMES.length; j++) {
    const name = FEATURE_NAMES[j]!;
    eta += scale * (CORE_COEFFICIENTS[name] ?? 0) * latent[j]!;
    if (regime === 'recent') eta += scale * (ACTIVITY_COEFFICIENTS[name] ?? 0) * latent[j]!;
  }
  // The shock is drawn in every regime so the random stream stays aligned across them.
  const shock = random.normal() * process.shockSd;
  if (regime !== 'recent') eta += shock;
  return logistic(eta);
}

export interface LabelledRow {
  readonly features: FeatureVector;
  readonly label: 0 | 1;
}

/** A training sample of independent rows from one regime (no company structure: every row a fresh company). */
export function drawTrainingSample(
  process: OutcomeProcess,
  regime: Regime,
  size: number,
  random: Random,
): { features: FeatureVector[]; labels: (0 | 1)[] } {
  const features: FeatureVector[] = [];
  const labels: (0 | 1)[] = [];
  for (let i = 0; i < size; i++) {
    const latent = shiftLatent(drawLatent(random), regime);
    features.push(observeFeatures(latent, random));
    labels.push(random.next() < outcomeProbability(process, latent, regime, random) ? 1 : 0);
  }
  return { features, labels };
}
