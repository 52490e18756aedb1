/**
 * A human-approved model rollback. The daily workflow starts one per current version and day when the model
 * degrades SEVERELY and an earlier version would do better; the request waits for an approver (signal from the
 * Web UI or CLI, or the `decideRollback` update from the API and the approvals script), reminds on-call while it
 * waits, expires if nobody decides, and on approval switches the active model exactly once.
 */
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  ParentClosePolicy,
  proxyActivities,
  setHandler,
  startChild,
  WorkflowIdReusePolicy,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { rollbackApprovalWorkflowId } from './ids.js';
import {
  approveRollbackSignal,
  decideRollbackUpdate,
  decisionProblem,
  durationMs,
  rejectRollbackSignal,
  rollbackStateQuery,
  type DecideRollbackInput,
  type IgnoredDecision,
  type RollbackApprovalInput,
  type RollbackDecisionKind,
  type RollbackSignalInput,
  type RollbackState,
} from './rollback-messages.js';
import type { MonitoringSettings, PerformanceResult } from './types.js';

/** Audit rows and alert rows: small idempotent writes. */
const record = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes: ['InvalidInputError'],
  },
});

/** Telling on-call must not hold the request up: a few tries, then the failure is recorded and the wait goes on. */
const notify = proxyActivities<Activities>({
  startToCloseTimeout: '45 seconds',
  retry: {
    initialInterval: '2 seconds',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 3,
    nonRetryableErrorTypes: ['ChannelRejectedError', 'ChannelConfigError', 'InvalidInputError'],
  },
});

/**
 * The switch is one short transaction plus a best-effort reload POST (3 s cap), so a start-to-close of 10 s is
 * generous, and it is also how soon a worker killed mid-switch is noticed and the attempt retried elsewhere.
 */
const switcher = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 8,
    nonRetryableErrorTypes: ['InvalidInputError'],
  },
});

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure) return err.cause?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

/** A bad duration fails the workflow with its reason; a plain Error would only fail the task and retry forever. */
function settingMs(text: string, setting: string): number {
  try {
    return durationMs(text, setting);
  } catch (err) {
    throw ApplicationFailure.create({ type: 'InvalidInputError', message: (err as Error).message, nonRetryable: true });
  }
}

const NO_DECISION = { decision: null, approver: null, reason: null } as const;

const TERMINAL = new Set<RollbackState['state']>(['rejected', 'expired', 'executed', 'failed']);

export async function rollbackApprovalWorkflow(input: RollbackApprovalInput): Promise<RollbackState> {
  const { workflowId, runId } = workflowInfo();
  const requestedAtMs = Date.now();
  const expireMs = settingMs(input.expireAfter, 'expireAfter');
  const remindMs = settingMs(input.reminderAfter, 'reminderAfter');
  const state: Mutable<RollbackState> = {
    workflowId,
    state: 'pending',
    date: input.date,
    currentVersion: input.currentVersion,
    currentF1: input.currentF1,
    candidateVersion: input.candidateVersion,
    candidateF1: input.candidateF1,
    f1Source: input.f1Source,
    requestReason: input.reason,
    requestedAt: new Date(requestedAtMs).toISOString(),
    expiresAt: new Date(requestedAtMs + expireMs).toISOString(),
    decision: null,
    decidedBy: null,
    reason: null,
    decidedAt: null,
    decidedVia: null,
    remindersSent: 0,
    executedAt: null,
    error: null,
    ignored: [],
  };
  const ignored: IgnoredDecision[] = [];
  // Set once every step of the outcome is recorded; the update answers only then, with the final state.
  let closed = false;
  const snapshot = (): RollbackState => ({ ...state, ignored: [...ignored] });
  const steps = { workflowId, runId, fromVersion: input.currentVersion, toVersion: input.candidateVersion };

  const accept = (decision: RollbackDecisionKind, approver: string, reason: string, via: 'signal' | 'update'): void => {
    state.state = decision === 'approve' ? 'approved' : 'rejected';
    state.decision = decision;
    state.decidedBy = approver.trim();
    state.reason = reason.trim();
    state.decidedAt = new Date().toISOString();
    state.decidedVia = via;
    log.info('rollback decided', { workflowId, decision, approver: state.decidedBy, via });
  };

  // Handlers first: a signal sent with the start (or during the first activity) must find them.
  setHandler(rollbackStateQuery, snapshot);
  const onSignal = (decision: RollbackDecisionKind) => (raw: RollbackSignalInput | null | undefined) => {
    // Typed by hand in the Web UI, so anything may arrive; a signal cannot be refused, only ignored with a reason.
    const signal: Partial<RollbackSignalInput> = raw && typeof raw === 'object' ? raw : {};
    const problem = decisionProblem(
      snapshot(),
      input.approvers,
      { ...signal, decision, approver: signal.approver, reason: signal.reason },
      false,
    );
    if (problem !== null) {
      const approver = typeof signal.approver === 'string' ? signal.approver : '';
      ignored.push({ at: new Date().toISOString(), decision, approver, why: problem });
      log.warn('rollback signal ignored', { workflowId, decision, approver, why: problem });
      return;
    }
    accept(decision, signal.approver ?? '', signal.reason ?? '', 'signal');
  };
  setHandler(approveRollbackSignal, onSignal('approve'));
  setHandler(rejectRollbackSignal, onSignal('reject'));
  setHandler(
    decideRollbackUpdate,
    async (decision) => {
      accept(decision.decision, decision.approver, decision.reason, 'update');
      await condition(() => closed);
      return snapshot();
    },
    {
      validator: (decision: DecideRollbackInput | null) => {
        const problem = decisionProblem(snapshot(), input.approvers, decision ?? NO_DECISION, true);
        if (problem !== null)
          throw ApplicationFailure.create({ type: 'InvalidRollbackDecision', message: problem, nonRetryable: true });
      },
    },
  );

  const alertOnCall = async (level: 'REQUESTED' | 'REMINDER', sequence: number): Promise<void> => {
    const planned = await record.raiseRollbackAlert({
      workflowId,
      level,
      sequence,
      request: input,
      expiresAt: state.expiresAt,
    });
    // Known gap: unlike the daily workflow this tries no fallback channel when one fails; the failure is recorded
    // on the delivery row and the request keeps waiting, so a dead channel can leave on-call unaware until the
    // next reminder (or the expiry) reaches a working one.
    for (const channel of planned.channels) {
      try {
        await notify.deliverAlert({ alertId: planned.alertId, channel });
      } catch (err) {
        const error = failureMessage(err);
        log.warn('rollback alert delivery failed', { workflowId, level, channel, error });
        await record.markDeliveryFailed({ alertId: planned.alertId, channel, error });
      }
    }
  };

  // 1. The request, in the audit trail and in front of on-call.
  await record.recordRollbackEvent({
    ...steps,
    event: 'requested',
    reason: input.reason,
    occurredAt: state.requestedAt,
    details: {
      currentF1: input.currentF1,
      candidateF1: input.candidateF1,
      f1Source: input.f1Source,
      expiresAt: state.expiresAt,
      approvers: input.approvers,
    },
  });
  await alertOnCall('REQUESTED', 0);

  // 2. Wait for a decision; remind at every multiple of reminderAfter, expire at expireAfter.
  const deadline = requestedAtMs + expireMs;
  while (state.decision === null && Date.now() < deadline) {
    const nextReminder = requestedAtMs + remindMs * (state.remindersSent + 1);
    const wait = Math.max(1, Math.min(deadline, nextReminder) - Date.now());
    if (await condition(() => state.decision !== null, wait)) break;
    if (Date.now() >= deadline) break;
    if (Date.now() >= nextReminder) {
      state.remindersSent += 1;
      const sequence = state.remindersSent;
      await record.recordRollbackEvent({ ...steps, event: 'reminded', sequence, occurredAt: new Date().toISOString() });
      await alertOnCall('REMINDER', sequence);
    }
  }

  if (state.decision === null) {
    // 3a. Nobody decided: the request closes and the current model stays.
    state.state = 'expired';
    await record.recordRollbackEvent({
      ...steps,
      event: 'expired',
      occurredAt: new Date().toISOString(),
      details: { remindersSent: state.remindersSent },
    });
    log.warn('rollback request expired without a decision', { workflowId, remindersSent: state.remindersSent });
  } else {
    // 3b. The decision, by whom and why, then on approval the switch.
    await record.recordRollbackEvent({
      ...steps,
      event: state.decision === 'approve' ? 'approved' : 'rejected',
      actor: state.decidedBy,
      reason: state.reason,
      occurredAt: state.decidedAt ?? new Date().toISOString(),
      details: { via: state.decidedVia },
    });
    if (state.decision === 'approve') {
      try {
        // The switch writes its own `executed` row in the same transaction, which is what makes it once-only.
        const result = await switcher.switchActiveModel({ ...steps, actor: state.decidedBy, reason: state.reason });
        state.state = 'executed';
        state.executedAt = result.activatedAt ?? new Date().toISOString();
        log.info('rollback executed', { workflowId, status: result.status, reload: result.reload });
      } catch (err) {
        state.state = 'failed';
        state.error = failureMessage(err);
        await record.recordRollbackEvent({
          ...steps,
          event: 'failed',
          actor: state.decidedBy,
          occurredAt: new Date().toISOString(),
          details: { error: state.error },
        });
        log.error('rollback switch failed for good', { workflowId, error: state.error });
      }
    }
  }

  closed = true;
  await condition(allHandlersFinished);
  if (!TERMINAL.has(state.state))
    throw ApplicationFailure.nonRetryable(`rollback ended in non-final state ${state.state}`);
  return snapshot();
}

/**
 * The approval the daily workflow should open, or null when none is due: rollback enabled, a SEVERE degradation
 * and a candidate that beats the current model.
 */
export function rollbackApprovalInputFor(
  date: string,
  performance: PerformanceResult,
  settings: MonitoringSettings,
  reportUrl?: string,
): RollbackApprovalInput | null {
  const { candidate } = performance;
  if (!settings.rollback.enabled || performance.degradation.severity !== 'SEVERE' || !candidate) return null;
  return {
    date,
    currentVersion: performance.modelVersion,
    currentF1: candidate.currentF1,
    candidateVersion: candidate.version,
    candidateF1: candidate.f1,
    f1Source: candidate.f1Source,
    reason: performance.degradation.reason,
    ...(reportUrl ? { reportUrl } : {}),
    reminderAfter: settings.rollback.reminderAfter,
    expireAfter: settings.rollback.expireAfter,
    approvers: settings.rollback.approvers,
    escalation: settings.escalation,
  };
}

/**
 * Starts the approval as an abandoned child (it outlives the daily run) under its deterministic id. A second start
 * for the same version and day, running or closed, is refused by Temporal and counts as success: a re-run of the
 * day must not ask twice.
 */
export async function startRollbackApproval(input: RollbackApprovalInput): Promise<string> {
  const workflowId = rollbackApprovalWorkflowId(input.currentVersion, input.date);
  try {
    await startChild(rollbackApprovalWorkflow, {
      workflowId,
      args: [input],
      parentClosePolicy: ParentClosePolicy.ABANDON,
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
    });
  } catch (err) {
    // Matched by name: the class lives in @temporalio/common, which this file does not import.
    if (!(err instanceof Error) || err.name !== 'WorkflowExecutionAlreadyStartedError') throw err;
    log.info('rollback approval already started for this version and day', { workflowId });
  }
  return workflowId;
}
