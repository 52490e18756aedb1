/** The plain-text drift report written to drift_YYYY-MM-DD.txt and attached to alerts. */
import type { DriftEvaluation, FeatureDriftResult } from './policy.js';

export interface DriftReportInput {
  /** ISO date of the monitored day. */
  readonly date: string;
  readonly modelVersion: string;
  readonly baseline: { readonly start: string; readonly end: string; readonly days: number };
  readonly evaluation: DriftEvaluation;
  /** Channels the alert went to; empty means nothing was sent (log only). */
  readonly notifiedChannels: readonly string[];
}

const WIDTH = 72;
const BANNER = '='.repeat(WIDTH);
const RULE = '-'.repeat(WIDTH);

const num = (x: number | null): string => (x === null ? '-' : x.toFixed(3));

function pct(part: number, whole: number): string {
  return whole === 0 ? '0.0%' : `${((100 * part) / whole).toFixed(1)}%`;
}

function row(cells: readonly string[], widths: readonly number[]): string {
  return cells
    .map((c, i) => c.padEnd(widths[i]!))
    .join(' | ')
    .trimEnd();
}

/** What to do, most urgent first; shared by the report and anyone who wants the same wording. */
export function driftRecommendations(evaluation: DriftEvaluation): string[] {
  const s = evaluation.settings;
  const byStatus = (status: FeatureDriftResult['status']): string[] =>
    evaluation.features.filter((f) => f.status === status).map((f) => f.feature);
  const drift = byStatus('DRIFT');
  const moderate = byStatus('MODERATE');
  const out: string[] = [];
  if (evaluation.severity === 'CRITICAL') {
    out.push('Critical drift: review the model now and consider rolling back to the previous stable version.');
  }
  if (drift.length > 0) {
    out.push(
      `Retrain the model on recent data: ${drift.join(', ')} moved beyond PSI ${s.psiSignificant} or KS ${s.ksStatisticThreshold}.`,
    );
    out.push('Check the upstream feature pipeline for the drifting features before retraining.');
  }
  if (moderate.length > 0)
    out.push(`Monitor ${moderate.join(', ')} over the next days (PSI ${s.psiModerate}-${s.psiSignificant}).`);
  if (evaluation.qualityFeatures.length > 0) {
    out.push(
      `Fix the data of ${evaluation.qualityFeatures.join(', ')}: too many missing or non-finite values to test.`,
    );
  }
  if (evaluation.skippedFeatures.length > 0)
    out.push(`Not tested: ${evaluation.skippedFeatures.join(', ')} (see reasons above).`);
  if (out.length === 0) out.push('No action needed: all tested features are consistent with the training baseline.');
  return out;
}

export function formatDriftReport(input: DriftReportInput): string {
  const { evaluation: ev } = input;
  const lines: string[] = [];
  lines.push(BANNER, 'DATA DRIFT DETECTION REPORT', BANNER);
  lines.push(`Date: ${input.date}`);
  lines.push(`Model Version: ${input.modelVersion}`);
  lines.push(`Baseline: ${input.baseline.start} to ${input.baseline.end} (${input.baseline.days} days)`);
  lines.push('');
  lines.push('SUMMARY', RULE);
  lines.push(`Features Tested: ${ev.featuresTested}`);
  lines.push(
    `Features with Drift: ${ev.driftingFeatures.length} (${pct(ev.driftingFeatures.length, ev.featuresTested)})`,
  );
  lines.push(`Severity: ${ev.severity}`);
  lines.push('');
  lines.push('DETAILED RESULTS', RULE);
  const widths = [26, 7, 7, 8, 19];
  lines.push(row(['Feature Name', 'KS Stat', 'PSI', 'Status', 'Action'], widths));
  lines.push(
    row(
      widths.map((w) => '-'.repeat(w)),
      widths,
    ),
  );
  const tested = ev.features.filter((f) => f.status === 'OK' || f.status === 'MODERATE' || f.status === 'DRIFT');
  for (const f of tested) {
    // The PSI shown is the one the decision used when the feature drifts, else the day's (or the week's).
    const shownPsi = f.severityPsi ?? f.psiDaily ?? f.psiWeekly;
    lines.push(row([f.feature, num(f.ksStatistic ?? f.ksStatisticWeekly), num(shownPsi), f.status, f.action], widths));
  }
  const untested = ev.features.filter((f) => f.status === 'QUALITY' || f.status === 'SKIPPED');
  if (untested.length > 0) {
    lines.push('');
    lines.push('Not tested:');
    for (const f of untested) lines.push(`  ${f.feature}: ${f.status} (${f.action}) - ${f.reason}`);
  }
  lines.push('');
  lines.push('DRIFT SEVERITY', RULE);
  lines.push(`Features with PSI >= ${ev.settings.psiSignificant}: ${ev.highPsiFeatures.length}`);
  if (ev.highPsiFeatures.length > 0) lines.push(`  ${ev.highPsiFeatures.join(', ')}`);
  lines.push('');
  lines.push('RECOMMENDATIONS', RULE);
  driftRecommendations(ev).forEach((r, i) => lines.push(`${i + 1}. ${r}`));
  lines.push('');
  const notified = input.notifiedChannels.length > 0 ? input.notifiedChannels.join(', ') : 'none (log only)';
  lines.push(`ALERT: ${ev.severity} - notified: ${notified}`);
  lines.push(BANNER);
  return `${lines.join('\n')}\n`;
}
