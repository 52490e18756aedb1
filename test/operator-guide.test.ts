/**
 * The operator's guide, followed step by step as a new user would: every block marked
 * `<!-- guide:run -->` in docs/operations.md runs, in order, in one shell, against a fresh database
 * and a fresh dev server on ports of its own.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { freePort } from './support/prometheus.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');

export function runnableBlocks(markdown: string): string[] {
  const blocks: string[] = [];
  const pattern = /<!-- guide:run -->\s*```bash\n([\s\S]*?)```/g;
  for (let m = pattern.exec(markdown); m !== null; m = pattern.exec(markdown)) blocks.push(m[1]!);
  return blocks;
}

describe("the operator's guide", () => {
  let database: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase('guide');
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-guide-'));
  });
  afterAll(async () => {
    spawnSync('bash', ['scripts/stop-temporal.sh'], { cwd: ROOT, env: { ...process.env, DATA_DIR: dataDir } });
    await database?.drop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs every marked command successfully on a fresh database and dev server', async () => {
    const blocks = runnableBlocks(fs.readFileSync(path.join(ROOT, 'docs', 'operations.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThanOrEqual(6);
    const [port, uiPort] = [await freePort(), await freePort()];
    const script = ['set -euo pipefail', 'set -x', ...blocks].join('\n');
    const result = spawnSync('bash', ['-c', script], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 540_000,
      maxBuffer: 64 * 1024 * 1024,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        DATABASE_URL: database.url,
        TEMPORAL_PORT: String(port),
        TEMPORAL_UI_PORT: String(uiPort),
        TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
        TEMPORAL_TASK_QUEUE: `guide-${process.pid}`,
        LOG_LEVEL: 'warning',
      },
    });
    const output = `${result.stdout}\n${result.stderr}`;
    if (result.status !== 0) console.error(output.slice(-6000));
    expect(result.status).toBe(0);
    expect(output).toContain('daily-monitoring-2024-04-19');
    expect(fs.existsSync(path.join(dataDir, 'reports', 'drift_2024-04-19.txt'))).toBe(true);
    expect(fs.existsSync(path.join(dataDir, 'history.json'))).toBe(true);
  }, 600_000);
});
