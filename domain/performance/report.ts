/** The daily plain-text performance report, written to performance_YYYY-MM-DD.txt and quoted in alerts. */
import type { TestMetrics } from '../model/types.js';
import type { BootstrapInterval } from '../statistics/bootstrap.js';
import type { ClassificationMetrics } from '../statistics/classification.js';
import type { DegradationResult, DegradationSettings } from './degradation.js';
import { DEFAULT_DEGRADATION_SETTINGS } from './degradation.js';
import type { RollbackCandidate } from './rollback-candidate.js';

export interface WindowF1 {
  readonly f1: number;
  readonly predictions: number;
}

export interface PerformanceReportInput {
  /** ISO date the report is for. */
  readonly date: string;
  readonly modelVersion: string;
  readonly baseline: TestMetrics;
  /** Metrics over the evaluated (30-day) window. */
  readonly production: ClassificationMetrics;
  readonly f1Interval: Pick<BootstrapInterval, 'low' | 'high'> | null;
  /** Confidence of f1Interval; 0.95 unless told. */
  readonly confidence?: number;
  readonly last7Days: WindowF1 | null;
  readonly last90Days: WindowF1 | null;
  readonly degradation: DegradationResult;
  /** Features the same day's drift check flagged; empty when none drifted. */
  readonly driftedFeatures: readonly string[];
  readonly rollbackCandidate: RollbackCandidate | null;
  /** Who was told, as an operator would name them, e.g. 'Slack #ml-alerts', 'email ml-oncall@example.com'. */
  readonly notified: readonly string[];
  readonly settings?: DegradationSettings;
}

const BANNER = '='.repeat(70);

function score(value: number): string {
  return value.toFixed(2);
}

/** 1234567 -> 1,234,567, written out rather than via Intl so the text never depends on the host's locale data. */
export function formatCount(value: number): string {
  const digits = String(Math.trunc(Math.abs(value)));
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return value < 0 ? `-${grouped}` : grouped;
}

/** The relative change of a production metric against its baseline, as `(↓ 7%)` or `(↑ 3%)`. */
function change(current: number, baseline: number): string {
  if (baseline === 0) return '(no baseline)';
  const pct = Math.round(((current - baseline) / baseline) * 100);
  if (pct === 0) return '(no change)';
  return pct < 0 ? `(↓ ${-pct}%)` : `(↑ ${pct}%)`;
}

function line(label: string, value: string, width = 17): string {
  return `  ${`${label}:`.padEnd(width)}${value}`;
}

function statusLines(input: PerformanceReportInput, settings: DegradationSettings): string[] {
  const d = input.degradation;
  const dropPct = Math.abs(d.relativeDrop * 100).toFixed(1);
  const direction =
    d.relativeDrop > 0 ? `F1 down ${dropPct}%` : d.relativeDrop < 0 ? `F1 up ${dropPct}%` : 'F1 unchanged';
  const lines = [`STATUS: ${d.severity} (${direction} against the test set)`, `  ${d.reason}`];
  const confidence = Math.round((input.confidence ?? 0.95) * 100);
  if (d.statisticallySupported === true) {
    lines.push(`  Statistically supported: yes, the ${confidence}% CI lies wholly below the baseline F1`);
  } else if (d.statisticallySupported === false && d.relativeDrop > 0) {
    lines.push(`  Statistically supported: no, the baseline F1 lies within the ${confidence}% CI`);
  } else if (d.statisticallySupported === null && d.relativeDrop > 0) {
    lines.push('  Statistically supported: unknown, no confidence interval was computed');
  }
  const drifted = input.driftedFeatures.length > 0 ? input.driftedFeatures.join(', ') : null;
  const degraded = d.severity === 'MINOR' || d.severity === 'MODERATE' || d.severity === 'SEVERE';
  if (degraded) {
    lines.push(
      drifted === null
        ? '  Likely cause: no feature drifted today, so look at label quality or a change in market regime'
        : `  Likely cause: drift in ${drifted}`,
    );
  } else {
    lines.push(`  Drifted features today: ${drifted ?? 'none'}`);
  }
  if (d.severity === 'INSUFFICIENT_DATA') {
    lines.push(`  Minimum for a verdict: ${formatCount(settings.minPredictions)} labelled predictions`);
  }
  return lines;
}

function candidateText(c: RollbackCandidate): string {
  const source = c.f1Source === 'production' ? 'production F1 in shadow scoring' : 'test-set F1, never shadow-scored';
  return `version ${c.version} (${source} ${score(c.f1)} vs current ${score(c.currentF1)})`;
}

function recommendations(input: PerformanceReportInput, settings: DegradationSettings): string[] {
  const d = input.degradation;
  const c = input.rollbackCandidate;
  const drifted = input.driftedFeatures.join(', ');
  const investigate =
    input.driftedFeatures.length > 0
      ? `Investigate the drifted features: ${drifted}`
      : 'Check the ground-truth labels and the upstream feature pipeline: no feature drifted today';
  const items: string[] = [];
  switch (d.severity) {
    case 'SEVERE':
      items.push(
        c === null
          ? `No earlier stable version beats the current F1 ${score(input.production.f1)}: retrain instead of rolling back`
          : `Roll back to ${candidateText(c)} through the rollback approval`,
      );
      items.push(investigate, 'Retrain on recent data once the cause is understood');
      break;
    case 'MODERATE':
      items.push(investigate, 'Plan a retrain if the drop persists through the coming week');
      if (c !== null) items.push(`Rollback candidate should it reach SEVERE: ${candidateText(c)}`);
      break;
    case 'MINOR':
      items.push('Watch the F1 trend over the coming days; no action needed yet');
      if (input.driftedFeatures.length > 0) items.push(`Keep an eye on the drifted features: ${drifted}`);
      break;
    case 'NONE':
      items.push('No action needed; daily monitoring continues');
      break;
    case 'INSUFFICIENT_DATA':
      items.push(
        `Wait for at least ${formatCount(settings.minPredictions)} labelled predictions in the ` +
          `${settings.evaluatedWindowDays}-day window before judging F1 (now ${formatCount(input.production.predictions)})`,
      );
      break;
  }
  if (
    d.statisticallySupported === false &&
    d.relativeDrop > 0 &&
    d.severity !== 'INSUFFICIENT_DATA' &&
    d.severity !== 'NONE'
  ) {
    items.push('Confirm the drop with more labels before acting: it is within the confidence interval');
  }
  return items.map((text, i) => `  ${i + 1}. ${text}`);
}

function alertLine(input: PerformanceReportInput): string {
  if (input.notified.length > 0) return `ALERT: notified ${input.notified.join(', ')}`;
  return input.degradation.severity === 'MINOR' ? 'ALERT: none sent (warning logged)' : 'ALERT: none sent';
}

function windowLine(label: string, w: WindowF1 | null): string {
  return line(
    label,
    w === null ? 'no labelled predictions' : `${score(w.f1)} (${formatCount(w.predictions)} predictions)`,
  );
}

/** The report text, fixed line by line: the same input always gives the same bytes. */
export function formatPerformanceReport(input: PerformanceReportInput): string {
  const settings = input.settings ?? DEFAULT_DEGRADATION_SETTINGS;
  const b = input.baseline;
  const p = input.production;
  const confidence = Math.round((input.confidence ?? 0.95) * 100);
  const windowDays = settings.evaluatedWindowDays;
  const rocAuc = p.rocAuc === null ? 'undefined (one class)' : `${score(p.rocAuc)} ${change(p.rocAuc, b.rocAuc)}`;
  const ci =
    input.f1Interval === null ? 'not computed' : `${score(input.f1Interval.low)} - ${score(input.f1Interval.high)}`;
  const lines = [
    BANNER,
    'MODEL PERFORMANCE REPORT',
    BANNER,
    `Date: ${input.date}`,
    `Model Version: ${input.modelVersion}`,
    '',
    'BASELINE PERFORMANCE (Test Set)',
    line('F1 Score', score(b.f1)),
    line('Precision', score(b.precision)),
    line('Recall', score(b.recall)),
    line('ROC-AUC', score(b.rocAuc)),
    '',
    `PRODUCTION PERFORMANCE (Last ${windowDays} Days)`,
    line('F1 Score', `${score(p.f1)} ${change(p.f1, b.f1)}`),
    line(`F1 ${confidence}% CI`, ci),
    line('Precision', `${score(p.precision)} ${change(p.precision, b.precision)}`),
    line('Recall', `${score(p.recall)} ${change(p.recall, b.recall)}`),
    line('ROC-AUC', rocAuc),
    line('Predictions', formatCount(p.predictions)),
    line('True Positives', formatCount(p.tp)),
    line('False Positives', formatCount(p.fp)),
    line('False Negatives', formatCount(p.fn)),
    line('True Negatives', formatCount(p.tn)),
    '',
    'F1 BY WINDOW',
    windowLine('Last 7 Days', input.last7Days),
    windowLine(`Last ${windowDays} Days`, { f1: p.f1, predictions: p.predictions }),
    windowLine('Last 90 Days', input.last90Days),
    '',
    ...statusLines(input, settings),
    '',
    'RECOMMENDATIONS',
    ...recommendations(input, settings),
    '',
    alertLine(input),
    BANNER,
  ];
  return `${lines.join('\n')}\n`;
}
