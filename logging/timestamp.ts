/**
 * ISO-8601 timestamps for log lines. Formatting a Date costs about half a microsecond and a busy API writes several
 * lines in the same millisecond (request line, audit lines), so the string of the last millisecond is reused.
 */
let lastMs = Number.NaN;
let lastIso = '';

export function isoTimestamp(epochMs: number): string {
  if (epochMs !== lastMs) {
    lastIso = new Date(epochMs).toISOString();
    lastMs = epochMs;
  }
  return lastIso;
}
