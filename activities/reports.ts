/**
 * Stage 4: the drift and performance reports, written as text files in the reports directory and
 * stored with their structured summary. A file is written to a temporary name and renamed, so a
 * reader never sees half a report, and a re-run of the day replaces both file and row.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { log } from '@temporalio/activity';
import { channelsFor, type EscalationPolicy } from '../alerts/policy.js';
import type { AlertSource, ChannelName } from '../alerts/types.js';
import type { AppConfig } from '../config/index.js';
import { replaceAllExcept } from '../db/rows.js';
import { monitoringReports } from '../db/schema/index.js';
import { formatDriftReport } from '../domain/drift/report.js';
import { formatPerformanceReport } from '../domain/performance/report.js';
import type { DriftResult, GroundTruthResult, PerformanceResult, ReportsResult } from '../workflows/types.js';
import type { ActivityDeps } from './context.js';

const CHANNEL_AUDIENCE: Record<ChannelName, string> = {
  slack: 'Slack (ML alerts channel)',
  email: 'email (ML team)',
  pagerduty: 'PagerDuty (on-call)',
};

/** Who the escalation stage will tell about this finding: the report's ALERT line. */
function audienceFor(source: AlertSource, level: string, policy: EscalationPolicy): string[] {
  return channelsFor({ source, level }, policy).map((c) => CHANNEL_AUDIENCE[c]);
}

export function reportUrl(config: AppConfig, filePath: string): string {
  return `${config.reportBaseUrl.replace(/\/$/, '')}/${path.basename(filePath)}`;
}

async function writeAtomically(filePath: string, text: string): Promise<void> {
  await fs.mkdir(path.dirname(filePath), { recursive: true });
  const temporary = `${filePath}.${process.pid}.tmp`;
  await fs.writeFile(temporary, text, 'utf8');
  await fs.rename(temporary, filePath);
}

export interface WriteReportsInput {
  readonly date: string;
  readonly performance: PerformanceResult;
  readonly drift: DriftResult;
  readonly groundTruth: GroundTruthResult;
  readonly escalation: EscalationPolicy;
}

export async function writeReports(deps: ActivityDeps, input: WriteReportsInput): Promise<ReportsResult> {
  const { date, performance, drift, escalation } = input;
  const driftText = formatDriftReport({
    date,
    modelVersion: drift.modelVersion,
    baseline: drift.baselineWindow,
    evaluation: drift.evaluation,
    notifiedChannels: audienceFor('drift', drift.evaluation.severity, escalation),
  });
  const window = (days: number) => performance.windows.find((w) => w.windowDays === days) ?? null;
  const w30 = window(30);
  const w7 = window(7);
  const w90 = window(90);
  const performanceText = formatPerformanceReport({
    date,
    modelVersion: performance.modelVersion,
    baseline: performance.baseline,
    production: w30 ?? { tp: 0, fp: 0, fn: 0, tn: 0, predictions: 0, precision: 0, recall: 0, f1: 0, rocAuc: null },
    f1Interval: w30?.f1Ci ?? null,
    last7Days: w7 ? { f1: w7.f1, predictions: w7.predictions } : null,
    last90Days: w90 ? { f1: w90.f1, predictions: w90.predictions } : null,
    degradation: performance.degradation,
    driftedFeatures: drift.evaluation.driftingFeatures,
    rollbackCandidate: performance.candidate,
    notified: audienceFor('degradation', performance.degradation.severity, escalation),
  });

  const driftReportPath = path.join(deps.config.reportsDir, `drift_${date}.txt`);
  const performanceReportPath = path.join(deps.config.reportsDir, `performance_${date}.txt`);
  await writeAtomically(driftReportPath, driftText);
  await writeAtomically(performanceReportPath, performanceText);

  const rows = [
    {
      kind: 'drift' as const,
      reportDate: date,
      modelVersion: drift.modelVersion,
      severity: drift.evaluation.severity,
      filePath: driftReportPath,
      body: driftText,
      summary: {
        featuresTested: drift.evaluation.featuresTested,
        driftingFeatures: drift.evaluation.driftingFeatures,
        dailyRows: drift.dailyRows,
        weeklyRows: drift.weeklyRows,
      },
    },
    {
      kind: 'performance' as const,
      reportDate: date,
      modelVersion: performance.modelVersion,
      severity: performance.degradation.severity,
      filePath: performanceReportPath,
      body: performanceText,
      summary: {
        f1: w30?.f1 ?? null,
        predictions: w30?.predictions ?? 0,
        relativeDrop: performance.degradation.relativeDrop,
        candidate: performance.candidate?.version ?? null,
        labelsWritten: input.groundTruth.labelsWritten,
      },
    },
  ];
  await deps.db
    .insert(monitoringReports)
    .values(rows)
    .onConflictDoUpdate({
      target: [monitoringReports.kind, monitoringReports.reportDate, monitoringReports.modelVersion],
      set: replaceAllExcept(monitoringReports, ['kind', 'reportDate', 'modelVersion']),
    });
  log.info('reports written', { date, driftReportPath, performanceReportPath });
  return { driftReportPath, performanceReportPath };
}
