export * from './registry.js';
export * from './market.js';
export * from './predictions.js';
export * from './drift.js';
export * from './monitoring.js';
export * from './alerts.js';
