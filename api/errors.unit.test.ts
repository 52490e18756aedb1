import { describe, expect, it } from 'vitest';
import { describeViolation, fieldPath } from './errors.js';

describe('fieldPath', () => {
  it('writes array indices in brackets and properties with dots', () => {
    expect(fieldPath('body', '/predictions/3/rsi_14')).toBe('body.predictions[3].rsi_14');
    expect(fieldPath('body', '', 'roe')).toBe('body.roe');
  });
});

describe('describeViolation', () => {
  it('names the missing property rather than its parent object', () => {
    const error = describeViolation('body', [
      { keyword: 'required', instancePath: '/predictions/0', params: { missingProperty: 'roe' } },
    ]);
    expect(error).toMatchObject({ code: 'VALIDATION_FAILED', status: 400, field: 'body.predictions[0].roe' });
  });

  it('skips the if/then wrapper errors to report the real violation', () => {
    const error = describeViolation('body', [
      { keyword: 'type', instancePath: '/predictions/3/rsi_14', params: { type: 'number,null' } },
      { keyword: 'if', instancePath: '', params: { failingKeyword: 'then' } },
    ]);
    expect(error.message).toBe('body.predictions[3].rsi_14 must be number or null');
  });
});
