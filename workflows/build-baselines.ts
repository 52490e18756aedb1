/** Builds (or rebuilds after retraining) the drift baselines of one model version. */
import { log, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';

const activities = proxyActivities<Activities>({
  startToCloseTimeout: '15 minutes',
  retry: {
    initialInterval: '2 seconds',
    maximumAttempts: 5,
    nonRetryableErrorTypes: ['InvalidInputError', 'BaselineMissingError'],
  },
});

export interface BuildBaselinesInput {
  readonly modelVersion: string;
  readonly binScheme: 'decile' | 'equal_width';
}

export async function buildBaselinesWorkflow(
  input: BuildBaselinesInput,
): Promise<{ features: number; sampleSize: number }> {
  const result = await activities.buildDriftBaselines(input);
  log.info('drift baselines built', { modelVersion: input.modelVersion, features: result.features });
  return result;
}
