/**
 * Writes the synthetic data set to disk: the manifest with both model versions, the scrip master, the training
 * samples, one predictions file per trading day, the daily BhavCopies in BSE's own layouts, and the true outcomes
 * (for checking the label stage, never read by the monitor).
 *
 *   npx tsx scripts/generate-data.ts [--seed 8] [--out data/synthetic] [--days 130] [--scrips 4000]
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { bhavCopyFileName, formatBhavCopy, zipBhavCopy } from '../domain/bhavcopy/format.js';
import type { BhavCopyFile } from '../domain/bhavcopy/types.js';
import {
  formatOutcomesCsv,
  formatPredictionsCsv,
  formatScripsCsv,
  formatTrainingCsv,
} from '../domain/synthetic/csv.js';
import { DEFAULT_SEED, generateSyntheticDataset, type SyntheticPrediction } from '../domain/synthetic/generate.js';
import { windowMetrics } from '../domain/synthetic/evaluate.js';

const USAGE = `Usage: npx tsx scripts/generate-data.ts [options]

Generates the deterministic synthetic data set the demo and the tests run on.

Options:
  --seed <int>     random seed (default ${DEFAULT_SEED}); the same seed writes the same files
  --out <dir>      output directory (default data/synthetic)
  --days <int>     trading days from 2024-04-15 (default 130)
  --scrips <int>   listed scrips (default 4000)
  --start <date>   first calendar date to trade from (default 2024-04-15)
  --help           show this text
`;

const OPTIONS = {
  seed: { type: 'string' },
  out: { type: 'string' },
  days: { type: 'string' },
  scrips: { type: 'string' },
  start: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface Args {
  readonly seed: number;
  readonly out: string;
  readonly days: number | undefined;
  readonly scrips: number | undefined;
  readonly start: string | undefined;
  readonly help: boolean;
}

function parsedValues(argv: readonly string[]) {
  try {
    return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: false, strict: true }).values;
  } catch (err) {
    // node:util names the flag and the problem; the usage error keeps the exit code and the pointer to --help.
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function readArgs(argv: readonly string[]): Args {
  const values = parsedValues(argv);
  const integer = (flag: 'seed' | 'days' | 'scrips'): number | undefined => {
    const raw = values[flag];
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) throw new UsageError(`--${flag} must be an integer, got "${raw}"`);
    return Number(raw);
  };
  return {
    seed: integer('seed') ?? DEFAULT_SEED,
    out: values.out ?? path.join('data', 'synthetic'),
    days: integer('days'),
    scrips: integer('scrips'),
    start: values.start,
    help: values.help ?? false,
  };
}

const GENERATED_DIRS = ['training', 'predictions', 'bhavcopy', 'truth'] as const;

/**
 * Clears the previous data set's folders so a shorter run leaves no stale days behind, but refuses to touch a
 * non-empty directory that holds no manifest: that is not ours to clear.
 */
async function prepareOutput(out: string): Promise<void> {
  const entries = await fs.readdir(out).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [] as string[];
    throw err;
  });
  if (entries.length > 0 && !entries.includes('manifest.json')) {
    throw new UsageError(`${out} is not empty and holds no manifest.json; choose an empty or generated directory`);
  }
  for (const dir of GENERATED_DIRS) await fs.rm(path.join(out, dir), { recursive: true, force: true });
  for (const dir of GENERATED_DIRS) await fs.mkdir(path.join(out, dir), { recursive: true });
}

/**
 * Most classic-layout days are written as the EQ_ISINCODE file (with ISIN and trade date), every fifth one as the
 * plain EQ file, and every tenth day of either layout zipped, so the parser meets each form BSE has published.
 */
function bhavCopyForms(file: BhavCopyFile, index: number): { withIsinAndDate: boolean; zipped: boolean } {
  return { withIsinAndDate: file.layout === 'classic' && index % 5 !== 2, zipped: index % 10 === 3 };
}

interface Written {
  files: number;
  bytes: number;
}

async function writeFile(target: string, data: string | Uint8Array, tally: Written): Promise<void> {
  await fs.writeFile(target, data);
  tally.files++;
  tally.bytes += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
}

async function main(): Promise<void> {
  const args = readArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  const started = performance.now();
  const dataset = generateSyntheticDataset({
    seed: args.seed,
    ...(args.days === undefined ? {} : { days: args.days }),
    ...(args.scrips === undefined ? {} : { scrips: args.scrips }),
    ...(args.start === undefined ? {} : { startDate: args.start }),
  });
  const generatedMs = performance.now() - started;
  await prepareOutput(args.out);

  // Scrip master, training samples and the hidden truth.
  const tally: Record<'meta' | 'training' | 'predictions' | 'bhavcopy' | 'truth', Written> = {
    meta: { files: 0, bytes: 0 },
    training: { files: 0, bytes: 0 },
    predictions: { files: 0, bytes: 0 },
    bhavcopy: { files: 0, bytes: 0 },
    truth: { files: 0, bytes: 0 },
  };
  await writeFile(path.join(args.out, 'scrips.csv'), formatScripsCsv(dataset.scrips), tally.meta);
  for (const [version, sample] of Object.entries(dataset.trainingSamples)) {
    await writeFile(path.join(args.out, 'training', `${version}.csv`), formatTrainingCsv(sample), tally.training);
  }
  await writeFile(path.join(args.out, 'truth', 'outcomes.csv'), formatOutcomesCsv(dataset.outcomes), tally.truth);

  // One predictions file per trading day, both versions in it.
  const byDay = new Map<string, SyntheticPrediction[]>(dataset.tradingDays.map((d) => [d, []]));
  for (const p of dataset.predictions) byDay.get(p.predictionDate)!.push(p);
  for (const [day, rows] of byDay) {
    await writeFile(path.join(args.out, 'predictions', `${day}.csv`), formatPredictionsCsv(rows), tally.predictions);
  }

  // BhavCopies in the layout BSE used on each day.
  let zipped = 0;
  for (const [index, file] of dataset.prices.entries()) {
    const forms = bhavCopyForms(file, index);
    const name = bhavCopyFileName(file.tradeDate, file.layout, { withIsinAndDate: forms.withIsinAndDate });
    const csv = formatBhavCopy(file, { withIsinAndDate: forms.withIsinAndDate });
    if (forms.zipped) {
      zipped++;
      const zipName = name.replace(/\.CSV$/, '.zip');
      await writeFile(path.join(args.out, 'bhavcopy', zipName), zipBhavCopy(name, csv), tally.bhavcopy);
    } else {
      await writeFile(path.join(args.out, 'bhavcopy', name), csv, tally.bhavcopy);
    }
  }

  // The manifest last: its presence marks a complete data set.
  const change = dataset.tradingDays.indexOf(dataset.regimeChangeDate);
  const f1 = Object.fromEntries(
    dataset.models.map((m) => [
      m.version,
      {
        test: m.testMetrics.f1,
        preChange30d: windowMetrics(dataset, m.version, change - 30, change).f1,
        postChange30d: windowMetrics(dataset, m.version, change, change + 30).f1,
      },
    ]),
  );
  const counts = {
    scrips: dataset.scrips.length,
    tradingDays: dataset.tradingDays.length,
    announcements: dataset.outcomes.length,
    predictions: dataset.predictions.length,
    positives: dataset.outcomes.filter((o) => o.outcome === 1).length,
    unpricedReactions: dataset.outcomes.filter((o) => !o.priced).length,
    priceRows: dataset.prices.reduce((n, f) => n + f.rows.length, 0),
    bhavcopyFiles: dataset.prices.length,
    zippedBhavcopyFiles: zipped,
    trainingRows: Object.fromEntries(Object.entries(dataset.trainingSamples).map(([v, s]) => [v, s.labels.length])),
  };
  const manifest = {
    seed: dataset.seed,
    tradingDays: dataset.tradingDays,
    regimeChangeDate: dataset.regimeChangeDate,
    driftedFeatures: dataset.driftedFeatures,
    activeVersion: dataset.activeVersion,
    models: dataset.models,
    counts,
    measuredF1: f1,
  };
  await writeFile(path.join(args.out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`, tally.meta);

  const mb = (w: Written): string => `${w.files} files, ${(w.bytes / 1e6).toFixed(1)} MB`;
  const lines = [
    `synthetic data set (seed ${dataset.seed}) written to ${args.out} in ${((performance.now() - started) / 1000).toFixed(1)} s` +
      ` (generation ${(generatedMs / 1000).toFixed(1)} s)`,
    `  manifest.json, scrips.csv      ${mb(tally.meta)}: ${counts.scrips} scrips`,
    `  training/                      ${mb(tally.training)}: ${Object.entries(counts.trainingRows)
      .map(([v, n]) => `${v} ${n} rows`)
      .join(', ')}`,
    `  predictions/                   ${mb(tally.predictions)}: ${counts.predictions} predictions for ${counts.announcements} announcements`,
    `  bhavcopy/                      ${mb(tally.bhavcopy)} (${zipped} zipped): ${counts.priceRows} price rows`,
    `  truth/outcomes.csv             ${mb(tally.truth)}: ${counts.positives} upper circuits, ${counts.unpricedReactions} reactions without a price`,
    `  trading days ${dataset.tradingDays[0]} .. ${dataset.tradingDays.at(-1)}, regime change ${dataset.regimeChangeDate}, drifted: ${dataset.driftedFeatures.join(', ')}`,
    ...dataset.models.map((m) => {
      const f = f1[m.version]!;
      return (
        `  model ${m.version} (${m.stage}${m.isActive ? ', active' : ''}): F1 test ${f.test.toFixed(3)}, ` +
        `30 days before the change ${f.preChange30d.toFixed(3)}, 30 days after ${f.postChange30d.toFixed(3)}`
      );
    }),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) process.stderr.write(`generate-data: ${err.message}\n\n${USAGE}`);
  else
    process.stderr.write(`generate-data failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
