/**
 * One server of the overhead benchmark (bench/api-overhead.ts forks one per variant): the prediction API as
 * production builds it, listening on a free loopback port, with the instrumentation the variant names. Logging
 * variants write what production writes: stdout (the parent points it at /dev/null), app.log and audit.log in a
 * temporary directory. The parent asks for this process's CPU time around each block of requests over IPC, so the
 * client's own CPU is never counted.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildApp } from '../../api/app.js';
import { DEFAULT_API_CONFIG } from '../../api/config.js';
import { staticModelSource } from '../../api/model-store.js';
import { handMadeModel } from '../../api/test-fixtures.js';
import { openDatabase } from '../../db/client.js';
import { closeLogging, componentLogger, configureLogging } from '../../logging/logger.js';
import {
  VARIANTS,
  type ParentMessage,
  type ServerMessage,
  type Variant,
  type VariantParts,
} from './overhead-protocol.js';

async function main(): Promise<void> {
  const variant = process.argv[2] as Variant;
  const parts: VariantParts | undefined = VARIANTS[variant];
  if (!parts) throw new Error(`unknown variant "${process.argv[2]}"; use one of ${Object.keys(VARIANTS).join(', ')}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `vcp-overhead-${variant}-`));
  // The bare variant writes no lines at all; the others log exactly as api/server.ts sets up logging.
  if (parts.logging) await configureLogging({ dir, stdout: true, level: 'info' });
  const database = await openDatabase({ dataDir: path.join(dir, 'data') });
  await database.migrate();
  const app = buildApp({
    db: database.db,
    config: {
      ...DEFAULT_API_CONFIG,
      predictionCacheSize: 10_000,
      ...(parts.requestLogSampleRate === undefined ? {} : { requestLogSampleRate: parts.requestLogSampleRate }),
    },
    models: staticModelSource(handMadeModel('bench-1.0.0')),
    log: componentLogger('api'),
    instrumentation: { metrics: parts.metrics, logging: parts.logging },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no TCP address');
  const send = (message: ServerMessage) => process.send?.(message);
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'cpu') {
      const usage = process.cpuUsage();
      send({ type: 'cpu', userMicros: usage.user, systemMicros: usage.system });
    } else {
      void app
        .close()
        .then(() => database.close())
        .then(() => closeLogging())
        .finally(() => {
          fs.rmSync(dir, { recursive: true, force: true });
          process.disconnect();
        });
    }
  });
  send({ type: 'listening', port: address.port });
}

main().catch((err: unknown) => {
  process.stderr.write(`overhead server failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
