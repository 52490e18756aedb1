/** What bench/api-overhead.ts and its server processes (bench/lib/overhead-server.ts) share. */
export const VARIANTS = {
  bare: { metrics: false, logging: false },
  instrumented: { metrics: true, logging: true },
  metrics: { metrics: true, logging: false },
  logging: { metrics: false, logging: true },
} as const;
export type Variant = keyof typeof VARIANTS;

export type ServerMessage =
  { type: 'listening'; port: number } | { type: 'cpu'; userMicros: number; systemMicros: number };
export type ParentMessage = { type: 'cpu' } | { type: 'stop' };
