/**
 * Simulates monitored days with evaluateDrift and prints the false-alarm rate on days without drift (any
 * severity other than NONE) and the detection rate for a 0.5 sd mean shift in 3 of the 25 features.
 * Baseline: 5,000 training rows per feature. Production: 50-300 rows a day; the weekly window is the last 7
 * simulated days (a rolling stream, so consecutive days share data as they do in production). Seeded.
 *   npx tsx bench/drift-false-alarms.ts [days=1000]
 */
import { FEATURES, type FeatureName } from '../domain/features.js';
import { buildFeatureBaseline, type FeatureBaseline } from '../domain/drift/baseline.js';
import { evaluateDrift, type ProductionValues } from '../domain/drift/policy.js';
import { createRandom, type Random } from '../domain/statistics/random.js';
import { exitWithUsageIfAsked } from './lib/usage.js';

exitWithUsageIfAsked(
  'Usage: npx tsx bench/drift-false-alarms.ts [days=1000] [--verbose]\n  Simulates no-drift days (50-300 rows a day, weekly window) and 0.5-sd shifts in 3 features through\n  evaluateDrift; prints the false-alarm rate and the detection rate. Seeded.\nExample:\n  npx tsx bench/drift-false-alarms.ts 200',
);

const DAYS = Number(process.argv[2] ?? 1000);
const VERBOSE = process.argv.includes('--verbose');
const BASELINE_ROWS = 5000;
const SHIFTED: FeatureName[] = ['rsi_14', 'volatility_30d', 'roe'];

// Continuous features are standard normal; the two discrete ones are counts, as in the catalog.
function draw(r: Random, feature: FeatureName, shiftSd: number): number {
  if (feature === 'gap_up_days_90d') return poisson(r, 4 + 2 * shiftSd);
  if (feature === 'npm_trend') return Math.min(4, Math.floor(r.next() * 5 + shiftSd * 1.4));
  return r.normal(shiftSd, 1);
}

function poisson(r: Random, lambda: number): number {
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r.next();
  } while (p > l);
  return k - 1;
}

function day(r: Random, rows: number, shift: ReadonlySet<FeatureName>, sd: number): Record<FeatureName, number[]> {
  const out = {} as Record<FeatureName, number[]>;
  for (const f of FEATURES) {
    const s = shift.has(f.name) ? sd : 0;
    out[f.name] = Array.from({ length: rows }, () => draw(r, f.name, s));
  }
  return out;
}

function baselines(r: Random): Partial<Record<FeatureName, FeatureBaseline>> {
  const out: Partial<Record<FeatureName, FeatureBaseline>> = {};
  for (const f of FEATURES) {
    out[f.name] = buildFeatureBaseline(
      f.name,
      Array.from({ length: BASELINE_ROWS }, () => draw(r, f.name, 0)),
    );
  }
  return out;
}

function windowOf(days: Record<FeatureName, number[]>[]): { daily: ProductionValues; weekly: ProductionValues } {
  const daily: ProductionValues = {};
  const weekly: ProductionValues = {};
  for (const f of FEATURES) {
    daily[f.name] = days[days.length - 1]![f.name];
    weekly[f.name] = days.flatMap((d) => d[f.name]);
  }
  return { daily, weekly };
}

interface Scenario {
  readonly label: string;
  readonly rows: (r: Random) => number;
  /** No-drift days judged, and weeks simulated for each detection figure. */
  readonly days: number;
  readonly trials: number;
}

// The realistic mix gets the full count; fixed sizes show how the rates move with volume, on fewer days
// to keep the whole run near a minute and a half on one core.
const scenarios: Scenario[] = [
  { label: '50-300 rows/day', rows: (r) => 50 + r.int(251), days: DAYS, trials: Math.max(100, Math.floor(DAYS / 4)) },
  { label: '50 rows/day', rows: () => 50, days: Math.ceil(DAYS / 4), trials: 100 },
  { label: '100 rows/day', rows: () => 100, days: Math.ceil(DAYS / 4), trials: 100 },
  { label: '300 rows/day', rows: () => 300, days: Math.ceil(DAYS / 4), trials: 100 },
];

function run(): void {
  const started = Date.now();
  const r = createRandom(20251114);
  const base = baselines(r);
  console.log(`drift false alarms and detection: baseline ${BASELINE_ROWS} rows/feature, weekly window = last 7 days`);
  const none = new Set<FeatureName>();
  const shifted = new Set(SHIFTED);
  for (const sc of scenarios) {
    // No drift: a rolling stream of days; every day from the 7th on is judged.
    const stream: Record<FeatureName, number[]>[] = [];
    let alarms = 0;
    let judged = 0;
    const bySeverity: Record<string, number> = {};
    for (let t = 0; judged < sc.days; t++) {
      stream.push(day(r, sc.rows(r), none, 0));
      if (stream.length > 7) stream.shift();
      if (stream.length < 7) continue;
      const ev = evaluateDrift({ baselines: base, ...windowOf(stream) });
      judged++;
      if (ev.severity !== 'NONE') {
        if (VERBOSE) {
          const hits = ev.features.filter((f) => f.status === 'MODERATE' || f.status === 'DRIFT');
          console.log(`  alarm ${ev.severity}: ${hits.map((f) => `${f.feature} ${f.reason}`).join('; ')}`);
        }
        alarms++;
        bySeverity[ev.severity] = (bySeverity[ev.severity] ?? 0) + 1;
      }
    }
    // Sustained drift: a whole week shifted by 0.5 sd in 3 features, judged on its 7th day; and the first
    // day of a shift (the day shifted, the 6 days before it not).
    const trials = sc.trials;
    let detectedWeek = 0;
    let allThreeWeek = 0;
    let detectedFirstDay = 0;
    for (let k = 0; k < trials; k++) {
      const week = Array.from({ length: 7 }, () => day(r, sc.rows(r), shifted, 0.5));
      const ev = evaluateDrift({ baselines: base, ...windowOf(week) });
      if (ev.severity !== 'NONE') detectedWeek++;
      if (SHIFTED.every((f) => ev.driftingFeatures.includes(f))) allThreeWeek++;
      const onset = [...Array.from({ length: 6 }, () => day(r, sc.rows(r), none, 0)), day(r, sc.rows(r), shifted, 0.5)];
      if (evaluateDrift({ baselines: base, ...windowOf(onset) }).severity !== 'NONE') detectedFirstDay++;
    }
    const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)}%`;
    console.log(
      `${sc.label.padEnd(16)} false alarms ${pct(alarms, judged)} (${alarms}/${judged}) ${JSON.stringify(bySeverity)} | ` +
        `0.5 sd x3, week shifted: detected ${pct(detectedWeek, trials)}, all 3 flagged ${pct(allThreeWeek, trials)} | ` +
        `first shifted day: ${pct(detectedFirstDay, trials)} (n=${trials})`,
    );
  }
  console.log(`elapsed ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

run();
