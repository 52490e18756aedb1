/**
 * Where BhavCopy files come from: a local directory (the demo, the tests) or an HTTP base URL
 * (`BHAVCOPY_SOURCE=https://…/`), fetched by BSE's own file names for a day.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { bhavCopyFileName } from '../domain/bhavcopy/format.js';
import { tradeDateFromClassicFileName } from '../domain/bhavcopy/parse.js';

export interface SourceFile {
  readonly fileName: string;
  /** From the file name; null when the name does not say, and the parse must tell. */
  readonly tradeDate: string | null;
  read(): Promise<Uint8Array>;
}

/** UDiFF names carry the date as YYYYMMDD after `BhavCopy_BSE_CM_0_0_0_`. */
export function tradeDateFromFileName(fileName: string): string | null {
  const udiff = /BhavCopy_BSE_CM_\d+_\d+_\d+_(\d{4})(\d{2})(\d{2})_/i.exec(fileName);
  if (udiff) return `${udiff[1]}-${udiff[2]}-${udiff[3]}`;
  return tradeDateFromClassicFileName(fileName);
}

async function listDirectory(dir: string): Promise<SourceFile[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new Error(`BHAVCOPY_SOURCE directory ${dir} cannot be read: ${(err as Error).message}`, { cause: err });
  }
  return names
    .filter((name) => /\.(csv|zip)$/i.test(name))
    .sort()
    .map((fileName) => ({
      fileName,
      tradeDate: tradeDateFromFileName(fileName),
      read: async () => new Uint8Array(await fs.readFile(path.join(dir, fileName))),
    }));
}

/**
 * Over HTTP only the monitored day is fetched: the UDiFF name first (BSE's layout since July 2024),
 * then the classic one. Earlier days missed by an outage are not back-filled from a URL source:
 * run the day again once the file is there.
 */
async function fetchDay(baseUrl: string, date: string): Promise<SourceFile[]> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  for (const fileName of [bhavCopyFileName(date, 'udiff'), bhavCopyFileName(date, 'classic')]) {
    const response = await fetch(new URL(fileName, base), { signal: AbortSignal.timeout(30_000) });
    if (response.status === 404) continue;
    if (!response.ok) throw new Error(`BhavCopy download of ${fileName} answered HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    return [{ fileName, tradeDate: date, read: () => Promise.resolve(bytes) }];
  }
  return [];
}

export function listSourceFiles(source: string, date: string): Promise<SourceFile[]> {
  return /^https?:\/\//.test(source) ? fetchDay(source, date) : listDirectory(source);
}
