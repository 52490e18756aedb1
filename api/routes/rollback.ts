/**
 * The rollback endpoints. `POST /api/v1/models/rollback?version=X` is the engineer's direct path: with a pending
 * approval for the current model it decides that approval through the `decideRollback` update (so the workflow,
 * its validator and its audit trail stay the one authority), and with none it switches the registry itself using
 * the same idempotent transaction as the workflow's activity. `GET /api/v1/rollbacks` lists pending and recent
 * requests from `model_rollback_history`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { desc, eq } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { insertRollbackEvent, switchActiveModelInRegistry } from '../../activities/rollback.js';
import type { Database } from '../../db/client.js';
import { modelRollbackHistory, modelVersions } from '../../db/schema/index.js';
import {
  decideRollbackUpdate,
  rollbackStateQuery,
  ROLLBACK_WORKFLOW_TYPE,
  type RollbackState,
} from '../../workflows/rollback-messages.js';
import type { ApiPlugin } from '../context.js';
import { ApiError } from '../errors.js';

export interface RollbackRouteDeps {
  readonly db: Database;
  readonly temporalClient: Client;
  readonly taskQueue: string;
  /** ROLLBACK_API_TOKEN; when unset the POST refuses everyone rather than running open. */
  readonly token: string | undefined;
}

const TERMINAL_EVENTS = new Set(['approved', 'rejected', 'expired', 'executed', 'failed']);

/** Hashing first gives both sides one length, so the comparison time says nothing about the token. */
function sameToken(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function authorise(request: FastifyRequest, token: string | undefined): void {
  const header = request.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) throw new ApiError('UNAUTHORIZED', 'rollback needs "Authorization: Bearer <ROLLBACK_API_TOKEN>"');
  if (!token)
    throw new ApiError(
      'FORBIDDEN',
      'rollback through the API is disabled: ROLLBACK_API_TOKEN is not set on the server',
    );
  if (!sameToken(match[1], token)) throw new ApiError('FORBIDDEN', 'the bearer token is not the rollback token');
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined;
}

/**
 * Running approval requests with their state. Open workflows come from Temporal's visibility list, which can lag a
 * start by a moment, so requests recorded in the history table without a decision are asked as well. A request
 * whose worker is down cannot answer the query and is left out; the caller sees it in GET /api/v1/rollbacks.
 */
export async function findPendingApprovals(client: Client, db: Database, taskQueue?: string): Promise<RollbackState[]> {
  const ids = new Set<string>();
  const queue = taskQueue ? ` AND TaskQueue = '${taskQueue.replace(/'/g, '')}'` : '';
  const query = `WorkflowType = '${ROLLBACK_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'${queue}`;
  for await (const execution of client.workflow.list({ query })) ids.add(execution.workflowId);
  for (const summary of await rollbackSummaries(db)) if (summary.pending) ids.add(summary.workflowId);

  const states: RollbackState[] = [];
  for (const workflowId of ids) {
    try {
      const state = await client.workflow.getHandle(workflowId).query(rollbackStateQuery);
      if (state.state === 'pending') states.push(state);
    } catch {
      // Closed since it was listed, or no worker to answer: not a pending request this call can decide.
    }
  }
  return states;
}

export interface RollbackSummary {
  readonly workflowId: string;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly pending: boolean;
  readonly lastEvent: string;
  readonly requestedAt: string | null;
  readonly decidedBy: string | null;
  readonly events: readonly {
    event: string;
    sequence: number;
    actor: string | null;
    reason: string | null;
    at: string;
  }[];
}

/** Every request's steps, newest request first, from the audit table alone (no Temporal needed). */
export async function rollbackSummaries(db: Database, limit = 1_000): Promise<RollbackSummary[]> {
  const rows = await db.select().from(modelRollbackHistory).orderBy(desc(modelRollbackHistory.occurredAt)).limit(limit);
  const byWorkflow = new Map<string, (typeof rows)[number][]>();
  for (const row of rows) byWorkflow.set(row.workflowId, [...(byWorkflow.get(row.workflowId) ?? []), row]);
  return [...byWorkflow.entries()].map(([workflowId, steps]) => {
    const ordered = [...steps].reverse();
    const first = ordered[0];
    const last = ordered[ordered.length - 1];
    const decision = ordered.find((s) => s.event === 'approved' || s.event === 'rejected');
    const requested = ordered.find((s) => s.event === 'requested');
    return {
      workflowId,
      fromVersion: first?.fromVersion ?? '',
      toVersion: first?.toVersion ?? '',
      pending: requested !== undefined && !ordered.some((s) => TERMINAL_EVENTS.has(s.event)),
      lastEvent: last?.event ?? '',
      requestedAt: requested?.occurredAt.toISOString() ?? null,
      decidedBy: decision?.actor ?? null,
      events: ordered.map((s) => ({
        event: s.event,
        sequence: s.sequence,
        actor: s.actor,
        reason: s.reason,
        at: s.occurredAt.toISOString(),
      })),
    };
  });
}

export function rollbackRoutes(deps: RollbackRouteDeps): ApiPlugin {
  const { db, temporalClient } = deps;
  // Fastify wants a plugin that returns a promise; this one only declares routes.
  return (app, ctx) => {
    const log = ctx.log.child({ component: 'rollback' });

    app.post('/api/v1/models/rollback', async (request) => {
      authorise(request, deps.token);
      const version = text((request.query as Record<string, unknown>).version);
      if (!version)
        throw new ApiError(
          'VALIDATION_FAILED',
          'query.version is required: the model version to roll back to',
          'query.version',
        );
      const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
      const actor = text(request.headers['x-actor']) ?? text(body.actor);
      if (!actor)
        throw new ApiError('VALIDATION_FAILED', 'say who is rolling back: an X-Actor header or body.actor', 'actor');
      const reason = text(body.reason) ?? 'direct rollback through the API';

      const [target] = await db.select().from(modelVersions).where(eq(modelVersions.version, version));
      if (!target) throw new ApiError('NOT_FOUND', `model version ${version} is not in the registry`);
      if (target.isActive) return { status: 'already_active', active_version: version };
      const [active] = await db.select().from(modelVersions).where(eq(modelVersions.isActive, true));
      const fromVersion = active?.version ?? '(none)';

      // A pending approval for the current model is decided, not bypassed, so the two paths cannot disagree.
      const pending = (await findPendingApprovals(temporalClient, db, deps.taskQueue)).filter(
        (s) => s.currentVersion === fromVersion,
      );
      const other = pending.find((s) => s.candidateVersion !== version);
      if (other) {
        throw new ApiError(
          'CONFLICT',
          `approval ${other.workflowId} proposes ${other.candidateVersion}, not ${version}; approve or reject it first (scripts/approvals.ts)`,
        );
      }
      const approval = pending[0];
      if (approval) {
        let outcome: RollbackState;
        try {
          outcome = await temporalClient.workflow
            .getHandle(approval.workflowId)
            .executeUpdate(decideRollbackUpdate, { args: [{ decision: 'approve', approver: actor, reason, version }] });
        } catch (err) {
          if (err instanceof WorkflowUpdateFailedError) {
            throw new ApiError(
              'FORBIDDEN',
              `approval ${approval.workflowId} refused the decision: ${err.cause?.message ?? err.message}`,
            );
          }
          throw err;
        }
        if (outcome.state !== 'executed') {
          throw new ApiError(
            'CONFLICT',
            `approval ${approval.workflowId} ended ${outcome.state}: ${outcome.error ?? 'no error given'}`,
          );
        }
        // The workflow switched already; running the shared switch again proves it and changes nothing.
        const check = await switchActiveModelInRegistry(
          db,
          { fromVersion, toVersion: version, workflowId: approval.workflowId, runId: 'api' },
          new Date(),
        );
        await ctx.reloadActiveModel();
        log.info(
          { workflow_id: approval.workflowId, actor, to_version: version, status: check.status },
          'rollback approved through the API',
        );
        return {
          status: 'approved',
          workflow_id: approval.workflowId,
          from_version: fromVersion,
          to_version: version,
          state: outcome,
        };
      }

      const workflowId = `api-rollback-${fromVersion}-${version}-${new Date().toISOString()}`;
      const runId = request.traceId || 'api';
      await insertRollbackEvent(db, {
        workflowId,
        runId,
        event: 'approved',
        fromVersion,
        toVersion: version,
        actor,
        reason,
        details: { via: 'api' },
      });
      try {
        const result = await switchActiveModelInRegistry(
          db,
          { fromVersion, toVersion: version, workflowId, runId, actor, reason },
          new Date(),
        );
        await ctx.reloadActiveModel();
        log.info(
          { workflow_id: workflowId, actor, from_version: fromVersion, to_version: version },
          'rollback switched directly',
        );
        return {
          status: result.status,
          workflow_id: workflowId,
          from_version: fromVersion,
          to_version: version,
          activated_at: result.activatedAt,
        };
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        await insertRollbackEvent(db, {
          workflowId,
          runId,
          event: 'failed',
          fromVersion,
          toVersion: version,
          actor,
          details: { error },
        });
        if (err instanceof Error && err.name === 'InvalidInputError') throw new ApiError('CONFLICT', error);
        throw err;
      }
    });

    // The history names approvers and their reasons: read with the same token as deciding.
    app.get('/api/v1/rollbacks', async (request) => {
      authorise(request, deps.token);
      const summaries = await rollbackSummaries(db);
      return { pending: summaries.filter((s) => s.pending), recent: summaries.filter((s) => !s.pending).slice(0, 20) };
    });
    return Promise.resolve();
  };
}
