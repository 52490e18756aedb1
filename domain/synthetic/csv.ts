/**
 * The CSV forms of the synthetic data set (predictions, training samples, scrips, true outcomes) and their
 * readers, so the loader gets back exactly what the generator wrote. An empty cell is a missing feature;
 * `NaN`, `Infinity` and `-Infinity` are kept as such, because the drift stage counts them separately.
 */
import type { Scrip } from '../bhavcopy/types.js';
import { FEATURE_NAMES, type FeatureName, type FeatureVector } from '../features.js';
import type { SyntheticOutcome, SyntheticPrediction, TrainingSample } from './generate.js';

export class SyntheticCsvError extends Error {
  override readonly name = 'SyntheticCsvError';
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: string | null,
    problem: string,
  ) {
    super(`${file}, line ${line}${column === null ? '' : `, column ${column}`}: ${problem}`);
  }
}

export const PREDICTION_COLUMNS = [
  'bse_code',
  'prediction_date',
  'earnings_date',
  'model_version',
  'predicted_probability',
  'predicted_label',
  'served',
  ...FEATURE_NAMES,
] as const;

export const TRAINING_COLUMNS = [...FEATURE_NAMES, 'label'] as const;
export const SCRIP_COLUMNS = ['bse_code', 'name', 'isin', 'group', 'price_band_pct'] as const;
export const OUTCOME_COLUMNS = ['bse_code', 'earnings_date', 'reaction_date', 'outcome', 'priced'] as const;

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Shortest text that reads back to the same double. */
function formatNumber(value: number | null): string {
  if (value === null) return '';
  return String(value);
}

function toCsv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const lines = [header.join(',')];
  for (const row of rows) lines.push(row.map(quote).join(','));
  return `${lines.join('\n')}\n`;
}

/** Splits CSV text into records of cells; handles quoted cells, doubled quotes and CRLF. */
function splitCsv(text: string, file: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = 0;
  const endRecord = (): void => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) records.push({ line: recordLine, cells });
    cells = [];
    cell = '';
  };
  while (i < text.length) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
      i++;
      continue;
    }
    if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else cell += ch;
    i++;
  }
  if (quoted) throw new SyntheticCsvError(file, recordLine, null, 'a quoted cell is never closed');
  if (cell !== '' || cells.length > 0) endRecord();
  return records;
}

interface Table<C extends string> {
  readonly rows: { line: number; get: (column: C) => string }[];
}

function readTable<C extends string>(text: string, file: string, columns: readonly C[]): Table<C> {
  const records = splitCsv(text.replace(/^\uFEFF/, ''), file);
  const header = records[0];
  if (header === undefined) throw new SyntheticCsvError(file, 1, null, 'the file is empty; a header row is expected');
  const index = new Map<string, number>();
  header.cells.forEach((name, k) => index.set(name.trim(), k));
  for (const column of columns) {
    if (!index.has(column)) throw new SyntheticCsvError(file, header.line, column, 'column is missing from the header');
  }
  for (const name of index.keys()) {
    if (!(columns as readonly string[]).includes(name)) {
      throw new SyntheticCsvError(file, header.line, name, 'unexpected column in the header');
    }
  }
  return {
    rows: records.slice(1).map((record) => {
      if (record.cells.length !== header.cells.length) {
        throw new SyntheticCsvError(
          file,
          record.line,
          null,
          `${record.cells.length} cells where the header has ${header.cells.length}`,
        );
      }
      return { line: record.line, get: (column: C) => record.cells[index.get(column)!]! };
    }),
  };
}

function parseFeature(file: string, line: number, column: string, raw: string): number | null {
  const text = raw.trim();
  if (text === '') return null;
  if (text === 'NaN') return NaN;
  if (text === 'Infinity') return Infinity;
  if (text === '-Infinity') return -Infinity;
  const value = Number(text);
  if (Number.isNaN(value)) throw new SyntheticCsvError(file, line, column, `"${raw}" is not a number`);
  return value;
}

function parseFinite(file: string, line: number, column: string, raw: string): number {
  const value = Number(raw.trim());
  if (raw.trim() === '' || !Number.isFinite(value)) {
    throw new SyntheticCsvError(file, line, column, `"${raw}" is not a finite number`);
  }
  return value;
}

function parseBseCode(file: string, line: number, raw: string): number {
  const code = parseFinite(file, line, 'bse_code', raw);
  if (!Number.isInteger(code) || code < 100000 || code > 999999) {
    throw new SyntheticCsvError(file, line, 'bse_code', `"${raw}" is not a 6-digit scrip code`);
  }
  return code;
}

function parseLabel(file: string, line: number, column: string, raw: string): 0 | 1 {
  if (raw.trim() === '0') return 0;
  if (raw.trim() === '1') return 1;
  throw new SyntheticCsvError(file, line, column, `"${raw}" is not a label (0 or 1)`);
}

function parseBoolean(file: string, line: number, column: string, raw: string): boolean {
  if (raw.trim() === 'true') return true;
  if (raw.trim() === 'false') return false;
  throw new SyntheticCsvError(file, line, column, `"${raw}" is not true or false`);
}

function parseDate(file: string, line: number, column: string, raw: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(raw.trim())) {
    throw new SyntheticCsvError(file, line, column, `"${raw}" is not an ISO date like 2024-04-15`);
  }
  return raw.trim();
}

function readFeatures(file: string, line: number, get: (column: FeatureName) => string): FeatureVector {
  const features = {} as Record<FeatureName, number | null>;
  for (const name of FEATURE_NAMES) features[name] = parseFeature(file, line, name, get(name));
  return features;
}

export function formatPredictionsCsv(predictions: readonly SyntheticPrediction[]): string {
  return toCsv(
    PREDICTION_COLUMNS,
    predictions.map((p) => [
      String(p.bseCode),
      p.predictionDate,
      p.earningsDate,
      p.modelVersion,
      String(p.predictedProbability),
      String(p.predictedLabel),
      String(p.served),
      ...FEATURE_NAMES.map((name) => formatNumber(p.features[name])),
    ]),
  );
}

export function readPredictionsCsv(text: string, file = 'predictions.csv'): SyntheticPrediction[] {
  const table = readTable(text, file, PREDICTION_COLUMNS);
  return table.rows.map(({ line, get }) => {
    const predictedProbability = parseFinite(file, line, 'predicted_probability', get('predicted_probability'));
    if (predictedProbability < 0 || predictedProbability > 1) {
      throw new SyntheticCsvError(file, line, 'predicted_probability', `${predictedProbability} lies outside 0-1`);
    }
    const modelVersion = get('model_version').trim();
    if (modelVersion === '') throw new SyntheticCsvError(file, line, 'model_version', 'the model version is empty');
    return {
      bseCode: parseBseCode(file, line, get('bse_code')),
      predictionDate: parseDate(file, line, 'prediction_date', get('prediction_date')),
      earningsDate: parseDate(file, line, 'earnings_date', get('earnings_date')),
      modelVersion,
      predictedProbability,
      predictedLabel: parseLabel(file, line, 'predicted_label', get('predicted_label')),
      served: parseBoolean(file, line, 'served', get('served')),
      features: readFeatures(file, line, get),
    };
  });
}

export function formatTrainingCsv(sample: TrainingSample): string {
  return toCsv(
    TRAINING_COLUMNS,
    sample.features.map((row, i) => [
      ...FEATURE_NAMES.map((name) => formatNumber(row[name])),
      String(sample.labels[i]),
    ]),
  );
}

export function parseTrainingCsv(text: string, file = 'training.csv'): TrainingSample {
  const table = readTable(text, file, TRAINING_COLUMNS);
  const features: FeatureVector[] = [];
  const labels: (0 | 1)[] = [];
  for (const { line, get } of table.rows) {
    features.push(readFeatures(file, line, get));
    labels.push(parseLabel(file, line, 'label', get('label')));
  }
  return { features, labels };
}

export function formatScripsCsv(scrips: readonly Scrip[]): string {
  return toCsv(
    SCRIP_COLUMNS,
    scrips.map((s) => [String(s.bseCode), s.name, s.isin, s.group, String(s.priceBandPct)]),
  );
}

export function parseScripsCsv(text: string, file = 'scrips.csv'): Scrip[] {
  const table = readTable(text, file, SCRIP_COLUMNS);
  return table.rows.map(({ line, get }) => {
    const band = Number(get('price_band_pct').trim());
    if (band !== 2 && band !== 5 && band !== 10 && band !== 20) {
      throw new SyntheticCsvError(file, line, 'price_band_pct', `"${get('price_band_pct')}" is not 2, 5, 10 or 20`);
    }
    const isin = get('isin').trim();
    if (!/^IN[A-Z0-9]{10}$/.test(isin)) {
      throw new SyntheticCsvError(file, line, 'isin', `"${isin}" is not a 12-character Indian ISIN`);
    }
    return {
      bseCode: parseBseCode(file, line, get('bse_code')),
      name: get('name'),
      isin,
      group: get('group').trim(),
      priceBandPct: band,
    };
  });
}

export function formatOutcomesCsv(outcomes: readonly SyntheticOutcome[]): string {
  return toCsv(
    OUTCOME_COLUMNS,
    outcomes.map((o) => [String(o.bseCode), o.earningsDate, o.reactionDate, String(o.outcome), String(o.priced)]),
  );
}

export function parseOutcomesCsv(text: string, file = 'outcomes.csv'): SyntheticOutcome[] {
  const table = readTable(text, file, OUTCOME_COLUMNS);
  return table.rows.map(({ line, get }) => ({
    bseCode: parseBseCode(file, line, get('bse_code')),
    earningsDate: parseDate(file, line, 'earnings_date', get('earnings_date')),
    reactionDate: parseDate(file, line, 'reaction_date', get('reaction_date')),
    outcome: parseLabel(file, line, 'outcome', get('outcome')),
    priced: parseBoolean(file, line, 'priced', get('priced')),
  }));
}
