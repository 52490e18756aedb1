/** `npm run db:migrate`: applies the committed migrations to DATABASE_URL (or the embedded database). */
import { readConfig } from '../config/index.js';
import { componentLogger } from '../logging/logger.js';
import { openDatabase } from './client.js';

const log = componentLogger('migrate');

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    console.log(
      'Usage: npm run db:migrate\n  Applies db/migrations to DATABASE_URL, or to the embedded PGlite database under DATA_DIR.',
    );
    return;
  }
  const config = readConfig();
  const handle = await openDatabase(config);
  try {
    await handle.migrate();
    log.info({ kind: handle.kind }, 'migrations applied');
  } finally {
    await handle.close();
  }
}

main().catch((err: unknown) => {
  log.error({ err }, 'migration failed');
  process.exit(1);
});
