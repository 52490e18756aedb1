/**
 * Every committed workflow history replays against today's workflow code without nondeterminism:
 * the guard that keeps a change to a workflow from breaking runs already in flight, and schedules
 * whose recorded inputs predate a new setting.
 */
import fs from 'node:fs';
import path from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { workflowBundle } from './support/temporal.js';

const HISTORIES = path.join(path.dirname(new URL(import.meta.url).pathname), 'histories');

describe('committed workflow histories', () => {
  const files = fs.readdirSync(HISTORIES).filter((f) => f.endsWith('.json'));

  it('are there for the daily pipeline and the rollback approval', () => {
    expect(files).toEqual(expect.arrayContaining(['daily-monitoring.json', 'rollback-approval.json']));
  });

  it.each(files)('%s replays without nondeterminism', async (file) => {
    const json: unknown = JSON.parse(fs.readFileSync(path.join(HISTORIES, file), 'utf8'));
    const history = historyFromJSON(json);
    expect(history.events?.length).toBeGreaterThan(10);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-${file}`);
  });
});
