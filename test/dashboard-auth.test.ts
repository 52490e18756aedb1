import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { DEFAULT_API_CONFIG } from '../api/config.js';
import { seedModelVersion, silentLogger } from '../api/test-fixtures.js';
import { checkBasicAuth, dashboardRoutes } from '../api/routes/dashboard.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const USER = 'ops';
const PASSWORD = 'correct horse battery staple';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

const PROTECTED = [
  { method: 'GET', url: '/dashboard' },
  { method: 'GET', url: '/dashboard/api/api-metrics?range=7d' },
  { method: 'GET', url: '/dashboard/api/quality?range=30d' },
  { method: 'GET', url: '/dashboard/api/model' },
  { method: 'GET', url: '/dashboard/api/alerts' },
  { method: 'POST', url: '/dashboard/api/alerts/1/acknowledge' },
  { method: 'GET', url: '/dashboard/assets/dashboard.js' },
  { method: 'GET', url: '/dashboard/assets/dashboard.css' },
  { method: 'GET', url: '/dashboard/assets/chart.umd.js' },
  { method: 'GET', url: '/dashboard/reports/drift_2025-11-14.txt' },
] as const;

describe('dashboard authentication', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let closedApp: FastifyInstance;
  let workDir: string;

  beforeAll(async () => {
    database = await createTestDatabase('dashboard_auth');
    await seedModelVersion(database.handle.db, '1.0.0');
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-dashboard-auth-'));
    const reportsDir = path.join(workDir, 'reports');
    fs.mkdirSync(reportsDir);
    fs.writeFileSync(path.join(reportsDir, 'drift_2025-11-14.txt'), 'DATA DRIFT DETECTION REPORT\n');
    fs.writeFileSync(path.join(workDir, 'secret_2025-11-14.txt'), 'outside the reports directory\n');
    // A symlink planted in the reports directory must not lead out of it.
    fs.symlinkSync(path.join(workDir, 'secret_2025-11-14.txt'), path.join(reportsDir, 'performance_2025-11-13.txt'));
    const config = { ...DEFAULT_API_CONFIG, modelRefreshMs: 60_000 };
    app = buildApp({
      db: database.handle.db,
      config,
      log: silentLogger(),
      plugins: [dashboardRoutes({ user: USER, password: PASSWORD, reportsDir, sampleIntervalMs: 60_000 })],
    });
    closedApp = buildApp({
      db: database.handle.db,
      config,
      log: silentLogger(),
      plugins: [dashboardRoutes({ user: USER, password: undefined, reportsDir })],
    });
    await Promise.all([app.ready(), closedApp.ready()]);
  });
  afterAll(async () => {
    await app?.close();
    await closedApp?.close();
    await database?.drop();
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  });

  it('answers 401 with a Basic challenge to missing, wrong and malformed credentials on every route', async () => {
    const attempts: (string | undefined)[] = [
      undefined,
      basic(USER, 'wrong'),
      basic('someone', PASSWORD),
      basic(USER, `${PASSWORD}x`),
      `Bearer ${PASSWORD}`,
      'Basic not-base64!',
      `Basic ${Buffer.from(`${USER}${PASSWORD}`).toString('base64')}`,
    ];
    for (const route of PROTECTED) {
      for (const authorization of attempts) {
        const res = await app.inject({ ...route, headers: authorization ? { authorization } : {} });
        expect(res.statusCode, `${route.method} ${route.url} with ${authorization ?? 'no header'}`).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Basic realm="vcp-monitor", charset="UTF-8"');
        expect(res.json<{ error: { code: string } }>().error.code).toBe('UNAUTHORIZED');
        expect(res.body).not.toContain('DRIFT DETECTION');
      }
    }
  });

  it('serves the page, data, assets and reports to the right login', async () => {
    const authorization = basic(USER, PASSWORD);
    for (const route of PROTECTED.filter((r) => r.method === 'GET')) {
      const res = await app.inject({ ...route, headers: { authorization } });
      expect(res.statusCode, route.url).toBe(200);
    }
    const page = await app.inject({ method: 'GET', url: '/dashboard', headers: { authorization } });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.body).not.toMatch(/https?:\/\/(?!127)/);
    const chart = await app.inject({
      method: 'GET',
      url: '/dashboard/assets/chart.umd.js',
      headers: { authorization },
    });
    expect(chart.body.length).toBeGreaterThan(100_000);
    const report = await app.inject({
      method: 'GET',
      url: '/dashboard/reports/drift_2025-11-14.txt',
      headers: { authorization },
    });
    expect(report.body).toBe('DATA DRIFT DETECTION REPORT\n');
  });

  it('refuses a cross-site acknowledgement: the right login without the page header is 403 and changes nothing', async () => {
    const authorization = basic(USER, PASSWORD);
    const res = await app.inject({
      method: 'POST',
      url: '/dashboard/api/alerts/1/acknowledge',
      headers: { authorization },
    });
    expect(res.statusCode).toBe(403);
    const missing = await app.inject({
      method: 'POST',
      url: '/dashboard/api/alerts/999/acknowledge',
      headers: { authorization, 'x-vcp-dashboard': '1' },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('refuses everyone, the right login included, when DASHBOARD_PASSWORD is unset, and says so', async () => {
    for (const authorization of [undefined, basic(USER, ''), basic(USER, PASSWORD)]) {
      const res = await closedApp.inject({
        method: 'GET',
        url: '/dashboard',
        headers: authorization ? { authorization } : {},
      });
      expect(res.statusCode).toBe(401);
      expect(res.headers['www-authenticate']).toContain('Basic realm="vcp-monitor"');
      expect(res.json<{ error: { message: string } }>().error.message).toMatch(/DASHBOARD_PASSWORD is not set/);
    }
  });

  it('refuses path traversal, encoded or not, and symlinks out of the reports directory', async () => {
    const authorization = basic(USER, PASSWORD);
    const urls = [
      '/dashboard/reports/..%2Fsecret_2025-11-14.txt',
      '/dashboard/reports/..%2F..%2F..%2Fetc%2Fpasswd',
      '/dashboard/reports/%2Fetc%2Fpasswd',
      '/dashboard/reports/../secret_2025-11-14.txt',
      '/dashboard/reports/..%5Csecret_2025-11-14.txt',
      '/dashboard/reports/drift_2025-11-14.txt%00.png',
      '/dashboard/reports/performance_2025-11-13.txt',
      '/dashboard/assets/..%2F..%2Fpackage.json',
      '/dashboard/assets/index.html',
    ];
    for (const url of urls) {
      const res = await app.inject({ method: 'GET', url, headers: { authorization } });
      expect([400, 404], url).toContain(res.statusCode);
      expect(res.body, url).not.toContain('outside the reports directory');
      expect(res.body, url).not.toContain('root:');
      expect(res.body, url).not.toContain('"name": "vcp-monitor"');
    }
  });

  it('compares credentials with equal-length digests, so lengths that differ are simply a mismatch', () => {
    expect(checkBasicAuth(basic('a', 'b'), 'a', 'b')).toBe('a');
    expect(checkBasicAuth(basic('a', 'b:c'), 'a', 'b:c')).toBe('a');
    expect(checkBasicAuth(basic('a', 'b'), 'a', 'a much longer password')).toBeNull();
    expect(checkBasicAuth(undefined, 'a', 'b')).toBeNull();
  });
});
