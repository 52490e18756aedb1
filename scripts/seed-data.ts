/** Generates (if needed) and loads the synthetic data set into DATABASE_URL or the embedded database. */
import path from 'node:path';
import { readConfig } from '../config/index.js';
import { openDatabase } from '../db/client.js';
import { loadSyntheticData } from '../loaders/synthetic.js';
import { runScript } from './lib/cli.js';
import { ensureSyntheticData } from './lib/synthetic-data.js';

const USAGE = `Usage: npx tsx scripts/seed-data.ts
  Makes sure DATA_DIR/synthetic holds the synthetic data set (scripts/generate-data.ts), migrates the
  database, and loads the model registry, scrips, training samples and batch predictions. Loading
  twice changes nothing. BhavCopy files stay on disk for the ground-truth stage (BHAVCOPY_SOURCE).
Examples:
  npx tsx scripts/seed-data.ts
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/vcp npx tsx scripts/seed-data.ts
`;

runScript('seed-data', USAGE, async () => {
  const config = readConfig();
  const dir = path.join(config.dataDir, 'synthetic');
  const generated = await ensureSyntheticData({ dir });
  if (generated.generated) process.stdout.write(generated.output);
  const database = await openDatabase(config);
  try {
    await database.migrate();
    const loaded = await loadSyntheticData(database.db, dir);
    process.stdout.write(`loaded ${JSON.stringify(loaded)} into ${database.kind}\n`);
  } finally {
    await database.close();
  }
});
