import type { FeatureName } from '../features.js';

/** A trained model as stored in the registry and loaded by the prediction API. */
export interface ModelArtifact {
  readonly version: string;
  readonly modelType: 'logistic_regression';
  readonly features: readonly FeatureName[];
  /** Standardisation applied before the linear term; missing values are imputed with the mean. */
  readonly means: readonly number[];
  readonly stds: readonly number[];
  readonly coefficients: readonly number[];
  readonly intercept: number;
  /** Probability at or above which the predicted label is 1. */
  readonly threshold: number;
}

export interface TestMetrics {
  readonly f1: number;
  readonly precision: number;
  readonly recall: number;
  readonly rocAuc: number;
}

export interface FeatureImportance {
  readonly feature: FeatureName;
  readonly importance: number;
}

export type ModelStage = 'stable' | 'candidate' | 'retired';

export interface ModelVersionRecord {
  readonly version: string;
  readonly modelType: string;
  /** ISO date the model was trained. */
  readonly trainingDate: string;
  readonly trainingWindow: { readonly start: string; readonly end: string };
  readonly testMetrics: TestMetrics;
  readonly featureImportances: readonly FeatureImportance[];
  readonly stage: ModelStage;
  readonly isActive: boolean;
  readonly artifact: ModelArtifact;
}
