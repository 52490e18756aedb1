/**
 * The daily monitoring pipeline: ground truth -> rolling performance -> drift -> reports ->
 * escalation. Orchestration only: every read and write happens in an activity, so a crashed
 * worker resumes from the last completed stage and each stage's upserts make a retry harmless.
 */
import { ActivityFailure, log, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ChannelName } from '../alerts/types.js';
import type { Activities } from '../activities/index.js';
import type {
  DailyMonitoringInput,
  DailyRunSummary,
  DeliveryOutcome,
  PlannedAlert,
  MonitoringSettings,
} from './types.js';
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

/** Reading files and upserting a day of prices and labels. */
const ingest = proxyActivities<Activities>({
  startToCloseTimeout: '10 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: PERMANENT_FAULTS },
});

/** Statistics over a window of stored rows. */
const compute = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '1 minute', maximumAttempts: 10, nonRetryableErrorTypes: PERMANENT_FAULTS },
});

/** Small writes: reports, alert rows, the run record. */
const record = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '30 seconds', maximumAttempts: 10, nonRetryableErrorTypes: PERMANENT_FAULTS },
});

function deliveryActivities(settings: MonitoringSettings): Activities {
  return proxyActivities<Activities>({
    startToCloseTimeout: '45 seconds',
    retry: {
      initialInterval: settings.delivery.initialInterval,
      backoffCoefficient: 2,
      maximumInterval: '2 minutes',
      maximumAttempts: settings.delivery.maximumAttempts,
      nonRetryableErrorTypes: [...PERMANENT_FAULTS, 'ChannelRejectedError'],
    },
  });
}

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure) return err.cause?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

/** Sends one alert on one channel; when the channel keeps failing, its fallbacks stand in. */
async function deliverWithFallback(
  deliver: Activities,
  alert: PlannedAlert,
  channel: ChannelName,
  settings: MonitoringSettings,
): Promise<DeliveryOutcome[]> {
  try {
    return [await deliver.deliverAlert({ alertId: alert.alertId, channel })];
  } catch (err) {
    const error = failureMessage(err);
    await record.markDeliveryFailed({ alertId: alert.alertId, channel, error });
    log.warn('alert channel failed, escalating to its fallbacks', { dedupKey: alert.dedupKey, channel, error });
    const outcomes: DeliveryOutcome[] = [{ alertId: alert.alertId, channel, status: 'failed', error }];
    for (const fallback of settings.escalation.fallbacks[channel] ?? []) {
      // A fallback that is already on the alert's own route is being sent anyway.
      if (alert.channels.includes(fallback)) continue;
      try {
        outcomes.push(await deliver.deliverAlert({ alertId: alert.alertId, channel: fallback, fallbackFor: channel }));
      } catch (fallbackErr) {
        const fallbackError = failureMessage(fallbackErr);
        await record.markDeliveryFailed({ alertId: alert.alertId, channel: fallback, error: fallbackError });
        outcomes.push({ alertId: alert.alertId, channel: fallback, status: 'failed', fallbackFor: channel, error: fallbackError });
      }
    }
    return outcomes;
  }
}

export async function dailyMonitoringWorkflow(input: DailyMonitoringInput): Promise<DailyRunSummary> {
  const { date, settings } = input;
  log.info('daily monitoring started', { date });

  // 1. Real outcomes: ingest the BhavCopy files up to today and label what they settle.
  const groundTruth = await ingest.collectGroundTruth({ date, reactionWindowDays: settings.groundTruth.reactionWindowDays });
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

  const { workflowId, runId } = workflowInfo();
  const summary = summariseDailyRun({ date, groundTruth, performance, drift, reports, planned, deliveries, rollbackApprovalWorkflowId: null });
  await record.recordRun({ date, workflowId, runId, summary });
  log.info('daily monitoring finished', { date, drift: summary.drift, degradation: summary.degradation });
  return summary;
}
