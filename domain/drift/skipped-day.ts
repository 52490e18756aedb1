/**
 * The evaluation of a day that has no production rows at all: every feature SKIPPED with the
 * reason, severity NONE. The drift stage reports it instead of failing, so the day's performance
 * results and alerts still go out; the report's reason line says nothing was tested.
 */
import { FEATURES } from '../features.js';
import { DEFAULT_DRIFT_SETTINGS, type DriftEvaluation, type DriftSettings } from './policy.js';

export function skippedDayEvaluation(reason: string, settings: Partial<DriftSettings> = {}): DriftEvaluation {
  return {
    severity: 'NONE',
    featuresTested: 0,
    driftingFeatures: [],
    highPsiFeatures: [],
    qualityFeatures: [],
    skippedFeatures: FEATURES.map((f) => f.name),
    testsCorrected: 0,
    features: FEATURES.map((f) => ({
      feature: f.name,
      group: f.group,
      rows: 0,
      missing: 0,
      nonFinite: 0,
      outOfRange: 0,
      rowsWeekly: null,
      ksStatistic: null,
      ksPValue: null,
      ksStatisticWeekly: null,
      ksPValueWeekly: null,
      psiDaily: null,
      psiWeekly: null,
      pValue: null,
      qValue: null,
      decidingWindow: null,
      severityPsi: null,
      status: 'SKIPPED',
      action: '-',
      reason,
    })),
    settings: { ...DEFAULT_DRIFT_SETTINGS, ...settings },
  };
}
