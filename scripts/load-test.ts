/**
 * Drives a running prediction API at a fixed request rate (open loop: requests are sent on schedule whether or not
 * earlier ones have answered, so a slow server shows as latency, not as a politely lower rate), then reads the
 * latency percentiles from the API's own histogram on /metrics and prints them beside the client-side figures.
 * With --step-up it doubles the rate each stage until a stage is not sustained, and reports the highest that was.
 */
import { parseArgs } from 'node:util';
import { FEATURE_NAMES } from '../domain/features.js';

const HELP = `Usage: npx tsx scripts/load-test.ts [options]

  --url URL            API base URL (default http://127.0.0.1:8080)
  --rate N             requests per minute (default 1200, i.e. 20/s)
  --duration S         seconds to run (default 60)
  --step-up            start at --rate and double each stage until a stage is not sustained
  --step-seconds S     seconds per step-up stage (default 15)
  --max-rate N         stop stepping up above this many requests per minute (default 192000)
  --concurrency N      most requests in flight; a due request beyond it is counted as skipped (default 256)
  --companies N        distinct companies drawn from; fewer means more cache hits (default 2000)
  --help               this text

A stage is sustained when at least 95% of the scheduled requests completed, under 1% failed, and the client-side
p95 latency stayed under 150 ms (the alert threshold).
`;

interface StageResult {
  readonly targetPerMinute: number;
  readonly seconds: number;
  readonly scheduled: number;
  readonly completed: number;
  readonly failed: number;
  readonly skipped: number;
  readonly achievedPerMinute: number;
  readonly clientMs: { p50: number; p95: number; p99: number; max: number };
  readonly serverSeconds: { p50: number; p95: number; p99: number; count: number } | null;
  readonly sustained: boolean;
}

type Buckets = Map<number, number>;

/** Cumulative bucket counts of api_request_duration_seconds for POST /api/v1/predict, summed over status codes. */
function predictBuckets(text: string): Buckets {
  const buckets: Buckets = new Map();
  for (const line of text.split('\n')) {
    if (!line.startsWith('api_request_duration_seconds_bucket{')) continue;
    if (!line.includes('endpoint="/api/v1/predict"') || !line.includes('method="POST"')) continue;
    const le = /le="([^"]+)"/.exec(line)?.[1];
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le);
    buckets.set(bound, (buckets.get(bound) ?? 0) + value);
  }
  return buckets;
}

/** The same linear interpolation inside a bucket that PromQL's histogram_quantile uses. */
function histogramQuantile(q: number, before: Buckets, after: Buckets): number {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const counts = bounds.map((b) => (after.get(b) ?? 0) - (before.get(b) ?? 0));
  const total = counts[counts.length - 1] ?? 0;
  if (total <= 0) return Number.NaN;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (let i = 0; i < bounds.length; i++) {
    const upper = bounds[i]!;
    const count = counts[i]!;
    if (count >= rank) {
      if (upper === Number.POSITIVE_INFINITY) return lower;
      return lower + ((upper - lower) * (rank - below)) / Math.max(count - below, 1e-12);
    }
    lower = upper;
    below = count;
  }
  return lower;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** A small seeded generator so two runs send the same requests. */
function generator(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

function requestBody(random: () => number, companies: number): string {
  const body: Record<string, number | string | null> = {
    bse_code: 500000 + Math.floor(random() * companies),
    prediction_date: '2025-11-14',
  };
  for (const name of FEATURE_NAMES) body[name] = random() < 0.02 ? null : Math.round((random() * 4 - 2) * 1e4) / 1e4;
  return JSON.stringify(body);
}

async function scrape(url: string): Promise<Buckets> {
  const res = await fetch(`${url}/metrics`);
  if (!res.ok) throw new Error(`GET ${url}/metrics answered ${res.status}`);
  return predictBuckets(await res.text());
}

async function runStage(
  url: string,
  perMinute: number,
  seconds: number,
  concurrency: number,
  companies: number,
): Promise<StageResult> {
  const random = generator(perMinute);
  const before = await scrape(url);
  const interval = 60_000 / perMinute;
  const durations: number[] = [];
  let inFlight = 0;
  let completed = 0;
  let failed = 0;
  let skipped = 0;
  let scheduled = 0;
  const pending = new Set<Promise<void>>();
  const start = performance.now();
  const end = start + seconds * 1000;

  const send = () => {
    const body = requestBody(random, companies);
    const t0 = performance.now();
    inFlight++;
    const p = fetch(`${url}/api/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.ok) completed++;
        else failed++;
      })
      .catch(() => {
        failed++;
      })
      .finally(() => {
        durations.push(performance.now() - t0);
        inFlight--;
        pending.delete(p);
      });
    pending.add(p);
  };

  while (performance.now() < end) {
    const due = Math.floor((performance.now() - start) / interval) + 1;
    while (scheduled < due) {
      scheduled++;
      if (inFlight >= concurrency) skipped++;
      else send();
    }
    const next = start + scheduled * interval;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(next - performance.now(), 50))));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  const after = await scrape(url);
  durations.sort((a, b) => a - b);
  const clientMs = {
    p50: percentile(durations, 0.5),
    p95: percentile(durations, 0.95),
    p99: percentile(durations, 0.99),
    max: durations[durations.length - 1] ?? Number.NaN,
  };
  const count = (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  const serverSeconds =
    count > 0
      ? {
          p50: histogramQuantile(0.5, before, after),
          p95: histogramQuantile(0.95, before, after),
          p99: histogramQuantile(0.99, before, after),
          count,
        }
      : null;
  const achievedPerMinute = (completed / elapsed) * 60;
  const sustained = completed >= 0.95 * scheduled && failed <= 0.01 * scheduled && clientMs.p95 < 150;
  return {
    targetPerMinute: perMinute,
    seconds: elapsed,
    scheduled,
    completed,
    failed,
    skipped,
    achievedPerMinute,
    clientMs,
    serverSeconds,
    sustained,
  };
}

function report(stage: StageResult): void {
  const ms = (s: number) => (Number.isNaN(s) ? 'n/a' : `${(s * 1000).toFixed(1)} ms`);
  const c = stage.clientMs;
  const s = stage.serverSeconds;
  process.stdout.write(
    `target ${stage.targetPerMinute}/min for ${stage.seconds.toFixed(1)} s: ` +
      `${stage.completed} ok, ${stage.failed} failed, ${stage.skipped} skipped of ${stage.scheduled}; ` +
      `achieved ${stage.achievedPerMinute.toFixed(0)}/min -> ${stage.sustained ? 'SUSTAINED' : 'NOT sustained'}\n` +
      `  client latency  p50 ${c.p50.toFixed(1)} ms  p95 ${c.p95.toFixed(1)} ms  p99 ${c.p99.toFixed(1)} ms  max ${c.max.toFixed(1)} ms\n` +
      (s
        ? `  server histogram (api_request_duration_seconds, POST /api/v1/predict, ${s.count} requests)  ` +
          `p50 ${ms(s.p50)}  p95 ${ms(s.p95)}  p99 ${ms(s.p99)}  (interpolated in buckets 0.01/0.05/0.1/0.5/1/5 s)\n`
        : '  server histogram: no predict requests recorded\n'),
  );
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      url: { type: 'string', default: 'http://127.0.0.1:8080' },
      rate: { type: 'string', default: '1200' },
      duration: { type: 'string', default: '60' },
      'step-up': { type: 'boolean', default: false },
      'step-seconds': { type: 'string', default: '15' },
      'max-rate': { type: 'string', default: '192000' },
      concurrency: { type: 'string', default: '256' },
      companies: { type: 'string', default: '2000' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const number = (name: string, raw: string) => {
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${raw}"`);
    return n;
  };
  const url = values.url.replace(/\/$/, '');
  const rate = number('rate', values.rate);
  const concurrency = number('concurrency', values.concurrency);
  const companies = number('companies', values.companies);
  if (!values['step-up']) {
    const stage = await runStage(url, rate, number('duration', values.duration), concurrency, companies);
    report(stage);
    if (!stage.sustained) process.exitCode = 1;
    return;
  }
  const stepSeconds = number('step-seconds', values['step-seconds']);
  const maxRate = number('max-rate', values['max-rate']);
  let best: StageResult | undefined;
  for (let target = rate; target <= maxRate; target *= 2) {
    const stage = await runStage(url, target, stepSeconds, concurrency, companies);
    report(stage);
    if (!stage.sustained) break;
    best = stage;
  }
  process.stdout.write(
    best
      ? `highest sustained rate: ${best.targetPerMinute}/min (achieved ${best.achievedPerMinute.toFixed(0)}/min)\n`
      : `no stage was sustained, not even ${rate}/min\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    process.stderr.write(`load test failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
