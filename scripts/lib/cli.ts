/** What every script shares: --help handling, and a main() whose failure is logged before exit 1. */
import { componentLogger } from '../../logging/logger.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function runScript(name: string, usage: string, main: (argv: string[]) => Promise<void>): void {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage);
    return;
  }
  const log = componentLogger(name);
  main(argv).catch((err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`${name}: ${err.message}\n\n${usage}`);
      process.exit(2);
    }
    log.error({ err }, `${name} failed`);
    process.exit(1);
  });
}

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isoDayArgument(name: string, value: string | undefined): string {
  if (value === undefined) throw new UsageError(`--${name} is required (YYYY-MM-DD)`);
  if (!ISO_DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`--${name} "${value}" is not a date YYYY-MM-DD`);
  }
  return value;
}
