import { describe, expect, it } from 'vitest';
import {
  SyntheticCsvError,
  formatOutcomesCsv,
  formatPredictionsCsv,
  formatScripsCsv,
  formatTrainingCsv,
  parseOutcomesCsv,
  parseScripsCsv,
  parseTrainingCsv,
  readPredictionsCsv,
} from './csv.js';
import { generateSyntheticDataset } from './generate.js';

const ds = generateSyntheticDataset({ seed: 21, scrips: 200, days: 15, trainingRows: 600 });

describe('synthetic CSV round trip', () => {
  it('reads predictions back exactly as generated, missing features as null', () => {
    const text = formatPredictionsCsv(ds.predictions);
    expect(text.split('\n')[0]).toMatch(
      /^bse_code,prediction_date,earnings_date,model_version,predicted_probability,predicted_label,served,rsi_14,/,
    );
    const back = readPredictionsCsv(text);
    expect(back).toEqual(ds.predictions);
    expect(back.some((p) => p.features.earnings_surprise_pct === null)).toBe(true);
  });

  it('reads training samples back exactly, labels included', () => {
    const sample = ds.trainingSamples['1.1.0']!;
    expect(parseTrainingCsv(formatTrainingCsv(sample))).toEqual(sample);
  });

  it('reads scrips and outcomes back exactly', () => {
    expect(parseScripsCsv(formatScripsCsv(ds.scrips))).toEqual(ds.scrips);
    expect(parseOutcomesCsv(formatOutcomesCsv(ds.outcomes))).toEqual(ds.outcomes);
  });

  it('keeps NaN and infinities apart from missing values, and accepts CRLF line ends', () => {
    const p = ds.predictions[0]!;
    const odd = { ...p, features: { ...p.features, rsi_14: NaN, roe: Infinity, beta_1y: -Infinity, atr_14: null } };
    const back = readPredictionsCsv(formatPredictionsCsv([odd]).replace(/\n/g, '\r\n'))[0]!;
    expect(back.features.rsi_14).toBeNaN();
    expect(back.features.roe).toBe(Infinity);
    expect(back.features.beta_1y).toBe(-Infinity);
    expect(back.features.atr_14).toBeNull();
  });

  it('quotes a scrip name holding a comma or a quote', () => {
    const odd = [{ ...ds.scrips[0]!, name: 'Shree "Om", Textiles Ltd' }];
    expect(parseScripsCsv(formatScripsCsv(odd))).toEqual(odd);
  });
});

describe('synthetic CSV errors', () => {
  const header = formatTrainingCsv({ features: [], labels: [] }).trim();

  it('names the file, line and column of a bad value', () => {
    const row = ds.trainingSamples['1.0.0']!;
    const lines = formatTrainingCsv({ features: row.features.slice(0, 3), labels: row.labels.slice(0, 3) }).split('\n');
    lines[2] = lines[2]!.replace(/^[^,]*/, 'abc');
    expect(() => parseTrainingCsv(lines.join('\n'), 'training/1.0.0.csv')).toThrow(
      'training/1.0.0.csv, line 3, column rsi_14: "abc" is not a number',
    );
  });

  it('rejects a missing column, an unknown column, a short row and a bad label', () => {
    expect(() => parseTrainingCsv(header.replace(',label', ''))).toThrow(/column label: column is missing/);
    expect(() => parseTrainingCsv(`${header},extra`)).toThrow(/column extra: unexpected column/);
    expect(() => parseTrainingCsv(`${header}\n1,2,3`)).toThrow(/line 2: 3 cells where the header has 26/);
    const cells = Array<string>(25).fill('1');
    expect(() => parseTrainingCsv(`${header}\n${cells.join(',')},2`)).toThrow(SyntheticCsvError);
    expect(() => parseTrainingCsv('')).toThrow(/the file is empty/);
  });

  it('rejects a probability outside 0-1 and a malformed scrip code', () => {
    const text = formatPredictionsCsv(ds.predictions.slice(0, 1));
    const [head, row] = text.trim().split('\n') as [string, string];
    const cells = row.split(',');
    cells[4] = '1.5';
    expect(() => readPredictionsCsv(`${head}\n${cells.join(',')}`)).toThrow(
      /column predicted_probability: 1.5 lies outside/,
    );
    cells[4] = '0.5';
    cells[0] = '12';
    expect(() => readPredictionsCsv(`${head}\n${cells.join(',')}`)).toThrow(/column bse_code: "12" is not a 6-digit/);
  });
});
