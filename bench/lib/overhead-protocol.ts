/** What bench/api-overhead.ts and its server processes (bench/lib/overhead-server.ts) share. */
export interface VariantParts {
  readonly metrics: boolean;
  readonly logging: boolean;
  /** The API's `requestLogSampleRate` for this variant; absent: the API's default, every request line written. */
  readonly requestLogSampleRate?: number;
}

export const VARIANTS = {
  bare: { metrics: false, logging: false },
  instrumented: { metrics: true, logging: true },
  metrics: { metrics: true, logging: false },
  logging: { metrics: false, logging: true },
  sampled: { metrics: true, logging: true, requestLogSampleRate: 0.01 },
} as const satisfies Record<string, VariantParts>;
export type Variant = keyof typeof VARIANTS;

export type ServerMessage =
  { type: 'listening'; port: number } | { type: 'cpu'; userMicros: number; systemMicros: number };
export type ParentMessage = { type: 'cpu' } | { type: 'stop' };
