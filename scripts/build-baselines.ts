/** Builds (or rebuilds after retraining) the drift baselines of a model version through Temporal. */
import { parseArgs } from 'node:util';
import { readTemporalConfig } from '../config/index.js';
import { connectClient } from '../temporal/connection.js';
import { buildBaselines } from '../temporal/daily-runs.js';
import { runScript, UsageError } from './lib/cli.js';

const USAGE = `Usage: npx tsx scripts/build-baselines.ts --version X.Y.Z [--bins decile|equal_width]
  Runs drift-baselines-<version>: one baseline per feature from the version's training sample
  (table training_samples), stored in drift_baselines. Rebuilding replaces them in place.
Examples:
  npx tsx scripts/build-baselines.ts --version 1.1.0
  npx tsx scripts/build-baselines.ts --version 1.2.0 --bins equal_width
`;

runScript('build-baselines', USAGE, async (argv) => {
  const { values } = parseArgs({ args: argv, options: { version: { type: 'string' }, bins: { type: 'string' } } });
  if (!values.version) throw new UsageError('--version is required');
  const bins = values.bins ?? 'decile';
  if (bins !== 'decile' && bins !== 'equal_width')
    throw new UsageError(`--bins "${bins}" is not decile or equal_width`);
  const temporal = readTemporalConfig();
  const { client, close } = await connectClient(temporal);
  try {
    const result = await buildBaselines(client, {
      modelVersion: values.version,
      taskQueue: temporal.taskQueue,
      binScheme: bins,
    });
    process.stdout.write(
      `baselines for ${values.version}: ${result.features} features from ${result.sampleSize} training rows\n`,
    );
  } finally {
    await close();
  }
});
