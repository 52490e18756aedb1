/** The upper-circuit rule: where a scrip's daily price band sits and whether a day's prices reached it. */
import type { PriceRow } from '../bhavcopy/types.js';

export class UpperCircuitInputError extends Error {
  override readonly name = 'UpperCircuitInputError';
}

/** Rupees to whole paise. Prices in a BhavCopy have at most two decimals, so rounding only removes float noise. */
function toPaise(rupees: number): number {
  return Math.round(rupees * 100);
}

/**
 * The upper band in whole paise. All arithmetic is on integers: in floating point 101.00 * 1.2 / 0.05 is
 * 2423.9999999999995, so a naive floor gives 121.15 where the band is exactly 121.20, one tick short on every
 * band that lands on a tick edge. Here the band is prevClosePaise * (10000 + bandBasisPoints) / 10000, exact for
 * any price a BhavCopy can hold.
 *
 * The raw band price is rounded DOWN to a multiple of the tick: the exchange accepts no order above the band,
 * so the highest price that can actually trade is the last tick at or below prevClose * (1 + band). Rounding
 * to the nearest tick would sometimes put the band one tick above anything that can trade, and a scrip frozen
 * at its circuit would then never be labelled as having hit it.
 *
 * When the band is narrower than one tick (a 2% band on a scrip near Rs 2), flooring would put the band at the
 * previous close itself; we then place it one tick above. This is our reading of how the exchange keeps at
 * least one tick of movement, not a rule quoted from a BSE circular; it touches only penny scrips.
 */
export function upperCircuitPaise(prevClose: number, bandPct: number, tickSize = 0.05): number {
  if (!Number.isFinite(prevClose) || prevClose <= 0) {
    throw new UpperCircuitInputError(`previous close ${prevClose} must be a positive price`);
  }
  if (!Number.isFinite(bandPct) || bandPct <= 0) {
    throw new UpperCircuitInputError(`price band ${bandPct}% must be a positive percentage`);
  }
  const tickPaise = toPaise(tickSize);
  if (tickPaise < 1 || Math.abs(tickPaise - tickSize * 100) > 1e-6) {
    throw new UpperCircuitInputError(`tick size ${tickSize} must be a positive whole number of paise`);
  }
  const prevPaise = toPaise(prevClose);
  const bandBasisPoints = Math.round(bandPct * 100);
  // Integer numerator and denominator; Math.floor of their quotient is exact well beyond any share price.
  const ticks = Math.floor((prevPaise * (10_000 + bandBasisPoints)) / (10_000 * tickPaise));
  const bandPaise = ticks * tickPaise;
  if (bandPaise > prevPaise) return bandPaise;
  return (Math.floor(prevPaise / tickPaise) + 1) * tickPaise;
}

/** The upper band price in rupees (see upperCircuitPaise for the rounding rule). */
export function upperCircuitPrice(prevClose: number, bandPct: number, tickSize = 0.05): number {
  return upperCircuitPaise(prevClose, bandPct, tickSize) / 100;
}

/**
 * True when the day's HIGH reached the upper band: "touched", not "closed at" the band. The model is trained to
 * flag scrips that hit their circuit after earnings, and a touch is the event a trader could act on; a scrip
 * that touches and then falls back was still bid to the limit. Closing at the band is stricter and would turn
 * brief touches into 0s that the training labels call 1s.
 *
 * The band is built on the BhavCopy's own PREVCLOSE, not on our copy of yesterday's close, because that is the
 * base the exchange uses: it is already adjusted for splits and bonuses, where yesterday's close is not.
 */
export function hitUpperCircuit(row: PriceRow, bandPct: number, tickSize = 0.05): boolean {
  return toPaise(row.high) >= upperCircuitPaise(row.prevClose, bandPct, tickSize);
}
