/**
 * The bundled synthetic data set: a BSE universe, two trained model versions, a period of earnings
 * announcements scored by both, daily BhavCopies whose reaction-day highs carry the true outcomes, and a regime
 * change partway through that the monitor is meant to catch. Pure and deterministic: the same options give the
 * same data set, value for value.
 */
import type { BhavCopyFile, Scrip } from '../bhavcopy/types.js';
import type { FeatureName, FeatureVector } from '../features.js';
import { predictLabel, predictProbability } from '../model/logistic.js';
import { trainModel } from '../model/train.js';
import type { ModelVersionRecord } from '../model/types.js';
import { addCalendarDays, earningsSeasonIntensity, tradingDaysFrom } from './calendar.js';
import {
  DEFAULT_OUTCOME_PROCESS,
  DRIFTED_FEATURES,
  drawCompanyEffects,
  drawLatent,
  drawTrainingSample,
  observeFeatures,
  outcomeProbability,
  outcomeProcess,
  shiftLatent,
  type OutcomeProcessOptions,
  type Regime,
} from './feature-process.js';
import { generateBhavCopies } from './prices.js';
import { createRandom, deriveSeed, type Random } from './random.js';
import { generateScrips } from './scrips.js';

/**
 * The seed the bundled data set is written with. The gap between the active model's test F1 and its production
 * F1 over the 30 days before the change is sampling noise (test split of 2000 rows, about 3800 announcements):
 * over seeds 1-16 its standard deviation is 3.0%, 11 of the 16 land within 3% and 13 within 4%. This seed lands
 * at 0.0% and the tests pin it. The post-change drop (28-44%) and the older model beating the active one after
 * the change held for all 16 seeds.
 */
export const DEFAULT_SEED = 8;

export const STABLE_VERSION = '1.0.0';
export const ACTIVE_VERSION = '1.1.0';

export interface SyntheticPrediction {
  readonly bseCode: number;
  /** The model scores on the evening of the announcement, so this equals the earnings date. */
  readonly predictionDate: string;
  readonly earningsDate: string;
  readonly modelVersion: string;
  readonly predictedProbability: number;
  readonly predictedLabel: 0 | 1;
  /** True for the active model's answer; false for the shadow score of the older stable model. */
  readonly served: boolean;
  readonly features: FeatureVector;
}

/** The hidden truth, for tests and for checking the label stage; the monitor itself learns it from BhavCopies. */
export interface SyntheticOutcome {
  readonly bseCode: number;
  readonly earningsDate: string;
  /** The next trading day, where the outcome shows in the prices. */
  readonly reactionDate: string;
  readonly outcome: 0 | 1;
  /** False when the scrip is missing from the reaction day's file or that day lies past the data set. */
  readonly priced: boolean;
}

export interface TrainingSample {
  readonly features: FeatureVector[];
  readonly labels: (0 | 1)[];
}

export interface SyntheticDataset {
  readonly seed: number;
  readonly scrips: Scrip[];
  readonly tradingDays: string[];
  readonly regimeChangeDate: string;
  readonly driftedFeatures: FeatureName[];
  readonly activeVersion: string;
  readonly models: ModelVersionRecord[];
  readonly trainingSamples: Record<string, TrainingSample>;
  readonly predictions: SyntheticPrediction[];
  readonly outcomes: SyntheticOutcome[];
  readonly prices: BhavCopyFile[];
}

export interface GenerateOptions {
  readonly seed: number;
  /** Listed scrips; default 4000. Announcement counts scale with it. */
  readonly scrips?: number;
  /** First trading day on or after this date; default 2024-04-15. */
  readonly startDate?: string;
  /** Trading days; default 130. */
  readonly days?: number;
  /** Where the regime change falls, as a share of the period; default 0.65. */
  readonly regimeChangeAt?: number;
  /** Rows in each model's training sample; default 5000. */
  readonly trainingRows?: number;
  readonly outcomeProcess?: OutcomeProcessOptions;
}

export class SyntheticOptionsError extends Error {
  override readonly name = 'SyntheticOptionsError';
}

/** A company files results at most once a quarter; 30 trading days leaves room for the odd early filer. */
export const MIN_TRADING_DAYS_BETWEEN_REPORTS = 30;
const REFERENCE_UNIVERSE = 4000;
const OFF_SEASON_ANNOUNCEMENTS = 50;
const PEAK_EXTRA_ANNOUNCEMENTS = 240;
const MAX_ANNOUNCEMENTS = 300;

const TRAINING = { l2: 1, iterations: 50, validationShare: 0.2, testShare: 0.4 } as const;

function checkOptions(opts: GenerateOptions): Required<Omit<GenerateOptions, 'outcomeProcess'>> {
  const scrips = opts.scrips ?? REFERENCE_UNIVERSE;
  const days = opts.days ?? 130;
  const regimeChangeAt = opts.regimeChangeAt ?? 0.65;
  const trainingRows = opts.trainingRows ?? 5000;
  if (!Number.isInteger(opts.seed)) throw new SyntheticOptionsError(`seed must be an integer, got ${opts.seed}`);
  if (!Number.isInteger(scrips) || scrips < 50 || scrips > 45_000) {
    throw new SyntheticOptionsError(`scrips must be an integer from 50 to 45000 (the code range), got ${scrips}`);
  }
  if (!Number.isInteger(days) || days < 10)
    throw new SyntheticOptionsError(`days must be an integer >= 10, got ${days}`);
  if (!(regimeChangeAt > 0 && regimeChangeAt < 1)) {
    throw new SyntheticOptionsError(`regimeChangeAt must lie strictly between 0 and 1, got ${regimeChangeAt}`);
  }
  if (!Number.isInteger(trainingRows) || trainingRows < 500) {
    throw new SyntheticOptionsError(`trainingRows must be an integer >= 500, got ${trainingRows}`);
  }
  return { seed: opts.seed, scrips, days, regimeChangeAt, trainingRows, startDate: opts.startDate ?? '2024-04-15' };
}

interface Announcement {
  readonly day: number;
  readonly scripIndex: number;
  readonly features: FeatureVector;
  readonly outcome: 0 | 1;
}

function drawAnnouncements(
  random: Random,
  scrips: readonly Scrip[],
  tradingDays: readonly string[],
  regimeChangeDay: number,
  process: ReturnType<typeof outcomeProcess>,
): Announcement[] {
  const n = scrips.length;
  const effects = scrips.map(() => drawCompanyEffects(random));
  const lastReport = new Int32Array(n).fill(-MIN_TRADING_DAYS_BETWEEN_REPORTS);
  const scale = n / REFERENCE_UNIVERSE;
  const announcements: Announcement[] = [];
  for (let day = 0; day < tradingDays.length; day++) {
    const season = PEAK_EXTRA_ANNOUNCEMENTS * earningsSeasonIntensity(tradingDays[day]!);
    const perReference = Math.min(MAX_ANNOUNCEMENTS, OFF_SEASON_ANNOUNCEMENTS + random.int(0, 25) + season);
    const wanted = Math.max(1, Math.round(perReference * scale));
    const eligible: number[] = [];
    for (let i = 0; i < n; i++) if (day - lastReport[i]! >= MIN_TRADING_DAYS_BETWEEN_REPORTS) eligible.push(i);
    // A partial Fisher-Yates draws `count` distinct reporters without shuffling the whole list.
    const count = Math.min(wanted, eligible.length);
    for (let k = 0; k < count; k++) {
      const j = k + Math.floor(random.next() * (eligible.length - k));
      const tmp = eligible[k]!;
      eligible[k] = eligible[j]!;
      eligible[j] = tmp;
    }
    const reporters = eligible.slice(0, count).sort((a, b) => a - b);
    const regime: Regime = day >= regimeChangeDay ? 'shifted' : 'recent';
    for (const i of reporters) {
      lastReport[i] = day;
      const latent = shiftLatent(drawLatent(random, effects[i]), regime);
      const features = observeFeatures(latent, random);
      const outcome = random.next() < outcomeProbability(process, latent, regime, random) ? 1 : 0;
      announcements.push({ day, scripIndex: i, features, outcome });
    }
  }
  return announcements;
}

/**
 * Scrips missing from a day's file: a few one-day absences, a few multi-day suspensions, and a handful placed on
 * reaction days on purpose so the label stage has missing prices to report.
 */
function drawSuspensions(
  random: Random,
  scrips: readonly Scrip[],
  days: number,
  announcements: readonly Announcement[],
): Set<number>[] {
  const suspended = Array.from({ length: days }, () => new Set<number>());
  const n = scrips.length;
  for (let day = 0; day < days; day++) {
    const count = Math.round(n * 0.001) + random.int(0, 2);
    for (let k = 0; k < count; k++) suspended[day]!.add(scrips[random.int(0, n - 1)]!.bseCode);
  }
  const blocks = Math.max(1, Math.round(n * 0.0015));
  for (let b = 0; b < blocks; b++) {
    const code = scrips[random.int(0, n - 1)]!.bseCode;
    const start = random.int(0, days - 1);
    const length = random.int(3, 10);
    for (let day = start; day < Math.min(days, start + length); day++) suspended[day]!.add(code);
  }
  const reacting = announcements.filter((a) => a.day + 1 < days);
  const onReaction = Math.min(reacting.length, Math.max(2, Math.round(reacting.length * 0.003)));
  for (let k = 0; k < onReaction; k++) {
    const a = reacting[random.int(0, reacting.length - 1)]!;
    suspended[a.day + 1]!.add(scrips[a.scripIndex]!.bseCode);
  }
  return suspended;
}

function trainVersion(
  version: string,
  sample: TrainingSample,
  meta: Pick<ModelVersionRecord, 'trainingDate' | 'trainingWindow' | 'stage' | 'isActive'>,
): ModelVersionRecord {
  const trained = trainModel(sample.features, sample.labels, { version, ...TRAINING });
  return {
    version,
    modelType: trained.artifact.modelType,
    ...meta,
    testMetrics: trained.testMetrics,
    featureImportances: trained.featureImportances,
    artifact: trained.artifact,
  };
}

export function generateSyntheticDataset(options: GenerateOptions): SyntheticDataset {
  const opts = checkOptions(options);
  const process = outcomeProcess(options.outcomeProcess ?? DEFAULT_OUTCOME_PROCESS);
  const stream = (label: string): Random => createRandom(deriveSeed(opts.seed, label));

  // The universe and the calendar.
  const scrips = generateScrips(stream('scrips'), opts.scrips);
  // One extra day so the last announcement's reaction date is a real trading day, not a guess.
  const calendar = tradingDaysFrom(opts.startDate, opts.days + 1);
  const tradingDays = calendar.slice(0, opts.days);
  const regimeChangeDay = Math.floor(opts.days * opts.regimeChangeAt);
  const regimeChangeDate = tradingDays[regimeChangeDay]!;

  // Two model versions, each trained on its own window's sample.
  const start = tradingDays[0]!;
  const trainingSamples: Record<string, TrainingSample> = {
    [STABLE_VERSION]: drawTrainingSample(process, 'older', opts.trainingRows, stream(`training:${STABLE_VERSION}`)),
    [ACTIVE_VERSION]: drawTrainingSample(process, 'recent', opts.trainingRows, stream(`training:${ACTIVE_VERSION}`)),
  };
  const stable = trainVersion(STABLE_VERSION, trainingSamples[STABLE_VERSION]!, {
    trainingDate: addCalendarDays(start, -190),
    trainingWindow: { start: addCalendarDays(start, -470), end: addCalendarDays(start, -201) },
    stage: 'stable',
    isActive: false,
  });
  // Promoted recently and still on probation, so the older stable version is the one to roll back to.
  const active = trainVersion(ACTIVE_VERSION, trainingSamples[ACTIVE_VERSION]!, {
    trainingDate: addCalendarDays(start, -10),
    trainingWindow: { start: addCalendarDays(start, -200), end: addCalendarDays(start, -17) },
    stage: 'candidate',
    isActive: true,
  });

  // Announcements, their outcomes, and both models' scores.
  const announcements = drawAnnouncements(stream('announcements'), scrips, tradingDays, regimeChangeDay, process);
  const suspended = drawSuspensions(stream('suspensions'), scrips, opts.days, announcements);
  const predictions: SyntheticPrediction[] = [];
  const outcomes: SyntheticOutcome[] = [];
  const reactions = Array.from({ length: opts.days }, () => new Map<number, 0 | 1>());
  for (const a of announcements) {
    const bseCode = scrips[a.scripIndex]!.bseCode;
    const earningsDate = tradingDays[a.day]!;
    for (const model of [active, stable]) {
      const p = predictProbability(model.artifact, a.features);
      predictions.push({
        bseCode,
        predictionDate: earningsDate,
        earningsDate,
        modelVersion: model.version,
        predictedProbability: p,
        predictedLabel: predictLabel(model.artifact, p),
        served: model.isActive,
        features: a.features,
      });
    }
    const reactionDay = a.day + 1;
    const inPeriod = reactionDay < opts.days;
    if (inPeriod) reactions[reactionDay]!.set(bseCode, a.outcome);
    outcomes.push({
      bseCode,
      earningsDate,
      reactionDate: calendar[reactionDay]!,
      outcome: a.outcome,
      priced: inPeriod && !suspended[reactionDay]!.has(bseCode),
    });
  }

  // Prices last, so their draws never disturb anything above.
  const prices = generateBhavCopies(stream('prices'), { scrips, tradingDays, reactions, suspended });

  return {
    seed: opts.seed,
    scrips,
    tradingDays,
    regimeChangeDate,
    driftedFeatures: [...DRIFTED_FEATURES],
    activeVersion: ACTIVE_VERSION,
    models: [stable, active],
    trainingSamples,
    predictions,
    outcomes,
    prices,
  };
}
