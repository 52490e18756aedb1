/**
 * What the instrumentation costs the prediction API: the same app, with and without metrics, trace ids and logging,
 * each in its own server process (bench/lib/overhead-server.ts) over real keep-alive HTTP on loopback. A separate
 * process per variant matters: AsyncLocalStorage's promise hooks, once enabled, tax every promise in the process,
 * so a bare app sharing a process with an instrumented one would pay for them too and hide them.
 *
 * This process is the client. Each round starts a fresh server per variant, in a rotating order, warms it up and
 * measures one block, so JIT state, process layout and a noisy neighbour fall on every variant alike. Each server
 * reports its own CPU time around its block, so the figure compared is server CPU per request: the client's work is
 * never counted. Every request is a different company-day, so every one is scored (no cache hits). Latency is
 * measured at the client, socket included. On two or more cores the servers are pinned to core 1, the client to 0.
 *
 * Known shortcoming, measured: the goal of under 5% is not met for single-company requests. The bare request costs
 * about 75-100 us of CPU here and the instrumentation a fixed 20-40 us on top: about 2 us for the request line, 3-4 us
 * per audit line, 2 us for the trace id and its two response headers, about 3 us of AsyncLocalStorage promise hooks,
 * 2-3 us of metrics, and the rest spread thinly (GC, Fastify's hook runner). Batches of 50 (--batch 50) measured
 * the same share, 35%: the audit line is per prediction, so batching does not amortize it. Whole runs differ by
 * about 15 points on this shared 2-core VM (the instrumented server measured 20% in one run and 37% in another),
 * more than the bootstrap interval of one run admits, so compare runs with care. The paced mode (--rate) is too
 * noisy here to tell a few percent apart.
 *
 *   npx tsx bench/api-overhead.ts [--rounds 12] [--block 2000] [--concurrency 4] [--rate 0] [--batch 1]
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { predictionItem } from '../api/test-fixtures.js';
import { exitWithUsageIfAsked } from './lib/usage.js';
import { VARIANTS, type ParentMessage, type ServerMessage, type Variant } from './lib/overhead-protocol.js';

exitWithUsageIfAsked(
  'Usage: npx tsx bench/api-overhead.ts [--rounds N] [--block N] [--concurrency N] [--rate N] [--batch N]\n' +
    '  The prediction API with and without metrics, trace ids and logging, one server process per variant, over\n' +
    '  keep-alive HTTP; prints throughput, p50/p99 latency and server CPU per request, and their ratios.\n' +
    'Example:\n  npx tsx bench/api-overhead.ts --rounds 6',
);

function positive(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`--${name} must be a positive integer, got "${value}"`);
  return n;
}

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '12' },
    block: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '4' },
    rate: { type: 'string', default: '0' },
    batch: { type: 'string', default: '1' },
  },
});
const ROUNDS = positive('rounds', values.rounds);
const BLOCK = positive('block', values.block);
const CONCURRENCY = positive('concurrency', values.concurrency);
/** Requests a second per server; 0 sends each as soon as the previous one on its connection is answered. */
const RATE = values.rate === '0' ? 0 : positive('rate', values.rate);
/** Companies per request: 1 sends the single form, more the `{ predictions: [...] }` batch form. */
const BATCH = positive('batch', values.batch);
/** Requests before measuring, for the JIT; a paced run warms up for five seconds at most. */
const WARMUP = RATE > 0 ? Math.min(3_000, RATE * 5) : 3_000;

interface Server {
  readonly variant: Variant;
  readonly child: ChildProcess;
  readonly port: number;
  readonly agent: http.Agent;
}

interface Tally {
  readonly latenciesUs: number[];
  /** Server CPU per request of each measured block, in round order, for the bootstrap over rounds. */
  readonly blockCpuUs: number[];
  cpuUs: number;
  systemUs: number;
  wallUs: number;
  requests: number;
}

function emptyTally(): Tally {
  return { latenciesUs: [], blockCpuUs: [], cpuUs: 0, systemUs: 0, wallUs: 0, requests: 0 };
}

let sequence = 0;
function nextItem(): Record<string, number | string | null> {
  sequence++;
  const day = new Date(Date.UTC(2025, 0, 1) + (sequence % 3650) * 86_400_000).toISOString().slice(0, 10);
  return predictionItem(500000 + (sequence % 400_000), day, {
    earnings_surprise_pct: (sequence % 7) - 3,
    volume_ratio_30d: (sequence % 5) / 2,
    rsi_14: sequence % 11 === 0 ? null : 50,
  });
}

function nextBody(): string {
  if (BATCH === 1) return JSON.stringify(nextItem());
  return JSON.stringify({ predictions: Array.from({ length: BATCH }, nextItem) });
}

function startServer(variant: Variant): Promise<Server> {
  const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'overhead-server.ts');
  const node = [process.execPath, '--import', 'tsx', script, variant];
  const [command, ...args] = PIN ? ['taskset', '-c', '1', ...node] : node;
  const child = spawn(command!, args, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code: number | null) =>
      reject(new Error(`${variant} server exited with code ${code} before listening`)),
    );
    child.once('message', (message: ServerMessage) => {
      if (message.type !== 'listening') return reject(new Error(`${variant} server sent ${message.type} first`));
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      resolve({ variant, child, port: message.port, agent });
    });
  });
}

interface Cpu {
  readonly user: number;
  readonly system: number;
}

function serverCpu(server: Server): Promise<Cpu> {
  return new Promise((resolve) => {
    server.child.once('message', (message: ServerMessage) => {
      if (message.type === 'cpu') resolve({ user: message.userMicros, system: message.systemMicros });
    });
    server.child.send({ type: 'cpu' } satisfies ParentMessage);
  });
}

function post(server: Server, body: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port: server.port,
        path: '/api/v1/predict',
        method: 'POST',
        agent: server.agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          if (response.statusCode === 200) resolve();
          else
            reject(new Error(`${server.variant} answered ${response.statusCode}: ${Buffer.concat(chunks).toString()}`));
        });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function block(server: Server, tally: Tally, n: number): Promise<void> {
  const cpu0 = await serverCpu(server);
  const wall0 = process.hrtime.bigint();
  let issued = 0;
  const lane = async () => {
    while (issued < n) {
      const slot = issued++;
      if (RATE > 0) {
        // Paced: request `slot` starts at its place in a steady stream of RATE a second, as production traffic does.
        const waitMs = (Number(wall0) + (slot * 1e9) / RATE - Number(process.hrtime.bigint())) / 1e6;
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      }
      const body = nextBody();
      const t0 = process.hrtime.bigint();
      await post(server, body);
      tally.latenciesUs.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  tally.wallUs += Number(process.hrtime.bigint() - wall0) / 1000;
  const cpu1 = await serverCpu(server);
  const cpuUs = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
  tally.blockCpuUs.push(cpuUs / n);
  tally.cpuUs += cpuUs;
  tally.systemUs += cpu1.system - cpu0.system;
  tally.requests += n;
}

function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
}

interface Summary {
  readonly requests: number;
  readonly throughputPerSecond: number;
  readonly p50Us: number;
  readonly p99Us: number;
  readonly cpuUsPerRequest: number;
  /** The kernel's share: socket writes and the log files' write calls. */
  readonly systemUsPerRequest: number;
}

function summarize(t: Tally): Summary {
  const sorted = [...t.latenciesUs].sort((a, b) => a - b);
  return {
    requests: t.requests,
    throughputPerSecond: t.requests / (t.wallUs / 1e6),
    p50Us: percentile(sorted, 0.5),
    p99Us: percentile(sorted, 0.99),
    cpuUsPerRequest: t.cpuUs / t.requests,
    systemUsPerRequest: t.systemUs / t.requests,
  };
}

/**
 * The CPU overhead: all of the variant's measured CPU over all of the bare server's (every block has the same
 * number of requests), with a 90% bootstrap interval from resampling rounds. A single round is noisy (a same-code
 * A/A pair of blocks differed by up to 40%); the pooled ratio of that A/A run came out at 0.997.
 */
function pooledOverhead(variant: Tally, bare: Tally): { estimate: number; low: number; high: number } {
  const ratio = (rounds: readonly number[]) => {
    let v = 0;
    let b = 0;
    for (const r of rounds) {
      v += variant.blockCpuUs[r]!;
      b += bare.blockCpuUs[r]!;
    }
    return v / b - 1;
  };
  const all = bare.blockCpuUs.map((_, r) => r);
  // A fixed-seed generator (mulberry32) so the same measurements always print the same interval.
  let seed = 0x9e3779b9;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const resampled = Array.from({ length: 2000 }, () =>
    ratio(all.map(() => all[Math.floor(random() * all.length)]!)),
  ).sort((x, y) => x - y);
  return {
    estimate: ratio(all),
    low: resampled[Math.floor(0.05 * resampled.length)]!,
    high: resampled[Math.floor(0.95 * resampled.length)]!,
  };
}

function report(summary: Record<Variant, Summary>, tallies: Record<Variant, Tally>): string {
  const i = summary.instrumented;
  const b = summary.bare;
  const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
  const overheadOf = (variant: Variant) => {
    const o = pooledOverhead(tallies[variant], tallies.bare);
    return `${pct(o.estimate)} (90% interval ${pct(o.low)} to ${pct(o.high)})`;
  };
  const line = (name: string, s: Summary) =>
    `${name.padEnd(13)} ${s.requests} requests  ${s.throughputPerSecond.toFixed(0)} req/s  ` +
    `p50 ${s.p50Us.toFixed(0)} us  p99 ${s.p99Us.toFixed(0)} us  server CPU ${s.cpuUsPerRequest.toFixed(1)} us/request (system ${s.systemUsPerRequest.toFixed(1)})\n`;
  const overhead = pooledOverhead(tallies.instrumented, tallies.bare).estimate;
  return (
    line('instrumented', i) +
    line('bare', b) +
    line('metrics only', summary.metrics) +
    line('logging only', summary.logging) +
    `ratios (instrumented / bare): throughput ${(i.throughputPerSecond / b.throughputPerSecond).toFixed(3)}  ` +
    `p50 ${(i.p50Us / b.p50Us).toFixed(3)}  p99 ${(i.p99Us / b.p99Us).toFixed(3)}  ` +
    `server CPU per request ${(i.cpuUsPerRequest / b.cpuUsPerRequest).toFixed(3)}\n` +
    `CPU overhead of instrumentation: ${overheadOf('instrumented')} (goal: under 5%) -> ${overhead < 0.05 ? 'MET' : 'NOT MET'}\n` +
    `  metrics alone: ${overheadOf('metrics')}\n` +
    `  trace ids with request and audit lines alone: ${overheadOf('logging')}\n`
  );
}

/**
 * On a machine with two or more cores the servers run on core 1 and this client on core 0, so the two never take
 * turns on one core: that turn-taking charged the servers for cache misses and wake-ups that depended on timing.
 */
const PIN = os.availableParallelism() >= 2 && hasTaskset();

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', '0', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function stopServer(server: Server): Promise<void> {
  server.agent.destroy();
  if (!server.child.connected) return Promise.resolve();
  const exited = new Promise<void>((resolve) => server.child.once('exit', () => resolve()));
  server.child.send({ type: 'stop' } satisfies ParentMessage);
  return exited;
}

/** A different order each round (a fixed rotation), so no variant always runs first or after the same one. */
function roundOrder(names: readonly Variant[], round: number): Variant[] {
  const rotated = names.map((_, i) => names[(i + round) % names.length]!);
  return Math.floor(round / names.length) % 2 === 0 ? rotated : rotated.reverse();
}

async function main(): Promise<void> {
  const names = Object.keys(VARIANTS) as Variant[];
  const tallies = Object.fromEntries(names.map((name): [Variant, Tally] => [name, emptyTally()])) as Record<
    Variant,
    Tally
  >;
  // A fresh process per variant per round: two processes running the very same code differed by up to 17% in
  // CPU per request (hash seeds, heap and code layout), so one long-lived process per variant measured its own
  // luck as much as its instrumentation. One server runs at a time.
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of roundOrder(names, round)) {
      const server = await startServer(name);
      try {
        await block(server, emptyTally(), WARMUP);
        await block(server, tallies[name], BLOCK);
      } finally {
        await stopServer(server);
      }
    }
  }
  const summary = Object.fromEntries(names.map((name) => [name, summarize(tallies[name])])) as Record<Variant, Summary>;
  process.stdout.write(report(summary, tallies));
}

main().catch((err: unknown) => {
  process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
