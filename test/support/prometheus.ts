/**
 * A real Prometheus server for integration tests: a temporary config and TSDB directory, a free port, and
 * helpers to wait for targets and run PromQL through the HTTP API. Stop it in afterAll.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';

export const PROMETHEUS_BINARY = process.env.PROMETHEUS_BINARY ?? '/usr/bin/prometheus';

export class PrometheusUnavailableError extends Error {
  override readonly name = 'PrometheusUnavailableError';
}

export interface ScrapeTarget {
  readonly job: string;
  /** host:port */
  readonly target: string;
  readonly metricsPath?: string;
}

export interface PrometheusOptions {
  readonly targets: readonly ScrapeTarget[];
  /** Defaults to 1s so tests see data quickly. */
  readonly scrapeInterval?: string;
  readonly evaluationInterval?: string;
  /** Absolute paths of rule files to load. */
  readonly ruleFiles?: readonly string[];
  /** host:port of an Alertmanager to send alerts to. */
  readonly alertmanager?: string;
}

export interface PromSample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface PrometheusServer {
  readonly url: string;
  readonly dir: string;
  /** Instant query; returns the vector's samples (a scalar comes back as one sample with no labels). */
  query(expr: string): Promise<PromSample[]>;
  /** Polls `query` until `accept` is true for the result, or throws with the last result after `timeoutMs`. */
  waitFor(expr: string, accept: (samples: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  /** Waits until every configured target has been scraped successfully at least once. */
  waitForTargetsUp(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** A port the OS says is free now; a tiny race remains before the caller binds it. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  if (!fs.existsSync(PROMETHEUS_BINARY)) {
    throw new PrometheusUnavailableError(
      `Prometheus binary not found at ${PROMETHEUS_BINARY}; install it (apt-get install prometheus) or set PROMETHEUS_BINARY`,
    );
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-prometheus-'));
  const port = await freePort();
  const config = {
    global: {
      scrape_interval: options.scrapeInterval ?? '1s',
      evaluation_interval: options.evaluationInterval ?? options.scrapeInterval ?? '1s',
    },
    ...(options.ruleFiles ? { rule_files: [...options.ruleFiles] } : {}),
    ...(options.alertmanager
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] } }
      : {}),
    scrape_configs: options.targets.map((t) => ({
      job_name: t.job,
      metrics_path: t.metricsPath ?? '/metrics',
      static_configs: [{ targets: [t.target] }],
    })),
  };
  const configFile = path.join(dir, 'prometheus.yml');
  fs.writeFileSync(configFile, stringify(config));
  const logFile = path.join(dir, 'prometheus.log');
  const log = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(
    PROMETHEUS_BINARY,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', log, log] },
  );
  fs.closeSync(log);
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  const url = `http://127.0.0.1:${port}`;
  const logTail = () => fs.readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');

  const stop = async () => {
    if (exited === undefined) {
      const done = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await done;
      clearTimeout(timer);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 20_000;
  for (;;) {
    if (exited !== undefined) throw new Error(`prometheus exited with code ${exited} on start:\n${logTail()}`);
    try {
      const res = await fetch(`${url}/-/ready`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not become ready on ${url} in 20 s:\n${logTail()}`);
    }
    await sleep(100);
  }

  const query = async (expr: string): Promise<PromSample[]> => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: unknown };
    };
    if (body.status !== 'success' || !body.data) throw new Error(`PromQL ${expr} failed: ${body.error ?? res.status}`);
    if (body.data.resultType === 'scalar') {
      const [, value] = body.data.result as [number, string];
      return [{ metric: {}, value: Number(value) }];
    }
    return (body.data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({
      metric: r.metric,
      value: Number(r.value[1]),
    }));
  };

  const waitFor = async (expr: string, accept: (samples: PromSample[]) => boolean, timeoutMs = 30_000) => {
    const until = Date.now() + timeoutMs;
    let last: PromSample[];
    for (;;) {
      last = await query(expr);
      if (accept(last)) return last;
      if (Date.now() > until) {
        throw new Error(
          `PromQL ${expr} did not reach the expected result in ${timeoutMs} ms; last: ${JSON.stringify(last)}`,
        );
      }
      await sleep(500);
    }
  };

  const waitForTargetsUp = async (timeoutMs = 30_000) => {
    const jobs = options.targets.map((t) => t.job);
    await waitFor('up == 1', (samples) => jobs.every((job) => samples.some((s) => s.metric.job === job)), timeoutMs);
  };

  return { url, dir, query, waitFor, waitForTargetsUp, stop };
}
