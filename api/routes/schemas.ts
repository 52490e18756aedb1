/** JSON schemas of the prediction API's request bodies. */
import { FEATURE_NAMES } from '../../domain/features.js';

const featureProperties = Object.fromEntries(FEATURE_NAMES.map((name) => [name, { type: ['number', 'null'] }]));

/**
 * Every feature is required but may be null (missing, imputed with the training mean). Requiring the key makes a
 * misspelt feature name an error instead of a silent imputation: Fastify's default Ajv settings strip unknown
 * properties rather than reject them.
 */
export const predictionItemSchema = {
  type: 'object',
  required: ['bse_code', 'prediction_date', ...FEATURE_NAMES],
  additionalProperties: false,
  properties: {
    bse_code: { type: 'integer', minimum: 1, maximum: 999_999 },
    prediction_date: { type: 'string', format: 'date' },
    /** Only used when predictions are persisted; defaults to prediction_date there. */
    earnings_date: { type: 'string', format: 'date' },
    ...featureProperties,
  },
} as const;

/** One company, or `{ predictions: [...] }`; `if`/`then` keeps the error on the offending field. */
export const predictBodySchema = {
  type: 'object',
  if: { required: ['predictions'] },
  then: {
    required: ['predictions'],
    additionalProperties: false,
    properties: { predictions: { type: 'array', minItems: 1, items: predictionItemSchema } },
  },
  else: predictionItemSchema,
} as const;
