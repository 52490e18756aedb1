/**
 * Alert delivery retries, on their own so the API (whose Alertmanager intake delivers alerts) reads
 * only these and not the whole pipeline's settings.
 */
import type { MonitoringSettings } from '../workflows/types.js';
import { durationFrom, numberFrom, type Env } from './parse.js';

export function readDeliverySettings(env: Env = process.env): MonitoringSettings['delivery'] {
  return {
    maximumAttempts: numberFrom(
      env,
      'ALERT_DELIVERY_ATTEMPTS',
      5,
      (n) => Number.isInteger(n) && n >= 1,
      'a positive integer',
    ),
    initialInterval: durationFrom(env, 'ALERT_RETRY_INITIAL_INTERVAL', '5 seconds'),
    attemptTimeout: durationFrom(env, 'ALERT_ATTEMPT_TIMEOUT', '45 seconds'),
  };
}
