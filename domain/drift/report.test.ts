import { describe, expect, it } from 'vitest';
import { DEFAULT_DRIFT_SETTINGS, type DriftEvaluation, type FeatureDriftResult } from './policy.js';
import { formatDriftReport } from './report.js';

function feature(over: Partial<FeatureDriftResult> & Pick<FeatureDriftResult, 'feature'>): FeatureDriftResult {
  return {
    group: 'technical',
    rows: 120,
    missing: 0,
    nonFinite: 0,
    outOfRange: 0,
    rowsWeekly: 840,
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
    status: 'OK',
    action: '-',
    reason: 'no evidence of drift',
    ...over,
  };
}

const evaluation: DriftEvaluation = {
  severity: 'HIGH',
  featuresTested: 3,
  driftingFeatures: ['rsi_14', 'roe'],
  highPsiFeatures: ['rsi_14'],
  qualityFeatures: ['npm_trend'],
  skippedFeatures: [],
  testsCorrected: 10,
  settings: DEFAULT_DRIFT_SETTINGS,
  features: [
    feature({
      feature: 'rsi_14',
      ksStatistic: 0.312,
      psiDaily: 0.41,
      psiWeekly: 0.33,
      severityPsi: 0.3,
      status: 'DRIFT',
      action: 'Retrain recommended',
    }),
    feature({ feature: 'atr_14', ksStatistic: 0.05, psiDaily: 0.04, psiWeekly: 0.01 }),
    feature({
      feature: 'roe',
      group: 'fundamental',
      psiDaily: 0.2,
      psiWeekly: 0.15,
      severityPsi: 0.132,
      status: 'MODERATE',
      action: 'Monitor',
    }),
    feature({
      feature: 'npm_trend',
      group: 'fundamental',
      missing: 40,
      status: 'QUALITY',
      action: 'Fix data',
      reason: '40 of 120 values missing or non-finite (33.3% > 20%); not tested',
    }),
  ],
};

const EXPECTED = `========================================================================
DATA DRIFT DETECTION REPORT
========================================================================
Date: 2025-11-14
Model Version: 1.2.0
Baseline: 2023-01-01 to 2024-12-31 (731 days)

SUMMARY
------------------------------------------------------------------------
Features Tested: 3
Features with Drift: 2 (66.7%)
Severity: HIGH

DETAILED RESULTS
------------------------------------------------------------------------
Feature Name               | KS Stat | PSI     | Status   | Action
-------------------------- | ------- | ------- | -------- | -------------------
rsi_14                     | 0.312   | 0.300   | DRIFT    | Retrain recommended
atr_14                     | 0.050   | 0.040   | OK       | -
roe                        | -       | 0.132   | MODERATE | Monitor

Not tested:
  npm_trend: QUALITY (Fix data) - 40 of 120 values missing or non-finite (33.3% > 20%); not tested

DRIFT SEVERITY
------------------------------------------------------------------------
Features with PSI >= 0.25: 1
  rsi_14

RECOMMENDATIONS
------------------------------------------------------------------------
1. Retrain the model on recent data: rsi_14 moved beyond PSI 0.25 or KS 0.3.
2. Check the upstream feature pipeline for the drifting features before retraining.
3. Monitor roe over the next days (PSI 0.1-0.25).
4. Fix the data of npm_trend: too many missing or non-finite values to test.

ALERT: HIGH - notified: slack, email
========================================================================
`;

describe('formatDriftReport', () => {
  it('renders the fixed layout exactly for a small case', () => {
    const text = formatDriftReport({
      date: '2025-11-14',
      modelVersion: '1.2.0',
      baseline: { start: '2023-01-01', end: '2024-12-31', days: 731 },
      evaluation,
      notifiedChannels: ['slack', 'email'],
    });
    expect(text).toBe(EXPECTED);
  });

  it('says log only when no channel was notified and that no action is needed on a quiet day', () => {
    const quiet: DriftEvaluation = {
      ...evaluation,
      severity: 'NONE',
      driftingFeatures: [],
      highPsiFeatures: [],
      qualityFeatures: [],
      features: [feature({ feature: 'atr_14', ksStatistic: 0.05, psiDaily: 0.04 })],
      featuresTested: 1,
    };
    const text = formatDriftReport({
      date: '2025-11-15',
      modelVersion: '1.2.0',
      baseline: { start: '2023-01-01', end: '2024-12-31', days: 731 },
      evaluation: quiet,
      notifiedChannels: [],
    });
    expect(text).toContain('Features with Drift: 0 (0.0%)');
    expect(text).toContain('1. No action needed');
    expect(text).toContain('ALERT: NONE - notified: none (log only)');
  });
});
