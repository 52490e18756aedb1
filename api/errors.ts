/**
 * The API's one table of coded errors. Every error body is `{ error: { code, message, field? } }`, and the HTTP
 * status comes from this table, never from the throw site, so a code always means the same status.
 */

export const API_ERRORS = {
  VALIDATION_FAILED: { status: 400, type: 'client_error' },
  INVALID_JSON: { status: 400, type: 'client_error' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, type: 'client_error' },
  BATCH_TOO_LARGE: { status: 413, type: 'client_error' },
  PAYLOAD_TOO_LARGE: { status: 413, type: 'client_error' },
  UNAUTHORIZED: { status: 401, type: 'client_error' },
  FORBIDDEN: { status: 403, type: 'client_error' },
  NOT_FOUND: { status: 404, type: 'client_error' },
  METHOD_NOT_ALLOWED: { status: 405, type: 'client_error' },
  CONFLICT: { status: 409, type: 'client_error' },
  NO_ACTIVE_MODEL: { status: 503, type: 'server_error' },
  DATABASE_UNAVAILABLE: { status: 503, type: 'server_error' },
  FEATURE_EXTRACTION_FAILED: { status: 500, type: 'server_error' },
  INTERNAL: { status: 500, type: 'server_error' },
} as const satisfies Record<string, { status: number; type: 'client_error' | 'server_error' }>;

export type ApiErrorCode = keyof typeof API_ERRORS;

export interface ApiErrorBody {
  readonly error: { readonly code: ApiErrorCode; readonly message: string; readonly field?: string };
}

/** Thrown by route handlers (this API's and other engineers' plugins) to answer with a coded error. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.status = API_ERRORS[code].status;
  }

  toBody(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.field ? { field: this.field } : {}) } };
  }
}

/** Ajv's `/predictions/3/rsi_14` as `body.predictions[3].rsi_14`, the way a client reads its own JSON. */
export function fieldPath(context: string, instancePath: string, property?: string): string {
  const parts = instancePath.split('/').slice(1);
  if (property !== undefined) parts.push(property);
  let out = context;
  for (const raw of parts) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(part) ? `[${part}]` : `.${part}`;
  }
  return out;
}

/** The subset of an Ajv error object that Fastify hands to the error handler. */
export interface SchemaViolation {
  readonly keyword: string;
  readonly instancePath: string;
  readonly message?: string;
  readonly params: Record<string, unknown>;
}

/**
 * One readable sentence for the first real schema violation. `if`/`then` wrapper errors are skipped because they
 * only say that a branch failed, which names no field.
 */
export function describeViolation(context: string, violations: readonly SchemaViolation[]): ApiError {
  const violation = violations.find((v) => v.keyword !== 'if' && v.keyword !== 'then') ?? violations[0];
  if (!violation) return new ApiError('VALIDATION_FAILED', `${context} is invalid`, context);
  const params = violation.params;
  if (violation.keyword === 'required' && typeof params.missingProperty === 'string') {
    const field = fieldPath(context, violation.instancePath, params.missingProperty);
    return new ApiError('VALIDATION_FAILED', `${field} is required (send null for a missing feature value)`, field);
  }
  if (violation.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
    const field = fieldPath(context, violation.instancePath, params.additionalProperty);
    return new ApiError('VALIDATION_FAILED', `${field} is not a known field`, field);
  }
  const field = fieldPath(context, violation.instancePath);
  if (violation.keyword === 'type' && (typeof params.type === 'string' || Array.isArray(params.type))) {
    const types = typeof params.type === 'string' ? params.type.split(',') : params.type.map(String);
    return new ApiError('VALIDATION_FAILED', `${field} must be ${types.join(' or ')}`, field);
  }
  return new ApiError('VALIDATION_FAILED', `${field} ${violation.message ?? 'is invalid'}`, field);
}
