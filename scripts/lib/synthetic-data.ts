/** Makes sure the bundled synthetic data set exists, generating it with scripts/generate-data.ts when not. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const GENERATOR = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'generate-data.ts');

export interface EnsureDataOptions {
  readonly dir: string;
  readonly seed?: number;
  readonly scrips?: number;
  readonly days?: number;
}

/** Generation is deterministic, so an existing complete set (its manifest is written last) is reused. */
export async function ensureSyntheticData(options: EnsureDataOptions): Promise<{ generated: boolean; output: string }> {
  if (fs.existsSync(path.join(options.dir, 'manifest.json'))) return { generated: false, output: '' };
  const args = [GENERATOR, '--out', options.dir];
  if (options.seed !== undefined) args.push('--seed', String(options.seed));
  if (options.scrips !== undefined) args.push('--scrips', String(options.scrips));
  if (options.days !== undefined) args.push('--days', String(options.days));
  const tsx = path.join(path.dirname(GENERATOR), '..', 'node_modules', '.bin', 'tsx');
  const { stdout } = await run(tsx, args, { maxBuffer: 16 * 1024 * 1024 });
  return { generated: true, output: stdout };
}
