/**
 * The rollback approval's I/O: its audit trail in `model_rollback_history`, the on-call alerts, and the switch of
 * the active model in the registry. The switch is a plain function of the database so the approval workflow's
 * activity and the API's direct rollback run the same idempotent code and can never disagree about what happened.
 */
import { log } from '@temporalio/activity';
import { and, eq, sql } from 'drizzle-orm';
import { buildAlert, channelsFor, DEFAULT_ESCALATION_POLICY, type AlertFinding } from '../alerts/policy.js';
import type { ChannelName } from '../alerts/types.js';
import type { AppConfig } from '../config/index.js';
import type { Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { modelRollbackHistory, modelVersions } from '../db/schema/index.js';
import type { RollbackApprovalInput } from '../workflows/rollback-messages.js';
import type { PlannedAlert } from '../workflows/types.js';
import type { ActivityDeps } from './context.js';
import { upsertAlert } from './alerts.js';
import { InvalidInputError } from './errors.js';

export type RollbackEvent = 'requested' | 'reminded' | 'approved' | 'rejected' | 'expired' | 'executed' | 'failed';

export interface RollbackEventInput {
  readonly workflowId: string;
  readonly runId: string;
  readonly event: RollbackEvent;
  /** 0 for one-off events; the reminder number for `reminded`. */
  readonly sequence?: number;
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly actor?: string | null;
  readonly reason?: string | null;
  readonly details?: Record<string, unknown>;
  /** Workflow time of the step, so a retried write records when it happened, not when it was retried. */
  readonly occurredAt?: string;
}

/** One step of the audit trail; a retry or a replayed run finds its row and writes nothing. */
export async function insertRollbackEvent(db: Database, input: RollbackEventInput): Promise<boolean> {
  const rows = await db
    .insert(modelRollbackHistory)
    .values({
      workflowId: input.workflowId,
      runId: input.runId,
      event: input.event,
      sequence: input.sequence ?? 0,
      fromVersion: input.fromVersion,
      toVersion: input.toVersion,
      actor: input.actor ?? null,
      reason: input.reason ?? null,
      details: input.details ?? {},
      ...(input.occurredAt ? { occurredAt: new Date(input.occurredAt) } : {}),
    })
    .onConflictDoNothing()
    .returning({ id: modelRollbackHistory.id });
  return rows.length > 0;
}

export async function recordRollbackEvent(
  deps: ActivityDeps,
  input: RollbackEventInput,
): Promise<{ inserted: boolean }> {
  const inserted = await insertRollbackEvent(deps.db, input);
  log.info('rollback step recorded', {
    workflowId: input.workflowId,
    event: input.event,
    sequence: input.sequence ?? 0,
    inserted,
  });
  return { inserted };
}

// --- the on-call alert ---------------------------------------------------------------------------------------------

/** Every way to decide, spelled out with this request's id, so whoever is paged can act from the message alone. */
export function approvalInstructions(workflowId: string, candidateVersion: string): string {
  const input = `'{"approver":"<you>","reason":"<why>","version":"${candidateVersion}"}'`;
  return [
    `How to decide (workflow id ${workflowId}):`,
    `- Temporal CLI: temporal workflow signal --workflow-id ${workflowId} --name approveRollback --input ${input}`,
    `  (or --name rejectRollback with the same input)`,
    `- Temporal Web UI: open workflow ${workflowId} -> Send a Signal -> approveRollback or rejectRollback, with that JSON`,
    `- API: POST /api/v1/models/rollback?version=${candidateVersion} with "Authorization: Bearer $ROLLBACK_API_TOKEN" and "X-Actor: <you>"`,
    `- Script: npx tsx scripts/approvals.ts approve ${workflowId} --approver <you> --reason "<why>"`,
    `  (reject with: npx tsx scripts/approvals.ts reject ${workflowId} --approver <you> --reason "<why>")`,
  ].join('\n');
}

export interface RaiseRollbackAlertInput {
  readonly workflowId: string;
  readonly level: 'REQUESTED' | 'REMINDER';
  /** The reminder number; part of the dedup key so every reminder is its own alert. */
  readonly sequence: number;
  readonly request: RollbackApprovalInput;
  /** When the request expires, for the message. */
  readonly expiresAt: string | null;
}

function rollbackFinding(input: RaiseRollbackAlertInput): AlertFinding {
  const { request: r, workflowId } = input;
  const source = r.f1Source === 'production' ? 'shadow-scored production F1' : 'test-set F1 (never shadow-scored)';
  const facts = [
    `Current model ${r.currentVersion}: production F1 ${r.currentF1.toFixed(3)}.`,
    `Proposed rollback to ${r.candidateVersion}: F1 ${r.candidateF1.toFixed(3)} (${source}).`,
    `Why: ${r.reason}`,
    input.expiresAt ? `The request expires at ${input.expiresAt} if nobody decides.` : '',
  ].filter((line) => line !== '');
  const reminder = input.level === 'REMINDER' ? `Reminder ${input.sequence}: ` : '';
  return {
    source: 'rollback',
    level: input.level,
    date: r.date,
    modelVersion: r.currentVersion,
    subject: input.level === 'REMINDER' ? `${workflowId}/${input.sequence}` : workflowId,
    title: `${reminder}Approve rollback of model ${r.currentVersion} to ${r.candidateVersion}?`,
    summary: `F1 ${r.currentF1.toFixed(3)} now vs ${r.candidateF1.toFixed(3)} for ${r.candidateVersion}; waiting for an approver.`,
    body: `${facts.join('\n')}\n\n${approvalInstructions(workflowId, r.candidateVersion)}`,
    links: r.reportUrl ? [{ label: 'Performance report', url: r.reportUrl }] : [],
  };
}

/**
 * Writes the alert row and its pending deliveries; the workflow then sends each through `deliverAlert`, the same
 * path as every other alert.
 */
export async function raiseRollbackAlert(deps: ActivityDeps, input: RaiseRollbackAlertInput): Promise<PlannedAlert> {
  const alert = buildAlert(rollbackFinding(input), deps.now().toISOString());
  if (!alert) throw new InvalidInputError(`rollback alert level ${input.level} produced no alert`);
  const channels: ChannelName[] = channelsFor(alert, input.request.escalation ?? DEFAULT_ESCALATION_POLICY);
  const alertId = await upsertAlert(deps.db, alert, channels);
  log.info('rollback alert recorded', { dedupKey: alert.dedupKey, channels });
  return { alertId, dedupKey: alert.dedupKey, source: alert.source, level: alert.level, channels };
}

// --- the switch ----------------------------------------------------------------------------------------------------

export interface SwitchActiveModelInput {
  readonly fromVersion: string;
  readonly toVersion: string;
  /** The approval (or API call) this switch belongs to: its `executed` row is what makes the switch once-only. */
  readonly workflowId: string;
  readonly runId: string;
  readonly actor?: string | null;
  readonly reason?: string | null;
}

export interface SwitchResult {
  /**
   * `switched`: this call changed the registry. `already_executed`: this workflow's switch had already committed
   * (a retry after a crash). `already_active`: the candidate was active already, switched by someone else; the
   * `executed` row is written so the request still closes with its record.
   */
  readonly status: 'switched' | 'already_executed' | 'already_active';
  readonly fromVersion: string;
  readonly toVersion: string;
  readonly activatedAt: string | null;
}

/** Serialises every switch on one server, so the API and a worker switching at once cannot interleave. */
const SWITCH_LOCK_ID = 4_205_302;

/**
 * One transaction: the current version inactive, the candidate active with its activation time, and the
 * `executed` row. Because the row commits with the switch, a worker killed after the commit finds both on retry
 * and does nothing. Refuses (permanently) when the registry no longer has `fromVersion` active: someone else
 * changed the model since the request was made, and switching now would undo their change.
 */
export async function switchActiveModelInRegistry(
  db: Database,
  input: SwitchActiveModelInput,
  now: Date,
): Promise<SwitchResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SWITCH_LOCK_ID})`);
    const [target] = await tx.select().from(modelVersions).where(eq(modelVersions.version, input.toVersion));
    if (!target) {
      throw new InvalidInputError(
        `rollback target version ${input.toVersion} is not in the model registry (model_versions)`,
      );
    }
    const executed = await tx
      .select({ id: modelRollbackHistory.id })
      .from(modelRollbackHistory)
      .where(and(eq(modelRollbackHistory.workflowId, input.workflowId), eq(modelRollbackHistory.event, 'executed')));
    const base = { fromVersion: input.fromVersion, toVersion: input.toVersion };
    if (target.isActive && executed.length > 0) {
      return { ...base, status: 'already_executed' as const, activatedAt: target.activatedAt?.toISOString() ?? null };
    }
    const [active] = await tx
      .select({ version: modelVersions.version })
      .from(modelVersions)
      .where(eq(modelVersions.isActive, true));
    let status: SwitchResult['status'] = 'already_active';
    let activatedAt = target.activatedAt;
    if (!target.isActive) {
      if (active && active.version !== input.fromVersion) {
        throw new InvalidInputError(
          `the active model is ${active.version}, not ${input.fromVersion} as when rollback ${input.workflowId} was ` +
            `requested; the registry was changed since, so this rollback to ${input.toVersion} was not applied`,
        );
      }
      await tx.update(modelVersions).set({ isActive: false }).where(eq(modelVersions.isActive, true));
      await tx.update(modelVersions).set({ isActive: true, activatedAt: now }).where(eq(modelVersions.id, target.id));
      status = 'switched';
      activatedAt = now;
    }
    await tx
      .insert(modelRollbackHistory)
      .values({
        workflowId: input.workflowId,
        runId: input.runId,
        event: 'executed',
        fromVersion: input.fromVersion,
        toVersion: input.toVersion,
        actor: input.actor ?? null,
        reason: input.reason ?? null,
        details: { status, previousActive: active?.version ?? null },
        occurredAt: now,
      })
      .onConflictDoNothing();
    return { ...base, status, activatedAt: activatedAt?.toISOString() ?? null };
  });
}

/**
 * The prediction API's reload endpoint. Config does not carry it yet (AppConfig has no `apiReloadUrl`), so until
 * the lead adds it to config/index.ts this falls back to reading API_RELOAD_URL here, which means a second place
 * that reads the environment; without either the API still picks the new model up on its next registry check.
 */
export function apiReloadUrlOf(config: AppConfig & { readonly apiReloadUrl?: string }): string | undefined {
  const url = config.apiReloadUrl ?? process.env.API_RELOAD_URL?.trim();
  return url === '' ? undefined : url;
}

export interface ReloadOutcome {
  readonly status: 'posted' | 'failed' | 'not_configured';
  readonly error?: string;
}

/**
 * Best effort: the API also re-reads the registry on its own interval, so a failed POST only delays the switch.
 * It logs nothing itself because it also runs outside an activity (the API's direct rollback); callers log.
 */
export async function requestApiReload(url: string | undefined): Promise<ReloadOutcome> {
  if (!url) return { status: 'not_configured' };
  try {
    const res = await fetch(url, { method: 'POST', signal: AbortSignal.timeout(3_000) });
    return res.ok ? { status: 'posted' } : { status: 'failed', error: `${url} answered HTTP ${res.status}` };
  } catch (err) {
    return { status: 'failed', error: `${url}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export async function switchActiveModel(
  deps: ActivityDeps,
  input: SwitchActiveModelInput,
): Promise<SwitchResult & { reload: ReloadOutcome['status'] }> {
  const result = await switchActiveModelInRegistry(deps.db, input, deps.now());
  log.info('active model switch', { workflowId: input.workflowId, ...result });
  const reload = await requestApiReload(apiReloadUrlOf(deps.config));
  if (reload.status === 'failed') {
    log.warn('api reload failed; it picks the model up on its next registry check', { error: reload.error });
  }
  return { ...result, reload: reload.status };
}

// --- one open request per model version ----------------------------------------------------------------------------

/**
 * The approval still open for a model version (requested, with no rejection, expiry, execution or failure yet), so
 * that a degradation lasting several days asks once rather than opening a request every day.
 */
export async function findOpenRollbackApproval(
  deps: ActivityDeps,
  input: { modelVersion: string },
): Promise<string | null> {
  const rows = await queryRows<{ workflow_id: string }>(
    deps.db,
    sql`select r.workflow_id from model_rollback_history r
        where r.event = 'requested' and r.from_version = ${input.modelVersion}
          and not exists (
            select 1 from model_rollback_history t
            where t.workflow_id = r.workflow_id and t.event in ('rejected', 'expired', 'executed', 'failed'))
        order by r.occurred_at desc limit 1`,
  );
  return rows[0]?.workflow_id ?? null;
}
