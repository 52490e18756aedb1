/**
 * The daily monitoring pipeline: ground truth -> rolling performance -> drift -> reports ->
 * escalation. Orchestration only: every read and write happens in an activity, so a crashed
 * worker resumes from the last completed stage and each stage's upserts make a retry harmless.
 */
import { log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { DailyMonitoringInput, DailyRunSummary, DeliveryOutcome, MonitoringSettings } from './types.js';
import { DEFAULT_STAGE_TIMEOUTS } from './defaults.js';
import { rollbackApprovalInputFor, startRollbackApproval } from './rollback-approval.js';
// Delivery with fallbacks is shared with deliverAlertWorkflow (the Alertmanager intake).
import { deliverWithFallback, deliveryActivities } from './delivery.js';
import { summariseDailyRun, summariseNonTradingDay } from './summary.js';

/** Errors that retrying cannot fix: bad files, bad settings, a missing baseline. */
const PERMANENT_FAULTS = [
  'BhavCopyFormatError',
  'DriftInputError',
  'BaselineMissingError',
  'InvalidInputError',
  'EscalationPolicyError',
  'ChannelConfigError',
];

const retry = (initialInterval: string, maximumInterval: string) => ({
  initialInterval,
  backoffCoefficient: 2,
  maximumInterval,
  maximumAttempts: 10,
  nonRetryableErrorTypes: PERMANENT_FAULTS,
});

/**
 * One proxy per timeout profile. The start-to-close timeouts are settings because they are also how fast a
 * stage held by a dead worker is retried elsewhere: the fault-injection suite shortens them to seconds.
 */
function stageActivities(settings: MonitoringSettings): Record<'ingest' | 'compute' | 'record', Activities> {
  const t = { ...DEFAULT_STAGE_TIMEOUTS, ...settings.timeouts };
  return {
    // Reading files and upserting a day of prices and labels.
    ingest: proxyActivities<Activities>({ startToCloseTimeout: t.ingest, retry: retry('2 seconds', '1 minute') }),
    // Statistics over a window of stored rows.
    compute: proxyActivities<Activities>({ startToCloseTimeout: t.compute, retry: retry('2 seconds', '1 minute') }),
    // Small writes: reports, alert rows, the run record.
    record: proxyActivities<Activities>({ startToCloseTimeout: t.record, retry: retry('1 second', '30 seconds') }),
  };
}

export async function dailyMonitoringWorkflow(input: DailyMonitoringInput): Promise<DailyRunSummary> {
  const { date, settings } = input;
  const { ingest, compute, record } = stageActivities(settings);
  log.info('daily monitoring started', { date });

  // 1. Real outcomes: ingest the BhavCopy files up to today and label what they settle.
  const groundTruth = await ingest.collectGroundTruth({
    date,
    reactionWindowDays: settings.groundTruth.reactionWindowDays,
  });
  if (!groundTruth.bhavcopyForDate && groundTruth.predictionsForDate === 0) {
    log.info('not a trading day: nothing to monitor', { date });
    return summariseNonTradingDay(date, groundTruth);
  }

  // 2. Rolling F1 and friends per window, against the registry's test-set baseline.
  const performance = await compute.evaluatePerformance({
    date,
    windows: settings.performance.windows,
    bootstrapResamples: settings.performance.bootstrapResamples,
    confidence: settings.performance.confidence,
    degradation: settings.degradation,
  });

  // 3. Today's and this week's features against the training baselines.
  const drift = await compute.detectDrift({ date, settings: settings.drift });

  // 4. The two text reports, on disk and in the database.
  const reports = await record.writeReports({ date, performance, drift, groundTruth, escalation: settings.escalation });

  // 5. Alerts: one row per finding (dedup key), then each planned channel once.
  const planned = await record.recordAlerts({ date, performance, drift, reports, escalation: settings.escalation });
  const deliver = deliveryActivities(settings);
  const deliveries: DeliveryOutcome[] = [];
  for (const alert of planned) {
    for (const channel of alert.channels) {
      deliveries.push(...(await deliverWithFallback(deliver, alert, channel, settings)));
    }
  }

  // 6. A SEVERE drop with a better stable version asks an engineer; one open request per version at a time.
  let rollbackApprovalWorkflowId: string | null = null;
  const rollbackInput = rollbackApprovalInputFor(date, performance, settings);
  if (rollbackInput) {
    rollbackApprovalWorkflowId =
      (await record.findOpenRollbackApproval({ modelVersion: performance.modelVersion })) ??
      (await startRollbackApproval(rollbackInput));
  }

  const { workflowId, runId } = workflowInfo();
  const summary = summariseDailyRun({
    date,
    groundTruth,
    performance,
    drift,
    reports,
    planned,
    deliveries,
    rollbackApprovalWorkflowId,
  });
  await record.recordRun({ date, workflowId, runId, summary });
  log.info('daily monitoring finished', { date, drift: summary.drift, degradation: summary.degradation });
  return summary;
}
