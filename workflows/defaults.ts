/**
 * Defaults the workflows fall back to when an input predates a setting: a schedule's action keeps the
 * arguments it was created with, and a replayed history carries the input of its day, so a new setting
 * must never be required of old inputs.
 */
export const DEFAULT_STAGE_TIMEOUTS = { ingest: '10 minutes', compute: '15 minutes', record: '2 minutes' } as const;
