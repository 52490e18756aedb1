/** Parsing of single environment values, shared by the settings readers; errors name the variable. */
import { ConfigError } from './index.js';

export type Env = Readonly<Record<string, string | undefined>>;

export function numberFrom(
  env: Env,
  name: string,
  fallback: number,
  check: (n: number) => boolean,
  rule: string,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || !check(value)) throw new ConfigError(name, `"${raw}" is not ${rule}`);
  return value;
}

export const fraction = (n: number): boolean => n > 0 && n < 1;

/** Temporal duration text; the workflow parses it, so only the shapes it accepts pass. */
export function durationFrom(env: Env, name: string, fallback: string): string {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+(\.\d+)?\s*(ms|milliseconds?|s|seconds?|m|minutes?|h|hours?|d|days?)$/.test(raw)) {
    throw new ConfigError(name, `"${raw}" is not a duration such as "30 seconds", "4 hours" or "2d"`);
  }
  return raw;
}
