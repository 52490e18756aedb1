import { describe, expect, it } from 'vitest';
import { DEFAULT_API_CONFIG, readApiConfig } from './config.js';

describe('readApiConfig', () => {
  it('gives the defaults for an empty environment', () => {
    expect(readApiConfig({})).toEqual(DEFAULT_API_CONFIG);
  });

  it('reads the request-line sample rate and the slow-request threshold', () => {
    const config = readApiConfig({ API_REQUEST_LOG_SAMPLE_RATE: '0.05', API_SLOW_REQUEST_MS: '250' });
    expect(config).toMatchObject({ requestLogSampleRate: 0.05, slowRequestMs: 250 });
    expect(readApiConfig({ API_REQUEST_LOG_SAMPLE_RATE: '0' }).requestLogSampleRate).toBe(0);
  });

  it('names the variable and the bad value', () => {
    expect(() => readApiConfig({ API_REQUEST_LOG_SAMPLE_RATE: '5%' })).toThrow(
      /API_REQUEST_LOG_SAMPLE_RATE.*must be a number from 0 to 1, got "5%"/,
    );
    expect(() => readApiConfig({ API_REQUEST_LOG_SAMPLE_RATE: '1.2' })).toThrow(/got "1.2"/);
    expect(() => readApiConfig({ API_SLOW_REQUEST_MS: '-3' })).toThrow(/API_SLOW_REQUEST_MS.*got "-3"/);
    expect(() => readApiConfig({ API_PORT: '70000' })).toThrow(/API_PORT.*from 0 to 65535/);
  });
});
