/**
 * Delivery of one alert raised outside the daily run (the Alertmanager intake): its planned channels once each,
 * with the policy's fallbacks. The workflow id carries the alert's dedup key, so Temporal itself refuses a
 * second delivery of the same alert while the first is running or after it succeeded; the `sent` rows in
 * alert_deliveries back that up when a workflow id is reused after the namespace's retention.
 */
import { ApplicationFailure, log } from '@temporalio/workflow';
import { deliverPlannedAlert, type DeliverySettings } from './delivery.js';
import type { DeliveryOutcome, PlannedAlert } from './types.js';

export const DELIVER_ALERT_WORKFLOW_TYPE = 'deliverAlertWorkflow';

/** `alert-delivery-api:CRITICAL:2025-11-14#VcpApiHighLatency`: an operator finds the delivery by the alert. */
export function alertDeliveryWorkflowId(dedupKey: string): string {
  return `alert-delivery-${dedupKey}`;
}

export interface DeliverAlertInput {
  readonly alert: PlannedAlert;
  readonly settings: DeliverySettings;
}

const DELIVERED = new Set<DeliveryOutcome['status']>(['sent', 'already_sent']);

export async function deliverAlertWorkflow(input: DeliverAlertInput): Promise<DeliveryOutcome[]> {
  const { alert, settings } = input;

  // 1. Every planned channel, each falling back to the policy's alternatives when it keeps failing.
  const outcomes = await deliverPlannedAlert(alert, settings);

  // 2. Reached nobody: fail the run so it shows as failed and a repeat of the webhook may start a new one.
  if (alert.channels.length > 0 && !outcomes.some((o) => DELIVERED.has(o.status))) {
    throw ApplicationFailure.nonRetryable(
      `alert ${alert.dedupKey} reached none of its channels: ${outcomes.map((o) => `${o.channel} ${o.status}`).join(', ')}`,
      'AlertUndeliveredError',
    );
  }
  log.info('alert delivered', { dedupKey: alert.dedupKey, outcomes: outcomes.map((o) => `${o.channel}:${o.status}`) });
  return outcomes;
}
