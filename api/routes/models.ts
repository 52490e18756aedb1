/** GET /api/v1/models: what the registry says about the version being served. */
import type { ApiPlugin } from '../context.js';

const TOP_FEATURES = 10;

export const modelRoutes: ApiPlugin = (app, ctx) => {
  app.get('/api/v1/models', async () => {
    const model = await ctx.models.current();
    return {
      active: {
        version: model.version,
        model_type: model.modelType,
        stage: model.stage,
        training_date: model.trainingDate,
        training_window: model.trainingWindow,
        activated_at: model.activatedAt,
        threshold: model.artifact.threshold,
        test_metrics: {
          f1: model.testMetrics.f1,
          precision: model.testMetrics.precision,
          recall: model.testMetrics.recall,
          roc_auc: model.testMetrics.rocAuc,
        },
        top_feature_importances: [...model.featureImportances]
          .sort((a, b) => b.importance - a.importance)
          .slice(0, TOP_FEATURES),
      },
    };
  });
  return Promise.resolve();
};
