/**
 * The alert routes: Alertmanager's webhook intake, the list of active alerts, the history with per-channel
 * outcomes, and acknowledgement. Register with `buildApp({ plugins: [alertRoutes({...})] })`.
 *
 * The intake stores each firing alert first (insert on conflict do nothing on the dedup key, with a pending
 * delivery row per planned channel) and only then starts its delivery workflow, whose id carries the dedup key:
 * Alertmanager repeating a webhook finds the row and the running or finished workflow, and nothing is sent twice.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { FastifyRequest } from 'fastify';
import { AlertmanagerPayloadError, intakeAlertmanager, parseAlertmanagerPayload } from '../../alerts/intake.js';
import { AlertFindingError, buildAlert, channelsFor, type EscalationPolicy } from '../../alerts/policy.js';
import {
  acknowledgeAlert,
  alertHistory,
  ALERT_STATUSES,
  listAlerts,
  resolveAlerts,
  storeAlert,
  type AlertStatus,
} from '../../alerts/store.js';
import type { AlertMessage, ChannelName } from '../../alerts/types.js';
import type { Database } from '../../db/client.js';
import type { DeliverySettings } from '../../workflows/delivery.js';
import {
  alertDeliveryWorkflowId,
  DELIVER_ALERT_WORKFLOW_TYPE,
  type DeliverAlertInput,
} from '../../workflows/deliver-alert.js';
import type { PlannedAlert } from '../../workflows/types.js';
import type { ApiPlugin } from '../context.js';
import { ApiError } from '../errors.js';

export interface AlertRouteDeps {
  readonly db: Database;
  /** Absent when Temporal is unreachable: alerts are still stored, and the intake answers 500 so Alertmanager retries. */
  readonly temporalClient: Client | undefined;
  readonly taskQueue: string;
  readonly policy: EscalationPolicy;
  readonly delivery: DeliverySettings['delivery'];
  /** ALERTMANAGER_WEBHOOK_TOKEN; unset refuses every webhook rather than running open. */
  readonly webhookToken: string | undefined;
  /** ALERTS_API_TOKEN for acknowledging; unset refuses every acknowledgement. */
  readonly apiToken: string | undefined;
  readonly now?: () => Date;
}

export type DeliveryStart = 'started' | 'already_started' | 'log_only';

export interface IntakeResult {
  readonly ids: number[];
  readonly alerts: readonly { id: number; dedupKey: string; inserted: boolean; delivery: DeliveryStart }[];
  readonly resolved: readonly { dedupKey: string; id: number | null }[];
}

const DEFAULT_LIST_LIMIT = 100;
const MAX_LIST_LIMIT = 1_000;
const DEFAULT_HISTORY_DAYS = 7;
const MAX_HISTORY_DAYS = 365;
const MAX_ACTOR_LENGTH = 200;

/** Hashing first gives both sides one length, so the comparison time says nothing about the token. */
function sameToken(given: string, expected: string): boolean {
  return timingSafeEqual(createHash('sha256').update(given).digest(), createHash('sha256').update(expected).digest());
}

function authorise(request: FastifyRequest, token: string | undefined, variable: string): void {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) throw new ApiError('UNAUTHORIZED', `this route needs "Authorization: Bearer <${variable}>"`);
  if (!token) throw new ApiError('FORBIDDEN', `this route is disabled: ${variable} is not set on the server`);
  if (!sameToken(match[1], token)) throw new ApiError('FORBIDDEN', `the bearer token is not ${variable}`);
}

function integerParam(raw: unknown, field: string, fallback: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || n < 1 || n > max) {
    throw new ApiError(
      'VALIDATION_FAILED',
      `${field} is ${JSON.stringify(raw)}, expected a whole number from 1 to ${max}`,
      field,
    );
  }
  return n;
}

/**
 * Starts the alert's delivery workflow. A failed earlier run may be replaced (it reached no channel, so a repeat of
 * the webhook is a second chance); a running or successful one may not, which is the once-per-dedup-key guarantee.
 */
export async function startAlertDelivery(
  client: Client,
  options: { readonly taskQueue: string; readonly alert: PlannedAlert; readonly settings: DeliverySettings },
): Promise<'started' | 'already_started'> {
  const input: DeliverAlertInput = { alert: options.alert, settings: options.settings };
  try {
    await client.workflow.start(DELIVER_ALERT_WORKFLOW_TYPE, {
      taskQueue: options.taskQueue,
      workflowId: alertDeliveryWorkflowId(options.alert.dedupKey),
      args: [input],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
    });
    return 'started';
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) return 'already_started';
    throw err;
  }
}

export function alertRoutes(deps: AlertRouteDeps): ApiPlugin {
  const { db } = deps;
  const now = deps.now ?? (() => new Date());
  const settings: DeliverySettings = { escalation: { fallbacks: deps.policy.fallbacks }, delivery: deps.delivery };

  return (app, ctx) => {
    const log = ctx.log.child({ component: 'alerts' });

    app.post('/api/v1/alerts/alertmanager', async (request, reply) => {
      authorise(request, deps.webhookToken, 'ALERTMANAGER_WEBHOOK_TOKEN');
      let intake;
      try {
        intake = intakeAlertmanager(parseAlertmanagerPayload(request.body));
      } catch (err) {
        if (err instanceof AlertmanagerPayloadError) throw new ApiError('VALIDATION_FAILED', err.message, err.field);
        throw err;
      }
      const createdAt = now().toISOString();

      // 1. Build every alert before writing any, so a bad one refuses the webhook without a half-stored batch.
      const built: { alert: AlertMessage; channels: ChannelName[] }[] = [];
      for (const finding of intake.firing) {
        let alert: AlertMessage | null;
        try {
          alert = buildAlert(finding, createdAt);
        } catch (err) {
          if (err instanceof AlertFindingError) throw new ApiError('VALIDATION_FAILED', err.message, 'body.alerts');
          throw err;
        }
        if (alert) built.push({ alert, channels: channelsFor(alert, deps.policy) });
      }

      // 2. Store: a repeated webhook finds its rows and writes nothing.
      const stored = [];
      for (const { alert, channels } of built)
        stored.push({ ...(await storeAlert(db, alert, channels)), alert, channels });
      const resolvedRows = await resolveAlerts(
        db,
        intake.resolved.map((r) => r.dedupKey),
        now(),
      );

      // 3. Deliver: one workflow per dedup key; Temporal refuses a second one.
      const client = deps.temporalClient;
      const results: IntakeResult['alerts'][number][] = [];
      for (const s of stored) {
        let delivery: DeliveryStart = 'log_only';
        if (s.channels.length > 0) {
          if (!client) {
            throw new ApiError(
              'INTERNAL',
              'alerts stored, but Temporal is unreachable so delivery could not start; retry',
            );
          }
          const planned: PlannedAlert = {
            alertId: s.id,
            dedupKey: s.dedupKey,
            source: s.alert.source,
            level: s.alert.level,
            channels: s.channels,
          };
          delivery = await startAlertDelivery(client, { taskQueue: deps.taskQueue, alert: planned, settings });
        }
        results.push({ id: s.id, dedupKey: s.dedupKey, inserted: s.inserted, delivery });
        log.info({ alert_id: s.id, dedup_key: s.dedupKey, inserted: s.inserted, delivery }, 'alertmanager alert taken');
      }
      // A resolved alert never stored here (it fired before the intake existed, or on another IST day) has no row.
      const resolvedIds = new Map(resolvedRows.map((r) => [r.dedupKey, r.id]));
      const resolved = intake.resolved.map((r) => ({ dedupKey: r.dedupKey, id: resolvedIds.get(r.dedupKey) ?? null }));
      if (resolvedRows.length > 0) log.info({ alert_ids: [...resolvedIds.values()] }, 'alertmanager alerts resolved');

      const body: IntakeResult = { ids: results.map((r) => r.id), alerts: results, resolved };
      return reply.status(202).send(body);
    });

    // Reads are behind the same token as acknowledging: the rows name who acknowledged what, and why.
    app.get('/api/v1/alerts', async (request) => {
      authorise(request, deps.apiToken, 'ALERTS_API_TOKEN');
      const query = request.query as Record<string, unknown>;
      const status = query.status;
      if (status !== undefined && !(ALERT_STATUSES as readonly unknown[]).includes(status)) {
        throw new ApiError(
          'VALIDATION_FAILED',
          `query.status is ${JSON.stringify(status)}, expected one of ${ALERT_STATUSES.join(', ')}`,
          'query.status',
        );
      }
      const limit = integerParam(query.limit, 'query.limit', DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT);
      const alerts = await listAlerts(db, { ...(status ? { status: status as AlertStatus } : {}), limit });
      return { alerts };
    });

    app.get('/api/v1/alerts/history', async (request) => {
      authorise(request, deps.apiToken, 'ALERTS_API_TOKEN');
      const query = request.query as Record<string, unknown>;
      const days = integerParam(query.days, 'query.days', DEFAULT_HISTORY_DAYS, MAX_HISTORY_DAYS);
      const since = new Date(now().getTime() - days * 86_400_000);
      return { days, since: since.toISOString(), alerts: await alertHistory(db, since, MAX_LIST_LIMIT) };
    });

    app.post('/api/v1/alerts/:id/acknowledge', async (request) => {
      authorise(request, deps.apiToken, 'ALERTS_API_TOKEN');
      const rawId = (request.params as Record<string, string | undefined>).id ?? '';
      if (!/^\d{1,15}$/.test(rawId)) {
        throw new ApiError(
          'VALIDATION_FAILED',
          `params.id is "${rawId}", expected an alert id (a whole number)`,
          'params.id',
        );
      }
      const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
      const by = typeof body.by === 'string' ? body.by.trim() : '';
      if (by === '' || by.length > MAX_ACTOR_LENGTH) {
        throw new ApiError(
          'VALIDATION_FAILED',
          `body.by must name who acknowledges (1 to ${MAX_ACTOR_LENGTH} characters)`,
          'body.by',
        );
      }
      const result = await acknowledgeAlert(db, Number(rawId), by, now());
      if (result.outcome === 'not_found') throw new ApiError('NOT_FOUND', `alert ${rawId} does not exist`);
      if (result.outcome === 'resolved') {
        throw new ApiError(
          'CONFLICT',
          `alert ${rawId} was resolved at ${result.alert.resolvedAt}; there is nothing to acknowledge`,
        );
      }
      if (result.outcome === 'acknowledged') log.info({ alert_id: result.alert.id, by }, 'alert acknowledged');
      return { outcome: result.outcome, alert: result.alert };
    });

    return Promise.resolve();
  };
}
