/**
 * Turns known permanent faults into non-retryable Temporal failures whose type is the error's
 * class name, so the workflow's retry policies and an operator reading the history see the cause.
 */
import { ApplicationFailure } from '@temporalio/activity';

/** Bad input that no retry can fix: the message says what to change. */
export class InvalidInputError extends Error {
  override readonly name = 'InvalidInputError';
}

/** Drift cannot run without a baseline for the active version; the message says how to build one. */
export class BaselineMissingError extends Error {
  override readonly name = 'BaselineMissingError';
}

const PERMANENT = new Set([
  'InvalidInputError',
  'BaselineMissingError',
  'BhavCopyFormatError',
  'DriftInputError',
  'EscalationPolicyError',
  'ChannelConfigError',
  'UpperCircuitInputError',
]);

export function isPermanentFault(err: unknown): err is Error {
  return err instanceof Error && PERMANENT.has(err.name);
}

/** Runs an activity body; a permanent fault leaves as a non-retryable failure, anything else is retried. */
export async function failPermanentFaults<T>(body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    if (isPermanentFault(err)) {
      throw ApplicationFailure.create({ type: err.name, message: err.message, nonRetryable: true, cause: err });
    }
    throw err;
  }
}
