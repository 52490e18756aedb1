import { describe, expect, it } from 'vitest';
import { memoryLimit, readProcessIo } from './metrics.js';

describe('readProcessIo', () => {
  it('prefers storage bytes (read_bytes, write_bytes) when the kernel reports them', () => {
    const io = readProcessIo('rchar: 900\nwchar: 800\nread_bytes: 4096\nwrite_bytes: 8192\n');
    expect(io).toEqual({ read: 4096, write: 8192, source: 'storage' });
  });

  it('falls back to rchar and wchar, and says so, when storage bytes are missing', () => {
    expect(readProcessIo('rchar: 900\nwchar: 800\n')).toEqual({ read: 900, write: 800, source: 'syscalls' });
  });
});

describe('memoryLimit', () => {
  it('uses the configured limit before the cgroup or host memory', () => {
    expect(memoryLimit(2_000_000_000)).toEqual({ bytes: 2_000_000_000, source: 'config' });
    expect(memoryLimit(undefined).bytes).toBeGreaterThan(0);
  });
});
