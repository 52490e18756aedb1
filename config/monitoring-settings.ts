/**
 * The thresholds and timers of the daily pipeline, with their defaults and environment overrides.
 * Read once by whoever starts a workflow (the schedule script, run-day, the demo) and passed in as
 * the workflow's input, so each run's history records the exact settings it used.
 */
import { readEscalationPolicy } from '../alerts/config.js';
import { DEFAULT_DRIFT_SETTINGS, type DriftSettings } from '../domain/drift/policy.js';
import { DEFAULT_DEGRADATION_SETTINGS, type DegradationSettings } from '../domain/performance/degradation.js';
import { DEFAULT_STAGE_TIMEOUTS } from '../workflows/defaults.js';
import type { MonitoringSettings } from '../workflows/types.js';
import { readDeliverySettings } from './delivery-settings.js';
import { ConfigError } from './index.js';
import { durationFrom, fraction, numberFrom, type Env } from './parse.js';

function readDriftSettings(env: Env = process.env): DriftSettings {
  const d = DEFAULT_DRIFT_SETTINGS;
  const binning = env.DRIFT_BINNING?.trim() || d.binning;
  if (binning !== 'decile' && binning !== 'equal_width') {
    throw new ConfigError('DRIFT_BINNING', `"${binning}" is not decile or equal_width`);
  }
  return {
    ...d,
    ksStatisticThreshold: numberFrom(env, 'DRIFT_KS_THRESHOLD', d.ksStatisticThreshold, fraction, 'a number in (0, 1)'),
    psiModerate: numberFrom(env, 'DRIFT_PSI_MODERATE', d.psiModerate, (n) => n > 0, 'a positive number'),
    psiSignificant: numberFrom(env, 'DRIFT_PSI_SIGNIFICANT', d.psiSignificant, (n) => n > 0, 'a positive number'),
    psiCritical: numberFrom(env, 'DRIFT_PSI_CRITICAL', d.psiCritical, (n) => n > 0, 'a positive number'),
    criticalDriftingShare: numberFrom(
      env,
      'DRIFT_CRITICAL_SHARE',
      d.criticalDriftingShare,
      fraction,
      'a number in (0, 1)',
    ),
    fdrAlpha: numberFrom(env, 'DRIFT_FDR_ALPHA', d.fdrAlpha, fraction, 'a number in (0, 1)'),
    maxMissingShare: numberFrom(
      env,
      'DRIFT_MAX_MISSING_SHARE',
      d.maxMissingShare,
      (n) => n >= 0 && n <= 1,
      'in [0, 1]',
    ),
    binning,
  };
}

function readDegradationSettings(env: Env = process.env): DegradationSettings {
  const d = DEFAULT_DEGRADATION_SETTINGS;
  return {
    ...d,
    minorDrop: numberFrom(env, 'F1_MINOR_DROP', d.minorDrop, fraction, 'a number in (0, 1)'),
    moderateDrop: numberFrom(env, 'F1_MODERATE_DROP', d.moderateDrop, fraction, 'a number in (0, 1)'),
    severeDrop: numberFrom(env, 'F1_SEVERE_DROP', d.severeDrop, fraction, 'a number in (0, 1)'),
    minPredictions: numberFrom(
      env,
      'F1_MIN_PREDICTIONS',
      d.minPredictions,
      (n) => Number.isInteger(n) && n >= 1,
      'a positive integer',
    ),
  };
}

export function readMonitoringSettings(env: Env = process.env): MonitoringSettings {
  const approvers = (env.ROLLBACK_APPROVERS ?? 'ml-lead@example.com,oncall@example.com')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  return {
    groundTruth: {
      reactionWindowDays: numberFrom(
        env,
        'REACTION_WINDOW_DAYS',
        1,
        (n) => Number.isInteger(n) && n >= 1 && n <= 10,
        'an integer 1-10',
      ),
    },
    performance: { windows: [7, 30, 90], bootstrapResamples: 1000, confidence: 0.95 },
    degradation: readDegradationSettings(env),
    drift: readDriftSettings(env),
    escalation: readEscalationPolicy(env),
    delivery: readDeliverySettings(env),
    timeouts: {
      ingest: durationFrom(env, 'STAGE_TIMEOUT_INGEST', DEFAULT_STAGE_TIMEOUTS.ingest),
      compute: durationFrom(env, 'STAGE_TIMEOUT_COMPUTE', DEFAULT_STAGE_TIMEOUTS.compute),
      record: durationFrom(env, 'STAGE_TIMEOUT_RECORD', DEFAULT_STAGE_TIMEOUTS.record),
    },
    rollback: {
      enabled: env.ROLLBACK_APPROVAL_ENABLED?.trim() !== 'false',
      reminderAfter: durationFrom(env, 'ROLLBACK_REMINDER_AFTER', '4 hours'),
      expireAfter: durationFrom(env, 'ROLLBACK_EXPIRE_AFTER', '24 hours'),
      approvers,
    },
  };
}
