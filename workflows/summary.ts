/** The run summary a person reads in the Temporal UI's result pane; pure, so the workflow may call it. */
import type {
  DailyRunSummary,
  DeliveryOutcome,
  DriftResult,
  GroundTruthResult,
  PerformanceResult,
  PlannedAlert,
  ReportsResult,
} from './types.js';

export interface SummaryInput {
  readonly date: string;
  readonly groundTruth: GroundTruthResult;
  readonly performance: PerformanceResult;
  readonly drift: DriftResult;
  readonly reports: ReportsResult;
  readonly planned: readonly PlannedAlert[];
  readonly deliveries: readonly DeliveryOutcome[];
  readonly rollbackApprovalWorkflowId: string | null;
}

export function summariseDailyRun(input: SummaryInput): DailyRunSummary {
  const { date, groundTruth, performance, drift, reports, planned, deliveries } = input;
  const window30 = performance.windows.find((w) => w.windowDays === 30) ?? null;
  const drifting = drift.evaluation.driftingFeatures;
  const sent = deliveries.filter((d) => d.status === 'sent').map((d) => `${d.channel}`);
  const lines = [
    `${date} model ${performance.modelVersion}: ${groundTruth.labelsWritten} new labels`,
    `F1 (30d) ${window30 ? window30.f1.toFixed(3) : 'n/a'}, degradation ${performance.degradation.severity}`,
    `drift ${drift.evaluation.severity}${drifting.length > 0 ? ` (${drifting.join(', ')})` : ''}`,
    `alerts ${planned.length}${sent.length > 0 ? `, sent on ${sent.join(', ')}` : ''}`,
    ...(input.rollbackApprovalWorkflowId ? [`rollback approval pending: ${input.rollbackApprovalWorkflowId}`] : []),
  ];
  return {
    date,
    tradingDay: true,
    modelVersion: performance.modelVersion,
    labelsWritten: groundTruth.labelsWritten,
    f1_30d: window30?.f1 ?? null,
    degradation: performance.degradation.severity,
    drift: drift.evaluation.severity,
    driftingFeatures: drifting,
    reports,
    alerts: planned,
    deliveries,
    rollbackApprovalWorkflowId: input.rollbackApprovalWorkflowId,
    text: lines.join('; '),
  };
}

/** A date with neither a BhavCopy nor predictions: an exchange holiday, reported rather than monitored. */
export function summariseNonTradingDay(date: string, groundTruth: GroundTruthResult): DailyRunSummary {
  return {
    date,
    tradingDay: false,
    modelVersion: '',
    labelsWritten: groundTruth.labelsWritten,
    f1_30d: null,
    degradation: 'NONE',
    drift: 'NONE',
    driftingFeatures: [],
    reports: null,
    alerts: [],
    deliveries: [],
    rollbackApprovalWorkflowId: null,
    text: `${date}: no BhavCopy and no predictions (exchange holiday?): nothing monitored; ${groundTruth.labelsWritten} new labels`,
  };
}
