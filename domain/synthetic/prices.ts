/**
 * Daily OHLC paths for every scrip, in whole paise on the 5-paise tick, with the earnings reaction days forced to
 * hit (outcome 1) or miss (outcome 0) the upper circuit exactly as the label rule computes it.
 *
 * The paths are not derived from the features: a scrip's simulated prices before its announcement do not produce
 * the rsi_14, momentum or volatility values in its prediction row. Nothing in the monitor recomputes features from
 * prices, but a check that did would find them unrelated, and a chart of a scrip's price next to its features would
 * not tell a consistent story.
 */
import type { BhavCopyFile, BhavCopyLayout, PriceRow, Scrip } from '../bhavcopy/types.js';
import { upperCircuitPaise } from '../labels/upper-circuit.js';
import type { Random } from './random.js';

const TICK = 5;
/** Prices are kept at or above Rs 10: below that a 2% band is under two ticks wide and the walk gets lumpy. */
const FLOOR_PAISE = 1000;

/** BSE replaced the classic equity BhavCopy with the UDiFF common format from this trading day. */
export const UDIFF_FROM = '2024-07-08';

export function layoutFor(tradeDate: string): BhavCopyLayout {
  return tradeDate < UDIFF_FROM ? 'classic' : 'udiff';
}

const tickDown = (paise: number): number => Math.floor(paise / TICK) * TICK;
const tickUp = (paise: number): number => Math.ceil(paise / TICK) * TICK;
const tickNearest = (paise: number): number => Math.round(paise / TICK) * TICK;

function lowerCircuitPaise(prevPaise: number, bandPct: number): number {
  return tickUp((prevPaise * (100 - bandPct)) / 100);
}

/** What happens to one scrip on one day. */
export type DayEvent = { kind: 'ordinary' } | { kind: 'reaction'; outcome: 0 | 1 };

interface Bar {
  open: number;
  high: number;
  low: number;
  close: number;
  last: number;
}

function clampInt(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

/**
 * One day's bar. Ordinary days stay strictly below the upper circuit so that a hit is always an earnings
 * reaction; a reaction with outcome 0 sometimes stops one tick short of it, the case a rounding slip in the label
 * code would get wrong.
 */
function drawBar(random: Random, prev: number, bandPct: number, dailyVol: number, event: DayEvent): Bar {
  const upper = upperCircuitPaise(prev / 100, bandPct);
  const lower = Math.max(lowerCircuitPaise(prev, bandPct), Math.min(FLOOR_PAISE, prev));
  const ceiling = upper - TICK;

  if (event.kind === 'reaction' && event.outcome === 1) {
    const open = clampInt(tickNearest(prev + (0.2 + 0.8 * random.next()) * (upper - prev)), lower, upper);
    // Most circuit hits lock at the band; some trade down from it before the close.
    const close = random.bernoulli(0.6)
      ? upper
      : clampInt(tickDown(upper - random.next() * 0.5 * (upper - prev)), lower, upper);
    const low = clampInt(
      tickDown(Math.min(open, close) * (1 - Math.abs(random.normal()) * dailyVol * 0.4)),
      lower,
      upper,
    );
    const last = close;
    return { open, high: upper, low, close, last };
  }

  const vol = event.kind === 'reaction' ? dailyVol * 2 : dailyVol;
  if (ceiling <= lower) {
    // Too narrow to move (cannot happen above the price floor, kept as a guard): an unchanged day.
    return { open: prev, high: prev, low: prev, close: prev, last: prev };
  }
  const open = clampInt(tickNearest(prev * Math.exp(0.3 * vol * random.normal())), lower, ceiling);
  const close = clampInt(tickNearest(prev * Math.exp(vol * random.normal())), lower, ceiling);
  let high = clampInt(tickUp(Math.max(open, close) * (1 + Math.abs(random.normal()) * vol * 0.5)), lower, ceiling);
  if (event.kind === 'reaction' && random.bernoulli(0.05)) high = ceiling;
  const low = clampInt(tickDown(Math.min(open, close) * (1 - Math.abs(random.normal()) * vol * 0.5)), lower, ceiling);
  const last = clampInt(close + TICK * random.int(-1, 1), low, high);
  return { open, high, low, close, last };
}

export interface PricePathOptions {
  readonly scrips: readonly Scrip[];
  readonly tradingDays: readonly string[];
  /** Per trading day index: scrip code -> reaction outcome. */
  readonly reactions: readonly ReadonlyMap<number, 0 | 1>[];
  /** Per trading day index: scrip codes absent from that day's file. */
  readonly suspended: readonly ReadonlySet<number>[];
}

export function generateBhavCopies(random: Random, opts: PricePathOptions): BhavCopyFile[] {
  const n = opts.scrips.length;
  const last = new Float64Array(n);
  const dailyVol = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const scrip = opts.scrips[i]!;
    last[i] = Math.max(2000, tickNearest(100 * Math.min(9000, Math.exp(Math.log(180) + 1.1 * random.normal()))));
    // Narrow-band scrips are the illiquid ones whose prices barely move.
    const base = 0.01 + 0.015 * random.next();
    dailyVol[i] = Math.min(base, scrip.priceBandPct / 300);
  }
  const classicNames = opts.scrips.map((s) => s.name.toUpperCase().slice(0, 12).trimEnd());

  return opts.tradingDays.map((tradeDate, day) => {
    const layout = layoutFor(tradeDate);
    const reactions = opts.reactions[day];
    const suspended = opts.suspended[day];
    const rows: PriceRow[] = [];
    for (let i = 0; i < n; i++) {
      const scrip = opts.scrips[i]!;
      const outcome = reactions?.get(scrip.bseCode);
      const event: DayEvent = outcome === undefined ? { kind: 'ordinary' } : { kind: 'reaction', outcome };
      // The draw happens even for a suspended scrip, so a suspension does not shift every later price.
      const prev = last[i]!;
      const bar = drawBar(random, prev, scrip.priceBandPct, dailyVol[i]!, event);
      if (suspended?.has(scrip.bseCode) === true) continue;
      last[i] = bar.close;
      rows.push({
        bseCode: scrip.bseCode,
        name: layout === 'classic' ? classicNames[i]! : scrip.name,
        isin: scrip.isin,
        group: scrip.group,
        open: bar.open / 100,
        high: bar.high / 100,
        low: bar.low / 100,
        close: bar.close / 100,
        last: bar.last / 100,
        prevClose: prev / 100,
      });
    }
    return { tradeDate, layout, rows };
  });
}
