/**
 * What the daily workflow passes between its stages. Everything here is plain JSON: it is
 * recorded in the workflow history and must replay unchanged.
 */
import type { EscalationPolicy } from '../alerts/policy.js';
import type { ChannelName } from '../alerts/types.js';
import type { DriftEvaluation, DriftSettings } from '../domain/drift/policy.js';
import type { TestMetrics } from '../domain/model/types.js';
import type { DegradationResult, DegradationSettings } from '../domain/performance/degradation.js';
import type { RollbackCandidate } from '../domain/performance/rollback-candidate.js';

export type DriftSeverity = 'NONE' | 'MODERATE' | 'HIGH' | 'CRITICAL';
export type DegradationSeverity = 'NONE' | 'MINOR' | 'MODERATE' | 'SEVERE' | 'INSUFFICIENT_DATA';

/** Temporal duration strings ('30 seconds', '4 hours') so tests can shrink every timer. */
export type DurationText = string;

export interface MonitoringSettings {
  readonly groundTruth: { readonly reactionWindowDays: number };
  readonly performance: {
    readonly windows: readonly number[];
    readonly bootstrapResamples: number;
    readonly confidence: number;
  };
  readonly degradation: DegradationSettings;
  readonly drift: DriftSettings;
  readonly escalation: EscalationPolicy;
  readonly delivery: {
    readonly maximumAttempts: number;
    readonly initialInterval: DurationText;
    /** How long one send may take before the attempt is retried; 45 seconds when absent. */
    readonly attemptTimeout?: DurationText;
  };
  /**
   * Start-to-close timeout per stage profile: a stage held by a dead worker is retried after this long.
   * Optional because inputs recorded before it existed must still run (workflows/defaults.ts).
   */
  readonly timeouts?: { readonly ingest: DurationText; readonly compute: DurationText; readonly record: DurationText };
  readonly rollback: {
    readonly enabled: boolean;
    readonly reminderAfter: DurationText;
    readonly expireAfter: DurationText;
    readonly approvers: readonly string[];
  };
}

export interface DailyMonitoringInput {
  /** The trading day monitored, YYYY-MM-DD (Asia/Kolkata). */
  readonly date: string;
  readonly settings: MonitoringSettings;
}

export interface GroundTruthResult {
  readonly date: string;
  readonly filesIngested: readonly { tradeDate: string; fileName: string; layout: string; rows: number }[];
  readonly bhavcopyForDate: boolean;
  /** Served predictions scored on the date: with no BhavCopy either, the date was not a trading day. */
  readonly predictionsForDate: number;
  /** Labels whose outcome became final on the date: the same after a retried attempt or a re-run of the day. */
  readonly labelsWritten: number;
  readonly labelsPending: number;
  readonly exceptions: readonly { bseCode: number; predictionDate: string; reason: string; detail: string }[];
}

export interface WindowPerformance {
  readonly windowDays: number;
  readonly predictions: number;
  readonly tp: number;
  readonly fp: number;
  readonly fn: number;
  readonly tn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  readonly rocAuc: number | null;
  readonly f1Ci: { readonly low: number; readonly high: number } | null;
  readonly relativeDrop: number;
  readonly severity: DegradationSeverity;
}

export interface PerformanceResult {
  readonly date: string;
  readonly modelVersion: string;
  readonly baseline: TestMetrics;
  readonly windows: readonly WindowPerformance[];
  /** The grade of the evaluated window (30 days by default), which drives alerts. */
  readonly degradation: DegradationResult;
  readonly candidate: RollbackCandidate | null;
}

export interface DriftResult {
  readonly date: string;
  readonly modelVersion: string;
  readonly baselineWindow: { readonly start: string; readonly end: string; readonly days: number };
  readonly dailyRows: number;
  readonly weeklyRows: number;
  readonly evaluation: DriftEvaluation;
}

export interface ReportsResult {
  readonly driftReportPath: string;
  readonly performanceReportPath: string;
}

export interface PlannedAlert {
  readonly alertId: number;
  readonly dedupKey: string;
  readonly source: string;
  readonly level: string;
  readonly channels: readonly ChannelName[];
}

export interface DeliveryOutcome {
  readonly alertId: number;
  readonly channel: ChannelName;
  /** `unconfirmed`: an earlier attempt stopped mid-send on a channel that cannot dedup, so it was not resent. */
  readonly status: 'sent' | 'already_sent' | 'not_configured' | 'failed' | 'unconfirmed';
  readonly fallbackFor?: ChannelName;
  readonly error?: string;
}

export interface DailyRunSummary {
  readonly date: string;
  /** False for a date with neither a BhavCopy nor predictions (an exchange holiday): nothing was monitored. */
  readonly tradingDay: boolean;
  readonly modelVersion: string;
  readonly labelsWritten: number;
  readonly f1_30d: number | null;
  readonly degradation: DegradationSeverity;
  readonly drift: DriftSeverity;
  readonly driftingFeatures: readonly string[];
  readonly reports: ReportsResult | null;
  readonly alerts: readonly PlannedAlert[];
  readonly deliveries: readonly DeliveryOutcome[];
  readonly rollbackApprovalWorkflowId: string | null;
  readonly text: string;
}
