import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { istDay, nextIstMidnight, RotatingFileStream } from './rotating-file.js';

let dir: string;
let nowMs: number;
const clock = () => nowMs;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-rotate-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(stream: RotatingFileStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (err) => (err ? reject(err) : resolve())));
}

const listing = () => fs.readdirSync(dir).sort();
const gunzip = (name: string) => gunzipSync(fs.readFileSync(path.join(dir, name))).toString('utf8');

describe('IST day arithmetic', () => {
  it('puts 18:29:59.999 UTC on the same IST day and 18:30 UTC on the next', () => {
    expect(istDay(Date.parse('2026-03-14T18:29:59.999Z'))).toBe('2026-03-14');
    expect(istDay(Date.parse('2026-03-14T18:30:00.000Z'))).toBe('2026-03-15');
    expect(new Date(nextIstMidnight(Date.parse('2026-03-14T10:00:00Z'))).toISOString()).toBe(
      '2026-03-14T18:30:00.000Z',
    );
    expect(new Date(nextIstMidnight(Date.parse('2026-03-14T18:30:00Z'))).toISOString()).toBe(
      '2026-03-15T18:30:00.000Z',
    );
  });
});

describe('RotatingFileStream', () => {
  it('rotates at midnight Asia/Kolkata (18:30 UTC), names the file for the IST day it covers and gzips it', async () => {
    nowMs = Date.parse('2026-03-14T18:29:59.000Z');
    const stream = new RotatingFileStream({ dir, base: 'app', now: clock });
    await write(stream, 'line before midnight 1\n');
    nowMs = Date.parse('2026-03-14T18:29:59.999Z');
    await write(stream, 'line before midnight 2\n');
    nowMs = Date.parse('2026-03-14T18:30:00.000Z');
    await write(stream, 'line after midnight\n');
    await stream.idle();

    expect(listing()).toEqual(['app-2026-03-14.1.log.gz', 'app.log']);
    expect(gunzip('app-2026-03-14.1.log.gz')).toBe('line before midnight 1\nline before midnight 2\n');
    expect(fs.readFileSync(path.join(dir, 'app.log'), 'utf8')).toBe('line after midnight\n');
    await stream.close();
  });

  it('sends a line held in a write batch across midnight to the day it was logged on', async () => {
    nowMs = Date.parse('2026-03-14T18:29:59.990Z');
    const stream = new RotatingFileStream({ dir, base: 'app', now: clock, batchMs: 1_000 });
    stream.writeLine('logged at 23:59:59.990 IST\n');
    nowMs = Date.parse('2026-03-14T18:30:00.005Z');
    stream.writeLine('logged at 00:00:00.005 IST\n');
    // Nothing is on disk yet: both lines wait in the batch until idle() releases it.
    expect(fs.existsSync(path.join(dir, 'app-2026-03-14.1.log.gz'))).toBe(false);
    await stream.idle();
    expect(gunzip('app-2026-03-14.1.log.gz')).toBe('logged at 23:59:59.990 IST\n');
    expect(fs.readFileSync(path.join(dir, 'app.log'), 'utf8')).toBe('logged at 00:00:00.005 IST\n');
    await stream.close();
  });

  it('rotates before a line would take the file past the size limit, numbering rotations within the day', async () => {
    nowMs = Date.parse('2026-03-14T06:00:00.000Z');
    const maxBytes = 10 * 1024;
    const stream = new RotatingFileStream({ dir, base: 'app', now: clock, maxBytes });
    const lines = Array.from({ length: 300 }, (_, i) => `{"n":${i},"pad":"${'x'.repeat(80)}"}\n`);
    for (const line of lines) stream.write(line);
    await stream.idle();

    const archives = listing().filter((n) => n.endsWith('.gz'));
    expect(archives).toEqual(['app-2026-03-14.1.log.gz', 'app-2026-03-14.2.log.gz']);
    const pieces = [...archives.map(gunzip), fs.readFileSync(path.join(dir, 'app.log'), 'utf8')];
    for (const piece of pieces) expect(Buffer.byteLength(piece)).toBeLessThanOrEqual(maxBytes);
    // Decompressed archives followed by the active file are exactly what was written, in order, no line split.
    expect(pieces.join('')).toBe(lines.join(''));
    for (const piece of pieces) expect(piece.endsWith('\n')).toBe(true);
    await stream.close();
  });

  it('continues the numbering after archives left by an earlier process on the same day', async () => {
    nowMs = Date.parse('2026-03-14T06:00:00.000Z');
    fs.writeFileSync(path.join(dir, 'app-2026-03-14.1.log.gz'), 'old');
    fs.writeFileSync(path.join(dir, 'app-2026-03-14.2.log.gz'), 'old');
    const stream = new RotatingFileStream({ dir, base: 'app', now: clock, maxBytes: 20 });
    await write(stream, '0123456789abcdef\n');
    await write(stream, 'second line here\n');
    await stream.idle();
    expect(listing()).toContain('app-2026-03-14.3.log.gz');
    expect(gunzip('app-2026-03-14.3.log.gz')).toBe('0123456789abcdef\n');
    await stream.close();
  });

  it('deletes rotated files older than the retention (30 days for app, 90 for audit) and keeps younger ones', async () => {
    nowMs = Date.parse('2026-06-30T06:00:00.000Z'); // IST day 2026-06-30
    const names = [
      'app-2026-05-30.1.log.gz', // 31 days old: deleted
      'app-2026-05-31.1.log.gz', // exactly 30 days old: kept
      'app-2026-06-29.2.log', // not yet compressed, young: kept
      'audit-2026-03-31.1.log.gz', // 91 days old: deleted by the audit stream
      'audit-2026-04-01.1.log.gz', // 90 days old: kept
      'audit-2026-05-01.1.log.gz', // older than 30 days, audit keeps it
      'errors-2026-01-01.1.log.gz', // another stream's file: the app stream leaves it alone
      'notes.txt',
    ];
    for (const name of names) fs.writeFileSync(path.join(dir, name), 'x');
    const app = new RotatingFileStream({ dir, base: 'app', now: clock, retentionDays: 30 });
    const audit = new RotatingFileStream({ dir, base: 'audit', now: clock, retentionDays: 90 });
    await app.idle();
    await audit.idle();
    expect(listing()).toEqual(
      [
        'app-2026-05-31.1.log.gz',
        'app-2026-06-29.2.log',
        'app.log',
        'audit-2026-04-01.1.log.gz',
        'audit-2026-05-01.1.log.gz',
        'audit.log',
        'errors-2026-01-01.1.log.gz',
        'notes.txt',
      ].sort(),
    );

    // A stream running across days prunes at each rotation, with the clock it was given.
    nowMs = Date.parse('2026-07-01T18:30:00.000Z'); // IST 2026-07-02: 2026-05-31 is now 32 days old
    await write(app, 'next day\n');
    await app.idle();
    expect(listing()).not.toContain('app-2026-05-31.1.log.gz');
    await app.close();
    await audit.close();
  });

  it('rotates a file left from an earlier day by a previous process on its first write', async () => {
    const active = path.join(dir, 'app.log');
    fs.writeFileSync(active, 'yesterday\n');
    const yesterday = new Date('2026-03-13T12:00:00.000Z');
    fs.utimesSync(active, yesterday, yesterday);
    nowMs = Date.parse('2026-03-14T12:00:00.000Z');
    const stream = new RotatingFileStream({ dir, base: 'app', now: clock });
    await write(stream, 'today\n');
    await stream.idle();
    expect(gunzip('app-2026-03-13.1.log.gz')).toBe('yesterday\n');
    expect(fs.readFileSync(active, 'utf8')).toBe('today\n');
    await stream.close();
  });
});
