/** GET /healthz (database reachable) and GET /metrics (Prometheus text format). */
import { sql } from 'drizzle-orm';
import type { ApiPlugin } from '../context.js';
import { ApiError } from '../errors.js';

const HEALTH_TIMEOUT_MS = 2_000;

export const healthRoutes: ApiPlugin = (app, ctx) => {
  app.get('/healthz', async () => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer in ${HEALTH_TIMEOUT_MS} ms`)), HEALTH_TIMEOUT_MS);
    });
    try {
      await Promise.race([ctx.db.execute(sql`select 1`), timeout]);
    } catch (err) {
      ctx.log.error({ err }, 'health check: database unreachable');
      throw new ApiError('DATABASE_UNAVAILABLE', `database unreachable: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    return { status: 'ok', database: 'reachable' };
  });
  return Promise.resolve();
};

export const metricsRoutes: ApiPlugin = (app, ctx) => {
  app.get('/metrics', async (_request, reply) => {
    const registry = ctx.metrics?.registry;
    if (!registry) throw new ApiError('NOT_FOUND', 'metrics are disabled in this app (built without instrumentation)');
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
  return Promise.resolve();
};
