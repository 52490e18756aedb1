/**
 * The activities the worker registers, bound to their dependencies. Workflows import only the
 * type of this object, so no I/O code reaches the workflow bundle.
 */
import type { ActivityDeps } from './context.js';
import { failPermanentFaults } from './errors.js';
import { collectGroundTruth } from './ground-truth.js';
import { evaluatePerformance } from './performance.js';
import { detectDrift } from './drift.js';
import { buildDriftBaselines } from './baselines.js';
import { writeReports } from './reports.js';
import { deliverAlert, markDeliveryFailed, recordAlerts } from './alerts.js';
import { recordRun } from './runs.js';
import { findOpenRollbackApproval, raiseRollbackAlert, recordRollbackEvent, switchActiveModel } from './rollback.js';

type Bound<F> = F extends (deps: ActivityDeps, input: infer I) => Promise<infer R> ? (input: I) => Promise<R> : never;

function bind<F extends (deps: ActivityDeps, input: never) => Promise<unknown>>(deps: ActivityDeps, fn: F): Bound<F> {
  return ((input: never) => failPermanentFaults(() => fn(deps, input))) as Bound<F>;
}

export function createActivities(deps: ActivityDeps) {
  return {
    collectGroundTruth: bind(deps, collectGroundTruth),
    evaluatePerformance: bind(deps, evaluatePerformance),
    detectDrift: bind(deps, detectDrift),
    buildDriftBaselines: bind(deps, buildDriftBaselines),
    writeReports: bind(deps, writeReports),
    recordAlerts: bind(deps, recordAlerts),
    deliverAlert: bind(deps, deliverAlert),
    markDeliveryFailed: bind(deps, markDeliveryFailed),
    recordRun: bind(deps, recordRun),
    recordRollbackEvent: bind(deps, recordRollbackEvent),
    raiseRollbackAlert: bind(deps, raiseRollbackAlert),
    switchActiveModel: bind(deps, switchActiveModel),
    findOpenRollbackApproval: bind(deps, findOpenRollbackApproval),
  };
}

export type Activities = ReturnType<typeof createActivities>;
