import { describe, expect, it } from 'vitest';
import type { ClassificationMetrics } from '../statistics/classification.js';
import { classifyDegradation } from './degradation.js';
import { formatCount, formatPerformanceReport, type PerformanceReportInput } from './report.js';
import type { RollbackCandidate } from './rollback-candidate.js';

const baseline = { f1: 0.72, precision: 0.7, recall: 0.75, rocAuc: 0.81 };

// 150 / 220 precision, 150 / 228 recall: F1 = 300 / 448 = 0.6696, a 7.0% drop from 0.72.
const production: ClassificationMetrics = {
  tp: 150,
  fp: 70,
  fn: 78,
  tn: 936,
  predictions: 1234,
  precision: 150 / 220,
  recall: 150 / 228,
  f1: 300 / 448,
  rocAuc: 0.78,
};

const moderate: PerformanceReportInput = {
  date: '2025-11-14',
  modelVersion: '1.3.0',
  baseline,
  production,
  f1Interval: { low: 0.62, high: 0.71 },
  last7Days: { f1: 0.61, predictions: 298 },
  last90Days: { f1: 0.7, predictions: 3456 },
  degradation: classifyDegradation({
    baselineF1: 0.72,
    currentF1: production.f1,
    predictions: 1234,
    currentF1Interval: { low: 0.62, high: 0.71 },
  }),
  driftedFeatures: ['rsi_14', 'volume_ratio_30d'],
  rollbackCandidate: null,
  notified: ['Slack #ml-alerts'],
};

describe('formatPerformanceReport', () => {
  it('writes the exact report for a moderate, statistically supported drop with drifted features', () => {
    expect(formatPerformanceReport(moderate)).toBe(
      `======================================================================
MODEL PERFORMANCE REPORT
======================================================================
Date: 2025-11-14
Model Version: 1.3.0

BASELINE PERFORMANCE (Test Set)
  F1 Score:        0.72
  Precision:       0.70
  Recall:          0.75
  ROC-AUC:         0.81

PRODUCTION PERFORMANCE (Last 30 Days)
  F1 Score:        0.67 (↓ 7%)
  F1 95% CI:       0.62 - 0.71
  Precision:       0.68 (↓ 3%)
  Recall:          0.66 (↓ 12%)
  ROC-AUC:         0.78 (↓ 4%)
  Predictions:     1,234
  True Positives:  150
  False Positives: 70
  False Negatives: 78
  True Negatives:  936

F1 BY WINDOW
  Last 7 Days:     0.61 (298 predictions)
  Last 30 Days:    0.67 (1,234 predictions)
  Last 90 Days:    0.70 (3,456 predictions)

STATUS: MODERATE (F1 down 7.0% against the test set)
  F1 0.670 is 7.0% below the test-set F1 0.720, at or beyond the 5.0% moderate threshold
  Statistically supported: yes, the 95% CI lies wholly below the baseline F1
  Likely cause: drift in rsi_14, volume_ratio_30d

RECOMMENDATIONS
  1. Investigate the drifted features: rsi_14, volume_ratio_30d
  2. Plan a retrain if the drop persists through the coming week

ALERT: notified Slack #ml-alerts
======================================================================
`,
    );
  });

  it('recommends the rollback candidate with its F1 on a SEVERE drop and flags a drop inside the CI', () => {
    const candidate: RollbackCandidate = {
      version: '1.2.0',
      record: undefined as never,
      f1: 0.68,
      f1Source: 'production',
      currentF1: 0.6,
    };
    const text = formatPerformanceReport({
      ...moderate,
      production: { ...production, f1: 0.6, rocAuc: null },
      f1Interval: { low: 0.5, high: 0.75 },
      degradation: classifyDegradation({
        baselineF1: 0.72,
        currentF1: 0.6,
        predictions: 1234,
        currentF1Interval: { low: 0.5, high: 0.75 },
      }),
      driftedFeatures: [],
      rollbackCandidate: candidate,
      notified: ['email ml-oncall@example.com', 'Slack #ml-alerts'],
    });
    expect(text).toContain('  F1 Score:        0.60 (↓ 17%)\n');
    expect(text).toContain('  ROC-AUC:         undefined (one class)\n');
    expect(text).toContain('STATUS: SEVERE (F1 down 16.7% against the test set)\n');
    expect(text).toContain('  Statistically supported: no, the baseline F1 lies within the 95% CI\n');
    expect(text).toContain(
      '  Likely cause: no feature drifted today, so look at label quality or a change in market regime\n',
    );
    expect(text).toContain(
      '  1. Roll back to version 1.2.0 (production F1 in shadow scoring 0.68 vs current 0.60) through the rollback approval\n',
    );
    expect(text).toContain(
      '  4. Confirm the drop with more labels before acting: it is within the confidence interval\n',
    );
    expect(text).toContain('ALERT: notified email ml-oncall@example.com, Slack #ml-alerts\n');
  });

  it('says to wait for labels when the window is too small, and that no alert was sent', () => {
    const text = formatPerformanceReport({
      ...moderate,
      production: { ...production, predictions: 80 },
      f1Interval: null,
      last7Days: null,
      degradation: classifyDegradation({ baselineF1: 0.72, currentF1: 0.5, predictions: 80 }),
      notified: [],
    });
    expect(text).toContain('STATUS: INSUFFICIENT_DATA');
    expect(text).toContain('  F1 95% CI:       not computed\n');
    expect(text).toContain('  Last 7 Days:     no labelled predictions\n');
    expect(text).toContain('  Drifted features today: rsi_14, volume_ratio_30d\n');
    expect(text).toContain(
      '  1. Wait for at least 100 labelled predictions in the 30-day window before judging F1 (now 80)\n',
    );
    expect(text).toContain('\nALERT: none sent\n');
  });

  it('shows rises with an up arrow and a healthy status', () => {
    const text = formatPerformanceReport({
      ...moderate,
      production: { ...production, f1: 0.75, precision: 0.7, recall: 0.8 },
      degradation: classifyDegradation({ baselineF1: 0.72, currentF1: 0.75, predictions: 1234 }),
      notified: [],
    });
    expect(text).toContain('  F1 Score:        0.75 (↑ 4%)\n');
    expect(text).toContain('  Precision:       0.70 (no change)\n');
    expect(text).toContain('STATUS: NONE (F1 up 4.2% against the test set)\n');
    expect(text).toContain('  1. No action needed; daily monitoring continues\n');
  });
});

describe('formatCount', () => {
  it('separates thousands with commas', () => {
    expect([0, 999, 1000, 1234, 1234567].map(formatCount)).toEqual(['0', '999', '1,000', '1,234', '1,234,567']);
  });
});
