/**
 * The reliability suite's summary table. Each test file collects one row per fault scenario and appends them to a
 * JSON file in its `afterAll`; this module is also the reliability project's globalSetup, whose teardown prints the
 * table once every file has run and writes it to artifacts/reliability-table.txt. The rows go through a file
 * because vitest runs each test file in its own module graph, so no in-memory list survives from one to the next.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'artifacts');
const ROWS_FILE = path.join(ARTIFACTS, 'reliability-rows.json');
const TABLE_FILE = path.join(ARTIFACTS, 'reliability-table.txt');

export interface ScenarioRow {
  readonly scenario: string;
  /** Daily runs the scenario drove. */
  readonly runs: number;
  /** Of those, how many finished with the summary of an undisturbed run. */
  readonly completed: number;
  /** Rows sharing a natural key, plus messages a provider would show twice (after its own dedup). */
  readonly duplicates: number;
  /** Rows of the reference run missing from the scenario's database. */
  readonly lostRows: number;
  /** What else was measured, e.g. a known gap that was observed. */
  readonly note?: string;
}

export interface ScenarioReport {
  add(row: ScenarioRow): void;
  readonly rows: readonly ScenarioRow[];
  /** Appends this file's rows to the shared file; call it from afterAll. */
  flush(): void;
}

function readRows(): ScenarioRow[] {
  if (!fs.existsSync(ROWS_FILE)) return [];
  return JSON.parse(fs.readFileSync(ROWS_FILE, 'utf8')) as ScenarioRow[];
}

export function scenarioReport(): ScenarioReport {
  const rows: ScenarioRow[] = [];
  return {
    rows,
    add: (row) => void rows.push(row),
    flush() {
      if (rows.length === 0) return;
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      fs.writeFileSync(ROWS_FILE, JSON.stringify([...readRows(), ...rows], null, 2));
      rows.length = 0;
    },
  };
}

export function formatScenarioTable(rows: readonly ScenarioRow[]): string {
  const header = ['scenario', 'runs', 'completed', 'duplicates', 'lost rows', 'note'];
  const body = rows.map((r) => [
    r.scenario,
    String(r.runs),
    String(r.completed),
    String(r.duplicates),
    String(r.lostRows),
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i >= 1 && i <= 4 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join(' | ')
      .trimEnd();
  const total = rows.reduce(
    (t, r) => ({
      runs: t.runs + r.runs,
      completed: t.completed + r.completed,
      dup: t.dup + r.duplicates,
      lost: t.lost + r.lostRows,
    }),
    { runs: 0, completed: 0, dup: 0, lost: 0 },
  );
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [
    line(header),
    rule,
    ...body.map(line),
    rule,
    line(['total', String(total.runs), String(total.completed), String(total.dup), String(total.lost), '']),
  ].join('\n');
}

/** globalSetup: each `vitest run --project reliability` starts with an empty table. */
export function setup(): void {
  fs.rmSync(ROWS_FILE, { force: true });
}

/** globalSetup teardown: the table, printed and kept as an artifact. */
export function teardown(): void {
  const rows = readRows();
  if (rows.length === 0) return;
  const table = formatScenarioTable(rows);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.writeFileSync(TABLE_FILE, `${table}\n`);
  console.log(`\nReliability scenarios (also in ${path.relative(process.cwd(), TABLE_FILE)}):\n${table}\n`);
}
