// The worker's workflow bundle entry: every workflow type it serves.
export { dailyMonitoringWorkflow } from './daily-monitoring.js';
export { scheduledDailyMonitoringWorkflow } from './scheduled-daily.js';
export { buildBaselinesWorkflow } from './build-baselines.js';
export { rollbackApprovalWorkflow } from './rollback-approval.js';
export { deliverAlertWorkflow } from './deliver-alert.js';
