/**
 * The rollback approval's public surface: its input, the signals, the update and the query, and the pure check
 * that decides whether a decision may be applied. The workflow, the API, the approvals script and the tests all
 * import these constants, so a name typed into the Web UI or `temporal workflow signal` is defined in one place.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EscalationPolicy } from '../alerts/policy.js';
import type { CandidateF1Source } from '../domain/performance/rollback-candidate.js';
import type { DurationText } from './types.js';

export const ROLLBACK_WORKFLOW_TYPE = 'rollbackApprovalWorkflow';

export interface RollbackApprovalInput {
  /** The monitoring day that found the SEVERE degradation, YYYY-MM-DD. */
  readonly date: string;
  readonly currentVersion: string;
  /** The current model's production F1 over the evaluated window. */
  readonly currentF1: number;
  readonly candidateVersion: string;
  readonly candidateF1: number;
  readonly f1Source: CandidateF1Source;
  /** Why a rollback is proposed: the degradation policy's own sentence. */
  readonly reason: string;
  readonly reportUrl?: string;
  /** Temporal durations ('4 hours', '2 seconds' in tests): the first reminder, then one per interval. */
  readonly reminderAfter: DurationText;
  readonly expireAfter: DurationText;
  /** Who may approve or reject; a decision by anyone else is refused (update) or ignored (signal). */
  readonly approvers: readonly string[];
  /** Routes for the REQUESTED and REMINDER alerts; the default escalation policy when absent. */
  readonly escalation?: EscalationPolicy;
}

export type RollbackStateName = 'pending' | 'approved' | 'rejected' | 'expired' | 'executed' | 'failed';
export type RollbackDecisionKind = 'approve' | 'reject';

/** What `approveRollback` / `rejectRollback` carry; typed JSON in the Web UI or `--input` on the CLI. */
export interface RollbackSignalInput {
  readonly approver: string;
  readonly reason: string;
  /** When given it must be the proposed candidate, so a signal pasted into the wrong workflow does nothing. */
  readonly version?: string;
}

export interface DecideRollbackInput {
  readonly decision: RollbackDecisionKind;
  readonly approver: string;
  readonly reason: string;
  readonly version: string;
}

/** A signal that could not be applied. A signal cannot be refused, so it is kept here with the reason instead. */
export interface IgnoredDecision {
  readonly at: string;
  readonly decision: RollbackDecisionKind;
  readonly approver: string;
  readonly why: string;
}

export interface RollbackState {
  readonly workflowId: string;
  readonly state: RollbackStateName;
  readonly date: string;
  readonly currentVersion: string;
  readonly currentF1: number;
  readonly candidateVersion: string;
  readonly candidateF1: number;
  readonly f1Source: CandidateF1Source;
  readonly requestReason: string;
  readonly requestedAt: string;
  readonly expiresAt: string | null;
  readonly decision: RollbackDecisionKind | null;
  readonly decidedBy: string | null;
  /** The approver's reason for the decision. */
  readonly reason: string | null;
  readonly decidedAt: string | null;
  readonly decidedVia: 'signal' | 'update' | null;
  readonly remindersSent: number;
  readonly executedAt: string | null;
  readonly error: string | null;
  readonly ignored: readonly IgnoredDecision[];
}

export const approveRollbackSignal = defineSignal<[RollbackSignalInput]>('approveRollback');
export const rejectRollbackSignal = defineSignal<[RollbackSignalInput]>('rejectRollback');
/** Answers with the state once the decision has been carried out: executed, failed or rejected. */
export const decideRollbackUpdate = defineUpdate<RollbackState, [DecideRollbackInput]>('decideRollback');
export const rollbackStateQuery = defineQuery<RollbackState>('rollbackState');

function describeClosed(state: RollbackState): string {
  const by = state.decidedBy ? ` by ${state.decidedBy} at ${state.decidedAt ?? '?'}` : '';
  const what = state.decision === null ? state.state : `${state.decision === 'approve' ? 'approved' : 'rejected'}${by}`;
  return `rollback request ${state.workflowId} is already closed (${what}, state ${state.state}); a further decision changes nothing`;
}

/**
 * Why a decision cannot be applied, or null when it can. Pure, so the update validator, the signal handler and
 * unit-level callers agree on every rule. `requireVersion` is true for the update, whose caller always knows it.
 */
export function decisionProblem(
  state: RollbackState,
  approvers: readonly string[],
  input: {
    readonly decision: unknown;
    readonly approver: unknown;
    readonly reason: unknown;
    readonly version?: unknown;
  },
  requireVersion: boolean,
): string | null {
  if (input.decision !== 'approve' && input.decision !== 'reject') {
    return `decision must be "approve" or "reject", got ${JSON.stringify(input.decision)}`;
  }
  if (state.state !== 'pending' || state.decision !== null) return describeClosed(state);
  if (typeof input.approver !== 'string' || input.approver.trim() === '') {
    return 'approver is required: the name of the on-call engineer deciding';
  }
  if (!approvers.includes(input.approver.trim())) {
    return `approver "${input.approver}" may not decide ${state.workflowId}; allowed approvers: ${approvers.join(', ') || '(none configured)'}`;
  }
  if (typeof input.reason !== 'string' || input.reason.trim() === '') {
    return 'reason is required: it is kept in model_rollback_history as the record of why';
  }
  if (input.version === undefined || input.version === null || input.version === '') {
    if (requireVersion) return `version is required and must be the proposed candidate "${state.candidateVersion}"`;
  } else if (input.version !== state.candidateVersion) {
    return `version ${JSON.stringify(input.version)} is not the proposed candidate "${state.candidateVersion}" of ${state.workflowId}`;
  }
  return null;
}

const UNIT_MS: Readonly<Record<string, number>> = {
  ms: 1,
  millisecond: 1,
  milliseconds: 1,
  s: 1_000,
  sec: 1_000,
  secs: 1_000,
  second: 1_000,
  seconds: 1_000,
  m: 60_000,
  min: 60_000,
  mins: 60_000,
  minute: 60_000,
  minutes: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  hrs: 3_600_000,
  hour: 3_600_000,
  hours: 3_600_000,
  d: 86_400_000,
  day: 86_400_000,
  days: 86_400_000,
};

/**
 * A duration setting ('2 seconds', '4h', '1.5 days') in milliseconds. The workflow needs the number to place the
 * reminders and the expiry on one clock; bad text fails the request at once, with the setting named.
 */
export function durationMs(text: string, setting: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(String(text));
  const unit = UNIT_MS[(m?.[2] ?? '').toLowerCase() || 'ms'];
  if (!m || unit === undefined || Number(m[1]) <= 0) {
    throw new RangeError(`${setting} "${text}" is not a positive duration such as "30 seconds", "4 hours" or "2 days"`);
  }
  return Number(m[1]) * unit;
}
