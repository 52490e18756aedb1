/**
 * Delivering one stored alert to its planned channels, with the policy's fallbacks, shared by the daily workflow
 * and deliverAlertWorkflow. Workflow code: only @temporalio/workflow and types. Each send is the deliverAlert
 * activity, which skips a delivery already recorded as sent, so a retried or repeated delivery sends nothing twice.
 */
import { ActivityFailure, log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ChannelName } from '../alerts/types.js';
import type { DeliveryOutcome, DurationText, MonitoringSettings, PlannedAlert } from './types.js';

/** Errors that retrying cannot fix; the same list the daily workflow's other activities use. */
export const DELIVERY_PERMANENT_FAULTS = [
  'BhavCopyFormatError',
  'DriftInputError',
  'BaselineMissingError',
  'InvalidInputError',
  'EscalationPolicyError',
  'ChannelConfigError',
];

/** What delivery reads from the settings; a subset so the intake need not invent drift thresholds. */
export interface DeliverySettings {
  readonly escalation: Pick<MonitoringSettings['escalation'], 'fallbacks'>;
  readonly delivery: MonitoringSettings['delivery'] & {
    /**
     * How long one send may take before Temporal gives up on that attempt and retries (default 45 s). It must
     * exceed the adapters' own timeouts (10 s for HTTP, up to 30 s for SMTP), or a slow but successful send is
     * retried and, for Slack, posted twice.
     */
    readonly attemptTimeout?: DurationText;
  };
}

const record = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: {
    initialInterval: '1 second',
    backoffCoefficient: 2,
    maximumInterval: '30 seconds',
    maximumAttempts: 10,
    nonRetryableErrorTypes: DELIVERY_PERMANENT_FAULTS,
  },
});

export function deliveryActivities(settings: DeliverySettings): Activities {
  return proxyActivities<Activities>({
    startToCloseTimeout: settings.delivery.attemptTimeout ?? '45 seconds',
    retry: {
      initialInterval: settings.delivery.initialInterval,
      backoffCoefficient: 2,
      maximumInterval: '2 minutes',
      maximumAttempts: settings.delivery.maximumAttempts,
      nonRetryableErrorTypes: [...DELIVERY_PERMANENT_FAULTS, 'ChannelRejectedError'],
    },
  });
}

function failureMessage(err: unknown): string {
  if (err instanceof ActivityFailure) return err.cause?.message ?? err.message;
  return err instanceof Error ? err.message : String(err);
}

/** The channels that stand in for one that failed, skipping those already on the alert's own route. */
async function sendFallbacks(
  deliver: Activities,
  alert: PlannedAlert,
  channel: ChannelName,
  settings: DeliverySettings,
): Promise<DeliveryOutcome[]> {
  const outcomes: DeliveryOutcome[] = [];
  for (const fallback of settings.escalation.fallbacks[channel] ?? []) {
    // A fallback that is already on the alert's own route is being sent anyway.
    if (alert.channels.includes(fallback)) continue;
    try {
      outcomes.push(await deliver.deliverAlert({ alertId: alert.alertId, channel: fallback, fallbackFor: channel }));
    } catch (fallbackErr) {
      const fallbackError = failureMessage(fallbackErr);
      await record.markDeliveryFailed({ alertId: alert.alertId, channel: fallback, error: fallbackError });
      outcomes.push({
        alertId: alert.alertId,
        channel: fallback,
        status: 'failed',
        fallbackFor: channel,
        error: fallbackError,
      });
    }
  }
  return outcomes;
}

/**
 * Sends one alert on one channel; when the channel keeps failing, or a send's outcome is unknown because a worker
 * stopped in the middle of it (`unconfirmed`, never resent on a channel without an idempotency key), its fallbacks
 * stand in.
 */
export async function deliverWithFallback(
  deliver: Activities,
  alert: PlannedAlert,
  channel: ChannelName,
  settings: DeliverySettings,
): Promise<DeliveryOutcome[]> {
  let outcome: DeliveryOutcome;
  try {
    outcome = await deliver.deliverAlert({ alertId: alert.alertId, channel });
  } catch (err) {
    const error = failureMessage(err);
    await record.markDeliveryFailed({ alertId: alert.alertId, channel, error });
    log.warn('alert channel failed, escalating to its fallbacks', { dedupKey: alert.dedupKey, channel, error });
    return [
      { alertId: alert.alertId, channel, status: 'failed', error },
      ...(await sendFallbacks(deliver, alert, channel, settings)),
    ];
  }
  if (outcome.status !== 'unconfirmed') return [outcome];
  log.warn('alert send outcome unknown after a worker stopped mid-send, escalating to its fallbacks', {
    dedupKey: alert.dedupKey,
    channel,
  });
  return [outcome, ...(await sendFallbacks(deliver, alert, channel, settings))];
}

/** Every planned channel of one alert, in the policy's order. */
export async function deliverPlannedAlert(alert: PlannedAlert, settings: DeliverySettings): Promise<DeliveryOutcome[]> {
  const deliver = deliveryActivities(settings);
  const outcomes: DeliveryOutcome[] = [];
  for (const channel of alert.channels)
    outcomes.push(...(await deliverWithFallback(deliver, alert, channel, settings)));
  return outcomes;
}
