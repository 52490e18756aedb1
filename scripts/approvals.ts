/**
 * Rollback approvals from a terminal: list the pending ones, show one (its live state and its audit rows), approve
 * or reject through the `decideRollback` update, so the caller sees the validator's answer instead of a signal
 * that might be silently ignored.
 */
import { parseArgs } from 'node:util';
import { asc, eq } from 'drizzle-orm';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { findPendingApprovals } from '../api/routes/rollback.js';
import { readConfig, readTemporalConfig } from '../config/index.js';
import { openDatabase, type Database } from '../db/client.js';
import { modelRollbackHistory } from '../db/schema/index.js';
import { componentLogger } from '../logging/logger.js';
import { connectClient } from '../temporal/connection.js';
import { decideRollbackUpdate, rollbackStateQuery, type RollbackState } from '../workflows/rollback-messages.js';

const log = componentLogger('approvals');

const HELP = `Usage: npx tsx scripts/approvals.ts <command> [options]

Commands:
  list                                   pending rollback approvals (live state from each workflow)
  show <workflow-id>                     the request's state (query rollbackState) and its model_rollback_history rows
  approve <workflow-id> --approver <name> --reason <text>
  reject <workflow-id> --approver <name> --reason <text>
                                         decide through the decideRollback update; a refusal (unknown approver,
                                         closed request) is printed with its reason and exits 2

Examples:
  npx tsx scripts/approvals.ts list
  npx tsx scripts/approvals.ts show rollback-approval-2.0.0-2025-11-14
  npx tsx scripts/approvals.ts approve rollback-approval-2.0.0-2025-11-14 --approver asha --reason "F1 halved for 3 days"
  npx tsx scripts/approvals.ts reject rollback-approval-2.0.0-2025-11-14 --approver vikram --reason "labels still settling"

Environment: TEMPORAL_ADDRESS (127.0.0.1:7233), TEMPORAL_NAMESPACE (default), TEMPORAL_TASK_QUEUE, TLS and API key
variables as for the worker; DATABASE_URL or DATA_DIR for the history rows.`;

async function historyLines(db: Database, workflowId: string): Promise<string[]> {
  const rows = await db
    .select()
    .from(modelRollbackHistory)
    .where(eq(modelRollbackHistory.workflowId, workflowId))
    .orderBy(asc(modelRollbackHistory.id));
  return rows.map(
    (r) =>
      `${r.occurredAt.toISOString()} ${r.event}${r.sequence ? ` #${r.sequence}` : ''} ${r.fromVersion} -> ${r.toVersion}` +
      `${r.actor ? ` by ${r.actor}` : ''}${r.reason ? `: ${r.reason}` : ''} (run ${r.runId})`,
  );
}

function printState(state: RollbackState): void {
  console.log(
    [
      `${state.workflowId}: ${state.state}`,
      `  current   ${state.currentVersion} (F1 ${state.currentF1.toFixed(3)})`,
      `  candidate ${state.candidateVersion} (F1 ${state.candidateF1.toFixed(3)}, ${state.f1Source})`,
      `  requested ${state.requestedAt}, expires ${state.expiresAt ?? '-'}, reminders sent ${state.remindersSent}`,
      `  why       ${state.requestReason}`,
      state.decision
        ? `  decision  ${state.decision} by ${state.decidedBy} at ${state.decidedAt} via ${state.decidedVia}: ${state.reason}`
        : '',
      state.executedAt ? `  executed  ${state.executedAt}` : '',
      state.error ? `  error     ${state.error}` : '',
      ...state.ignored.map((i) => `  ignored   ${i.decision} by "${i.approver}" at ${i.at}: ${i.why}`),
    ]
      .filter((line) => line !== '')
      .join('\n'),
  );
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { approver: { type: 'string' }, reason: { type: 'string' }, help: { type: 'boolean' } },
  });
  const [command, workflowId] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return values.help ? 0 : 1;
  }
  if (!['list', 'show', 'approve', 'reject'].includes(command)) {
    console.error(`unknown command "${command}"\n\n${HELP}`);
    return 1;
  }
  if (command !== 'list' && !workflowId) {
    console.error(`${command} needs a workflow id, e.g. rollback-approval-2.0.0-2025-11-14`);
    return 1;
  }

  const temporal = readTemporalConfig();
  const { client, close } = await connectClient(temporal);
  const database = command === 'list' || command === 'show' ? await openDatabase(readConfig()) : undefined;
  try {
    if (command === 'list') {
      const pending = await findPendingApprovals(client, database!.db, temporal.taskQueue);
      if (pending.length === 0) console.log('no pending rollback approvals');
      pending.forEach(printState);
      return 0;
    }
    const handle = client.workflow.getHandle(workflowId!);
    if (command === 'show') {
      printState(await handle.query(rollbackStateQuery));
      for (const row of await historyLines(database!.db, workflowId!)) console.log(`  history   ${row}`);
      return 0;
    }
    const approver = values.approver?.trim();
    const reason = values.reason?.trim();
    if (!approver || !reason) {
      console.error(`${command} needs --approver <name> and --reason <text>`);
      return 1;
    }
    const state = await handle.query(rollbackStateQuery);
    try {
      const outcome = await handle.executeUpdate(decideRollbackUpdate, {
        args: [
          { decision: command === 'approve' ? 'approve' : 'reject', approver, reason, version: state.candidateVersion },
        ],
      });
      printState(outcome);
      return outcome.state === 'failed' ? 3 : 0;
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        console.error(`refused: ${err.cause?.message ?? err.message}`);
        return 2;
      }
      throw err;
    }
  } finally {
    await database?.close();
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    log.error({ err }, 'approvals command failed');
    process.exit(1);
  },
);
