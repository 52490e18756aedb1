/**
 * A real Temporal dev server for integration tests: the CLI binary that scripts/install-temporal.sh
 * built, started by the SDK's test environment as an existing executable. The time-skipping test
 * server is a separate download this machine cannot make, so timers are workflow inputs instead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../../workers/create-worker.js';

export function temporalCliPath(): string {
  const fromEnv = process.env.TEMPORAL_CLI_PATH;
  const cached = path.join(os.homedir(), '.cache', 'vcp-monitor', 'temporal-v1.5.1', 'temporal');
  const binary = fromEnv ?? cached;
  if (!fs.existsSync(binary)) {
    throw new Error(`Temporal CLI not found at ${binary}: run scripts/install-temporal.sh (or set TEMPORAL_CLI_PATH)`);
  }
  return binary;
}

export interface DevServerOptions {
  /** A SQLite file keeps history across a restart of the server (the restart tests need it). */
  readonly dbFilename?: string;
  readonly port?: number;
}

export function startDevServer(options: DevServerOptions = {}): Promise<TestWorkflowEnvironment> {
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path: temporalCliPath() },
      ip: '127.0.0.1',
      ...(options.port ? { port: options.port } : {}),
      ...(options.dbFilename ? { dbFilename: options.dbFilename } : {}),
      log: { format: 'json', level: 'error' },
    },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle, built once per test file: bundling takes seconds, workers start in milliseconds. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: quietBundlerLogger });
  return bundle;
}

const quietBundlerLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => console.warn(message),
  error: (message: string) => console.error(message),
};
