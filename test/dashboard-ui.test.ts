/**
 * The dashboard in real Chromium: a database seeded with 100 days of history (direct inserts shaped like the daily
 * run's rows, faster than running the days through Temporal), live predict traffic sampled every 250 ms, and the
 * page driven through its buttons. Screenshots land in artifacts/screenshots/ for a person to look at.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { DEFAULT_API_CONFIG } from '../api/config.js';
import { predictionItem, seedModelVersion, silentLogger } from '../api/test-fixtures.js';
import { dashboardRoutes } from '../api/routes/dashboard.js';
import { queryRows } from '../db/rows.js';
import { alerts, monitoringReports } from '../db/schema/index.js';
import { FEATURE_NAMES } from '../domain/features.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const USER = 'ops';
const PASSWORD = 'dashboard-ui-secret';
const FIRST_DAY = '2025-08-07';
const LAST_DAY = '2025-11-14';
const SCREENSHOTS = path.resolve('artifacts', 'screenshots');
const CHARTS = ['latency', 'throughput', 'errors', 'f1', 'psi', 'importances'] as const;

async function seedHistory(database: TestDatabase, reportsDir: string): Promise<void> {
  const db = database.handle.db;
  await seedModelVersion(db, '1.0.0');
  // F1 wobbles around 0.40 and falls to about 0.26 on the last five days: the drop the anomaly rule should mark.
  await db.execute(sql`
    insert into model_performance_history (evaluation_date, model_version, window_days, scoring, predictions,
      true_positives, false_positives, false_negatives, true_negatives, precision, recall, f1, roc_auc,
      baseline_f1, f1_relative_drop, severity)
    select ${FIRST_DAY}::date + n, '1.0.0', 30, 'served', 900, 40, 60, 60, 740, 0.4, 0.4,
      case when n >= 95 then 0.26 + 0.004 * sin(n) else 0.40 + 0.012 * sin(n * 1.7) end, 0.78,
      0.42, 0.05, case when n >= 95 then 'SEVERE' else 'NONE' end
    from generate_series(0, 99) as n`);
  // Two features drift from day 85 on; the rest stay calm.
  await db.execute(sql`
    insert into drift_feature_results (report_date, model_version, feature_name, rows, missing, non_finite,
      out_of_range, psi_daily, status, action)
    select ${FIRST_DAY}::date + n, '1.0.0', f.name, 300, 0, 0, 0,
      0.02 + 0.03 * abs(sin(n * 0.7 + f.i)) + case when f.i <= 2 and n >= 85 then 0.1 + 0.02 * (n - 85) else 0 end,
      'OK', 'none'
    from generate_series(0, 99) as n
    cross join unnest(${`{${FEATURE_NAMES.join(',')}}`}::text[]) with ordinality as f(name, i)`);
  fs.mkdirSync(reportsDir, { recursive: true });
  for (const kind of ['drift', 'performance'] as const) {
    const file = path.join(reportsDir, `${kind}_${LAST_DAY}.txt`);
    fs.writeFileSync(file, `${kind.toUpperCase()} REPORT ${LAST_DAY}\n`);
    await db.insert(monitoringReports).values({
      kind,
      reportDate: LAST_DAY,
      modelVersion: '1.0.0',
      severity: kind === 'drift' ? 'HIGH' : 'SEVERE',
      filePath: file,
      body: 'report',
      summary: {},
    });
  }
  const base = { modelVersion: '1.0.0', body: 'body', alertDate: LAST_DAY };
  await db.insert(alerts).values([
    {
      ...base,
      dedupKey: `degradation:SEVERE:${LAST_DAY}:1.0.0`,
      source: 'degradation',
      level: 'SEVERE',
      severity: 'critical',
      title: 'F1 dropped 38% below the baseline',
      summary: 'F1 0.26 vs 0.42',
      links: [{ label: 'Performance report', url: `http://127.0.0.1:8080/reports/performance_${LAST_DAY}.txt` }],
      createdAt: new Date(Date.now() - 60_000),
    },
    {
      ...base,
      dedupKey: `drift:HIGH:${LAST_DAY}:1.0.0`,
      source: 'drift',
      level: 'HIGH',
      severity: 'warning',
      title: 'Drift on 2 features',
      summary: 'PSI above 0.25',
      links: [{ label: 'Drift report', url: `http://127.0.0.1:8080/reports/drift_${LAST_DAY}.txt` }],
      createdAt: new Date(Date.now() - 120_000),
    },
    {
      ...base,
      dedupKey: `api:latency:2025-11-13`,
      source: 'api',
      level: 'warning',
      severity: 'warning',
      title: 'p95 latency above 150 ms',
      summary: 'resolved',
      alertDate: '2025-11-13',
      status: 'resolved',
      resolvedAt: new Date(Date.now() - 3_600_000),
      createdAt: new Date(Date.now() - 86_400_000),
    },
  ]);
}

/** Predict traffic in bursts, with a few bad requests for the error-rate chart, across several sampler ticks. */
async function driveTraffic(app: FastifyInstance): Promise<void> {
  for (let burst = 0; burst < 8; burst += 1) {
    const requests = [];
    for (let i = 0; i < 15; i += 1) {
      const item = predictionItem(500_000 + burst * 100 + i, LAST_DAY, { earnings_surprise_pct: (i % 5) - 2 });
      requests.push(app.inject({ method: 'POST', url: '/api/v1/predict', payload: item }));
    }
    for (let i = 0; i < (burst % 3) + 1; i += 1) {
      requests.push(app.inject({ method: 'POST', url: '/api/v1/predict', payload: { bse_code: 'nope' } }));
    }
    await Promise.all(requests);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/** The page's globals as the evaluated callbacks see them (the test's tsconfig has no DOM library). */
interface PageGlobals {
  readonly vcpDashboard: {
    readonly refreshes: number;
    readonly loadedRange: string;
    readonly charts: Record<string, { data: { labels?: unknown[]; datasets: { label: string; data: unknown[] }[] } }>;
  };
  readonly innerWidth: number;
  readonly document: { readonly documentElement: { readonly scrollWidth: number } };
}

interface ChartSummary {
  readonly datasets: number;
  readonly points: number;
  readonly labels: number;
}

function chartSummaries(page: Page): Promise<Record<string, ChartSummary>> {
  return page.evaluate((names) => {
    const state = (globalThis as unknown as PageGlobals).vcpDashboard;
    const out: Record<string, { datasets: number; points: number; labels: number }> = {};
    for (const name of names) {
      const chart = state.charts[name];
      const datasets = chart?.data.datasets ?? [];
      out[name] = {
        datasets: datasets.length,
        points: datasets.reduce((n, d) => n + d.data.filter((v) => v !== null && v !== undefined).length, 0),
        labels: chart?.data.labels?.length ?? 0,
      };
    }
    return out;
  }, CHARTS);
}

function refreshes(page: Page): Promise<number> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).vcpDashboard.refreshes);
}

describe('dashboard in Chromium', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let browser: Browser;
  let baseUrl: string;
  let workDir: string;

  beforeAll(async () => {
    database = await createTestDatabase('dashboard_ui');
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-dashboard-ui-'));
    const reportsDir = path.join(workDir, 'reports');
    await seedHistory(database, reportsDir);
    app = buildApp({
      db: database.handle.db,
      config: { ...DEFAULT_API_CONFIG, modelRefreshMs: 60_000 },
      log: silentLogger(),
      plugins: [dashboardRoutes({ user: USER, password: PASSWORD, reportsDir, sampleIntervalMs: 250 })],
    });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
    await driveTraffic(app);
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await database?.drop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('draws every chart, acknowledges an alert, switches range, exports a PNG and fits desktop and phone', async () => {
    const context = await browser.newContext({
      viewport: { width: 1366, height: 900 },
      httpCredentials: { username: USER, password: PASSWORD },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const failures: string[] = [];
    page.on('pageerror', (err) => failures.push(err.message));
    page.on('requestfailed', (req) => failures.push(`${req.url()} ${req.failure()?.errorText ?? ''}`));
    const offsite: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(baseUrl) && !req.url().startsWith('data:')) offsite.push(req.url());
    });

    // A controllable page clock, so the 30 s auto-refresh can be proven without waiting 30 s.
    await page.clock.install();
    await page.goto(`${baseUrl}/dashboard`);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).vcpDashboard?.refreshes === 1);

    // 1. Every chart has data at the default 24 h range.
    const first = await chartSummaries(page);
    for (const name of CHARTS) expect(first[name]?.points, name).toBeGreaterThan(0);
    expect(first.latency!.labels).toBeGreaterThanOrEqual(3);
    expect(first.f1!.labels).toBe(1);
    expect(first.psi!.datasets).toBe(1);
    expect(await page.locator('#deltas .delta').count()).toBe(4);
    expect(await page.locator('#model-facts').textContent()).toContain('1.0.0');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-desktop-24h.png'), fullPage: true });

    // The page refetches its data after 30 s by itself, without reloading.
    const navigations: string[] = [];
    page.on('framenavigated', (frame) => navigations.push(frame.url()));
    await page.clock.fastForward(30_000);
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).vcpDashboard.refreshes === 2);
    expect(navigations).toEqual([]);

    // 2. Acknowledge the newest open alert through its button; the row in Postgres records who and when.
    const button = page.locator('#alerts-active button.ack:not([disabled])').first();
    const alertId = Number(await button.getAttribute('data-alert-id'));
    await button.click();
    await page.locator(`#alerts-active li[data-alert-id="${alertId}"][data-status="acknowledged"]`).waitFor();
    const [row] = await queryRows<{ status: string; acknowledged_by: string | null; acknowledged_at: Date | null }>(
      database.handle.db,
      sql`select status, acknowledged_by, acknowledged_at from alerts where id = ${alertId}`,
    );
    expect(row).toMatchObject({ status: 'acknowledged', acknowledged_by: USER });
    expect(row?.acknowledged_at).not.toBeNull();
    const reportLink = page.locator('#alerts-active a', { hasText: 'Performance report' }).first();
    expect(await reportLink.getAttribute('href')).toBe(`/dashboard/reports/performance_${LAST_DAY}.txt`);

    // 3. Switching to 90 days changes every chart's series.
    const before = await refreshes(page);
    await page.click('[data-range="90d"]');
    await page.waitForFunction((n) => {
      const s = (globalThis as unknown as PageGlobals).vcpDashboard;
      return s.refreshes > n && s.loadedRange === '90d';
    }, before);
    const wide = await chartSummaries(page);
    expect(wide.f1!.labels).toBe(90);
    expect(wide.psi!.datasets).toBe(90);
    expect(wide.psi!.labels).toBe(FEATURE_NAMES.length);
    expect(wide.latency!.points).toBeGreaterThan(0);
    expect(await page.locator('#title-throughput').textContent()).toContain('per day');
    const f1Anomalies = await page.evaluate(() => {
      const charts = (globalThis as unknown as PageGlobals).vcpDashboard.charts;
      return charts.f1?.data.datasets.find((d) => d.label === 'anomaly')?.data.filter((v) => v !== null).length ?? 0;
    });
    expect(f1Anomalies).toBeGreaterThan(0);

    // 4. PNG export of the F1 chart arrives as a download with a PNG signature.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="f1"]')]);
    expect(download.suggestedFilename()).toBe('vcp-f1-90d.png');
    const png = fs.readFileSync(await download.path());
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(png.length).toBeGreaterThan(5_000);

    // 5. Screenshots at desktop and phone widths; on the phone the page must not scroll sideways.
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-desktop-90d.png'), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    // Chart.js resizes its canvases after a debounce, which a loaded machine stretches: wait for the layout to
    // settle (up to 10 s) before measuring; a page that keeps overflowing still fails below.
    await page
      .waitForFunction(
        () => {
          const g = globalThis as unknown as PageGlobals;
          return g.document.documentElement.scrollWidth <= g.innerWidth;
        },
        undefined,
        { timeout: 10_000 },
      )
      .catch(() => undefined);
    const overflow = await page.evaluate(
      () =>
        (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth -
        (globalThis as unknown as PageGlobals).innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-phone-90d.png'), fullPage: true });
    await page.click('[data-range="7d"]');
    await page.waitForFunction(() => (globalThis as unknown as PageGlobals).vcpDashboard.loadedRange === '7d');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'dashboard-phone-7d.png'), fullPage: true });

    expect(failures).toEqual([]);
    expect(offsite).toEqual([]);
    await context.close();
  });
});
