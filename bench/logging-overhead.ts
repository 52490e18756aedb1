/**
 * What logging costs a request: the same Fastify prediction handler with and without the logging plugin, in one
 * process and one run, alternating rounds so that machine noise hits both alike. The logged app writes a request
 * line to app.log and an audit line to audit.log per request, to real files in a temporary directory (stdout off,
 * so the terminal's speed is not measured). Requests go through `inject`, which skips the socket: the socket costs
 * both variants the same, and leaving it out makes the ratio show logging alone.
 *
 *   npx tsx bench/logging-overhead.ts [--requests 4000] [--rounds 4] [--concurrency 8]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Fastify, { type FastifyInstance } from 'fastify';
import { quantileSorted } from 'simple-statistics';
import { loggingPlugin } from '../logging/fastify-plugin.js';
import { closeLogging, configureLogging, flushLogs } from '../logging/logger.js';
import { exitWithUsageIfAsked } from './lib/usage.js';

exitWithUsageIfAsked(
  'Usage: npx tsx bench/logging-overhead.ts [--rounds N] [--concurrency N] [--requests N]\n  A Fastify handler with and without the logging plugin (request line and audit line to real files);\n  prints throughput and p50/p99 ratios and CPU per request.\nExample:\n  npx tsx bench/logging-overhead.ts --rounds 2',
);

function arg(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  const value = at >= 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive integer`);
  return value;
}

const REQUESTS = arg('requests', 4000);
const ROUNDS = arg('rounds', 4);
const CONCURRENCY = arg('concurrency', 8);

function predictionApp(logged: boolean): FastifyInstance {
  const app = Fastify({ logger: false });
  if (logged) void app.register(loggingPlugin, { auditRoutes: ['/api/v1/predict'] });
  app.post('/api/v1/predict', async (request) => {
    const body = request.body as { bse_code: number; prediction_date: string; x: number };
    await Promise.resolve();
    const probability = 1 / (1 + Math.exp(-body.x));
    return {
      bse_code: body.bse_code,
      prediction_date: body.prediction_date,
      probability,
      predicted_label: probability >= 0.3 ? 1 : 0,
      model_version: '1.4.0',
    };
  });
  return app;
}

interface RoundResult {
  seconds: number;
  /** Process CPU time (user + system): on a shared machine it moves far less with other people's load than wall time. */
  cpuSeconds: number;
  latencies: number[];
}

async function round(app: FastifyInstance, requests: number): Promise<RoundResult> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (next < requests) {
      const i = next++;
      const t0 = performance.now();
      const res = await app.inject({
        method: 'POST',
        url: '/api/v1/predict',
        payload: { bse_code: 500000 + (i % 3000), prediction_date: '2026-03-14', x: (i % 40) / 10 - 2 },
      });
      latencies.push(performance.now() - t0);
      if (res.statusCode !== 200) throw new Error(`request ${i} answered ${res.statusCode}`);
    }
  });
  await Promise.all(workers);
  const used = process.cpuUsage(cpu);
  return { seconds: (performance.now() - started) / 1000, cpuSeconds: (used.user + used.system) / 1e6, latencies };
}

function lineCount(file: string): number {
  return fs.existsSync(file)
    ? fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l !== '').length
    : 0;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-log-bench-'));
  await configureLogging({ dir, stdout: false, level: 'INFO' });
  const bare = predictionApp(false);
  const logged = predictionApp(true);
  try {
    await Promise.all([bare.ready(), logged.ready()]);
    await round(bare, 500);
    await round(logged, 500);
    await flushLogs();

    const results: Record<'bare' | 'logged', RoundResult> = {
      bare: { seconds: 0, cpuSeconds: 0, latencies: [] },
      logged: { seconds: 0, cpuSeconds: 0, latencies: [] },
    };
    for (let r = 0; r < ROUNDS; r++) {
      // Alternate which goes first, so a slow patch on the machine does not always hit the same variant.
      const order = r % 2 === 0 ? (['bare', 'logged'] as const) : (['logged', 'bare'] as const);
      for (const name of order) {
        const out = await round(name === 'bare' ? bare : logged, REQUESTS);
        results[name].seconds += out.seconds;
        results[name].cpuSeconds += out.cpuSeconds;
        results[name].latencies.push(...out.latencies);
      }
    }
    await flushLogs();

    const summary = (name: 'bare' | 'logged') => {
      const sorted = [...results[name].latencies].sort((a, b) => a - b);
      return {
        rps: sorted.length / results[name].seconds,
        cpuUs: (results[name].cpuSeconds / sorted.length) * 1e6,
        p50: quantileSorted(sorted, 0.5),
        p99: quantileSorted(sorted, 0.99),
      };
    };
    const a = summary('bare');
    const b = summary('logged');
    const fmt = (x: number) => x.toFixed(3);
    process.stdout.write(
      [
        `requests per variant: ${REQUESTS * ROUNDS} (${ROUNDS} rounds, concurrency ${CONCURRENCY}, Node ${process.version})`,
        `without logging: ${a.rps.toFixed(0)} req/s, p50 ${fmt(a.p50)} ms, p99 ${fmt(a.p99)} ms`,
        `with logging:    ${b.rps.toFixed(0)} req/s, p50 ${fmt(b.p50)} ms, p99 ${fmt(b.p99)} ms`,
        `throughput ratio (with/without): ${(b.rps / a.rps).toFixed(3)}`,
        `p50 ratio: ${(b.p50 / a.p50).toFixed(3)}   p99 ratio: ${(b.p99 / a.p99).toFixed(3)}`,
        `CPU per request: ${a.cpuUs.toFixed(1)} us without, ${b.cpuUs.toFixed(1)} us with (+${(b.cpuUs - a.cpuUs).toFixed(1)} us;` +
          ` process-wide, so the thread pool's file writes count too)`,
        `lines written: app.log ${lineCount(path.join(dir, 'app.log'))}, audit.log ${lineCount(path.join(dir, 'audit.log'))}` +
          ` (expected ${REQUESTS * ROUNDS + 500} each)`,
        '',
      ].join('\n'),
    );
  } finally {
    await Promise.all([bare.close(), logged.close()]);
    await closeLogging();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`logging-overhead failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
