/**
 * The 25 model input features: one catalog that the database schema, the synthetic data,
 * the drift stage and the prediction API all read, so adding a feature is one entry here
 * plus a generated migration.
 */

export type FeatureGroup = 'technical' | 'fundamental';

export interface FeatureSpec {
  readonly name: string;
  readonly group: FeatureGroup;
  /** Continuous features get the KS test; discrete ones (few distinct values) get PSI only. */
  readonly continuous: boolean;
  readonly description: string;
}

export const FEATURES = [
  { name: 'rsi_14', group: 'technical', continuous: true, description: '14-day relative strength index (0-100)' },
  { name: 'macd_signal', group: 'technical', continuous: true, description: 'MACD signal line, % of price' },
  { name: 'macd_histogram', group: 'technical', continuous: true, description: 'MACD minus signal, % of price' },
  { name: 'volume_ratio_30d', group: 'technical', continuous: true, description: 'Volume over its 30-day mean' },
  { name: 'price_momentum_30d', group: 'technical', continuous: true, description: '30-day price return' },
  { name: 'price_momentum_90d', group: 'technical', continuous: true, description: '90-day price return' },
  { name: 'volatility_30d', group: 'technical', continuous: true, description: 'Annualised 30-day volatility' },
  { name: 'atr_14', group: 'technical', continuous: true, description: '14-day average true range, % of price' },
  { name: 'bollinger_position', group: 'technical', continuous: true, description: 'Position in the 20-day band' },
  { name: 'sma_50_200_ratio', group: 'technical', continuous: true, description: '50-day over 200-day average' },
  { name: 'distance_from_52w_high', group: 'technical', continuous: true, description: 'Fraction below 52w high' },
  { name: 'vcp_contraction_ratio', group: 'technical', continuous: true, description: 'Last over first pullback' },
  { name: 'volume_dry_up_ratio', group: 'technical', continuous: true, description: 'Base volume over 50-day mean' },
  { name: 'relative_strength_index', group: 'technical', continuous: true, description: 'Return over the index' },
  { name: 'obv_trend', group: 'technical', continuous: true, description: 'Slope of on-balance volume' },
  { name: 'delivery_pct', group: 'technical', continuous: true, description: 'Delivered share of volume' },
  { name: 'beta_1y', group: 'technical', continuous: true, description: 'One-year beta to the index' },
  { name: 'gap_up_days_90d', group: 'technical', continuous: false, description: 'Gap-up days in 90 (count)' },
  { name: 'revenue_growth_yoy', group: 'fundamental', continuous: true, description: 'Revenue growth, year on year' },
  { name: 'eps_growth_yoy', group: 'fundamental', continuous: true, description: 'EPS growth, year on year' },
  { name: 'earnings_surprise_pct', group: 'fundamental', continuous: true, description: 'EPS over consensus, %' },
  { name: 'roe', group: 'fundamental', continuous: true, description: 'Return on equity' },
  { name: 'debt_to_equity', group: 'fundamental', continuous: true, description: 'Debt over equity' },
  { name: 'promoter_holding_change', group: 'fundamental', continuous: true, description: 'Promoter stake change, pp' },
  { name: 'npm_trend', group: 'fundamental', continuous: false, description: 'Quarters of margin expansion (0-4)' },
] as const satisfies readonly FeatureSpec[];

export type FeatureName = (typeof FEATURES)[number]['name'];

export const FEATURE_NAMES: readonly FeatureName[] = FEATURES.map((f) => f.name);

/** Technical continuous features: the ones the daily KS test runs on. */
export const KS_FEATURE_NAMES: readonly FeatureName[] = FEATURES.filter(
  (f) => f.group === 'technical' && f.continuous,
).map((f) => f.name);

/** One row of feature values; null means missing, NaN and infinities are kept to be counted. */
export type FeatureVector = Record<FeatureName, number | null>;

export function isFeatureName(name: string): name is FeatureName {
  return (FEATURE_NAMES as readonly string[]).includes(name);
}
