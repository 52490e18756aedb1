CREATE TABLE "model_versions" (
	"id" serial PRIMARY KEY NOT NULL,
	"version" text NOT NULL,
	"model_type" text NOT NULL,
	"training_date" date NOT NULL,
	"training_window_start" date NOT NULL,
	"training_window_end" date NOT NULL,
	"test_f1" double precision NOT NULL,
	"test_precision" double precision NOT NULL,
	"test_recall" double precision NOT NULL,
	"test_roc_auc" double precision NOT NULL,
	"feature_importances" jsonb NOT NULL,
	"artifact" jsonb NOT NULL,
	"stage" text NOT NULL,
	"is_active" boolean DEFAULT false NOT NULL,
	"activated_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_versions_version_unique" UNIQUE("version"),
	CONSTRAINT "model_versions_stage_check" CHECK ("model_versions"."stage" in ('stable', 'candidate', 'retired')),
	CONSTRAINT "model_versions_f1_range" CHECK ("model_versions"."test_f1" between 0 and 1)
);
--> statement-breakpoint
CREATE TABLE "bhavcopy_files" (
	"trade_date" date PRIMARY KEY NOT NULL,
	"file_name" text NOT NULL,
	"layout" text NOT NULL,
	"sha256" text NOT NULL,
	"row_count" integer NOT NULL,
	"ingested_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "daily_prices" (
	"trade_date" date NOT NULL,
	"bse_code" integer NOT NULL,
	"open" double precision NOT NULL,
	"high" double precision NOT NULL,
	"low" double precision NOT NULL,
	"close" double precision NOT NULL,
	"last" double precision NOT NULL,
	"prev_close" double precision NOT NULL,
	"source_file" text NOT NULL,
	CONSTRAINT "daily_prices_trade_date_bse_code_pk" PRIMARY KEY("trade_date","bse_code"),
	CONSTRAINT "daily_prices_positive" CHECK ("daily_prices"."low" > 0 and "daily_prices"."high" >= "daily_prices"."low" and "daily_prices"."prev_close" > 0)
);
--> statement-breakpoint
CREATE TABLE "scrips" (
	"bse_code" integer PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"isin" text NOT NULL,
	"scrip_group" text NOT NULL,
	"price_band_pct" smallint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scrips_band_check" CHECK ("scrips"."price_band_pct" in (2, 5, 10, 20))
);
--> statement-breakpoint
CREATE TABLE "predictions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"bse_code" integer NOT NULL,
	"prediction_date" date NOT NULL,
	"earnings_date" date NOT NULL,
	"model_version" text NOT NULL,
	"predicted_probability" double precision NOT NULL,
	"predicted_label" smallint NOT NULL,
	"served" boolean NOT NULL,
	"rsi_14" double precision,
	"macd_signal" double precision,
	"macd_histogram" double precision,
	"volume_ratio_30d" double precision,
	"price_momentum_30d" double precision,
	"price_momentum_90d" double precision,
	"volatility_30d" double precision,
	"atr_14" double precision,
	"bollinger_position" double precision,
	"sma_50_200_ratio" double precision,
	"distance_from_52w_high" double precision,
	"vcp_contraction_ratio" double precision,
	"volume_dry_up_ratio" double precision,
	"relative_strength_index" double precision,
	"obv_trend" double precision,
	"delivery_pct" double precision,
	"beta_1y" double precision,
	"gap_up_days_90d" double precision,
	"revenue_growth_yoy" double precision,
	"eps_growth_yoy" double precision,
	"earnings_surprise_pct" double precision,
	"roe" double precision,
	"debt_to_equity" double precision,
	"promoter_holding_change" double precision,
	"npm_trend" double precision,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "predictions_version_scrip_day" UNIQUE("model_version","bse_code","prediction_date"),
	CONSTRAINT "predictions_probability_range" CHECK ("predictions"."predicted_probability" between 0 and 1),
	CONSTRAINT "predictions_label_check" CHECK ("predictions"."predicted_label" in (0, 1))
);
--> statement-breakpoint
CREATE TABLE "production_labels" (
	"label_id" bigserial PRIMARY KEY NOT NULL,
	"bse_code" integer NOT NULL,
	"prediction_date" date NOT NULL,
	"earnings_date" date NOT NULL,
	"actual_label" smallint NOT NULL,
	"predicted_label" smallint NOT NULL,
	"predicted_probability" double precision NOT NULL,
	"model_version" text NOT NULL,
	"outcome_date" date NOT NULL,
	"labeled_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "production_labels_scrip_day" UNIQUE("bse_code","prediction_date"),
	CONSTRAINT "production_labels_actual_check" CHECK ("production_labels"."actual_label" in (0, 1)),
	CONSTRAINT "production_labels_predicted_check" CHECK ("production_labels"."predicted_label" in (0, 1)),
	CONSTRAINT "production_labels_probability_range" CHECK ("production_labels"."predicted_probability" between 0 and 1)
);
--> statement-breakpoint
CREATE TABLE "training_samples" (
	"model_version" text NOT NULL,
	"row_number" integer NOT NULL,
	"label" smallint NOT NULL,
	"rsi_14" double precision,
	"macd_signal" double precision,
	"macd_histogram" double precision,
	"volume_ratio_30d" double precision,
	"price_momentum_30d" double precision,
	"price_momentum_90d" double precision,
	"volatility_30d" double precision,
	"atr_14" double precision,
	"bollinger_position" double precision,
	"sma_50_200_ratio" double precision,
	"distance_from_52w_high" double precision,
	"vcp_contraction_ratio" double precision,
	"volume_dry_up_ratio" double precision,
	"relative_strength_index" double precision,
	"obv_trend" double precision,
	"delivery_pct" double precision,
	"beta_1y" double precision,
	"gap_up_days_90d" double precision,
	"revenue_growth_yoy" double precision,
	"eps_growth_yoy" double precision,
	"earnings_surprise_pct" double precision,
	"roe" double precision,
	"debt_to_equity" double precision,
	"promoter_holding_change" double precision,
	"npm_trend" double precision,
	CONSTRAINT "training_samples_version_row" UNIQUE("model_version","row_number")
);
--> statement-breakpoint
CREATE TABLE "drift_baselines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"feature_name" text NOT NULL,
	"model_version" text NOT NULL,
	"distribution_type" text NOT NULL,
	"bin_scheme" text NOT NULL,
	"bin_edges" double precision[] NOT NULL,
	"bin_counts" integer[] NOT NULL,
	"mean" double precision NOT NULL,
	"std" double precision NOT NULL,
	"min" double precision NOT NULL,
	"max" double precision NOT NULL,
	"percentiles" jsonb NOT NULL,
	"reference_sample" double precision[] NOT NULL,
	"reference_is_quantile_grid" boolean DEFAULT false NOT NULL,
	"sample_size" integer NOT NULL,
	"missing_count" integer NOT NULL,
	"training_window_start" date NOT NULL,
	"training_window_end" date NOT NULL,
	"built_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drift_baselines_feature_version" UNIQUE("feature_name","model_version")
);
--> statement-breakpoint
CREATE TABLE "drift_feature_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"report_date" date NOT NULL,
	"model_version" text NOT NULL,
	"feature_name" text NOT NULL,
	"rows" integer NOT NULL,
	"missing" integer NOT NULL,
	"non_finite" integer NOT NULL,
	"out_of_range" integer NOT NULL,
	"rows_weekly" integer,
	"ks_statistic" double precision,
	"ks_p_value" double precision,
	"ks_statistic_weekly" double precision,
	"ks_p_value_weekly" double precision,
	"psi_daily" double precision,
	"psi_weekly" double precision,
	"p_value" double precision,
	"q_value" double precision,
	"deciding_window" text,
	"severity_psi" double precision,
	"status" text NOT NULL,
	"action" text NOT NULL,
	"reason" text,
	CONSTRAINT "drift_feature_results_day_version_feature" UNIQUE("report_date","model_version","feature_name"),
	CONSTRAINT "drift_feature_results_status" CHECK ("drift_feature_results"."status" in ('OK', 'MODERATE', 'DRIFT', 'QUALITY', 'SKIPPED'))
);
--> statement-breakpoint
CREATE TABLE "model_performance_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"evaluation_date" date NOT NULL,
	"model_version" text NOT NULL,
	"window_days" smallint NOT NULL,
	"scoring" text NOT NULL,
	"predictions" integer NOT NULL,
	"true_positives" integer NOT NULL,
	"false_positives" integer NOT NULL,
	"false_negatives" integer NOT NULL,
	"true_negatives" integer NOT NULL,
	"precision" double precision NOT NULL,
	"recall" double precision NOT NULL,
	"f1" double precision NOT NULL,
	"roc_auc" double precision,
	"f1_ci_low" double precision,
	"f1_ci_high" double precision,
	"baseline_f1" double precision NOT NULL,
	"f1_relative_drop" double precision NOT NULL,
	"severity" text NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_performance_history_key" UNIQUE("evaluation_date","model_version","window_days"),
	CONSTRAINT "model_performance_history_window" CHECK ("model_performance_history"."window_days" in (7, 30, 90))
);
--> statement-breakpoint
CREATE TABLE "model_rollback_history" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"run_id" text NOT NULL,
	"event" text NOT NULL,
	"sequence" integer DEFAULT 0 NOT NULL,
	"from_version" text NOT NULL,
	"to_version" text NOT NULL,
	"actor" text,
	"reason" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "model_rollback_history_step" UNIQUE("workflow_id","event","sequence")
);
--> statement-breakpoint
CREATE TABLE "monitoring_reports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"report_date" date NOT NULL,
	"model_version" text NOT NULL,
	"severity" text NOT NULL,
	"file_path" text NOT NULL,
	"body" text NOT NULL,
	"summary" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "monitoring_reports_key" UNIQUE("kind","report_date","model_version")
);
--> statement-breakpoint
CREATE TABLE "monitoring_runs" (
	"run_date" date PRIMARY KEY NOT NULL,
	"workflow_id" text NOT NULL,
	"run_id" text NOT NULL,
	"model_version" text NOT NULL,
	"drift_severity" text NOT NULL,
	"degradation_severity" text NOT NULL,
	"summary" jsonb NOT NULL,
	"completed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alert_deliveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"alert_id" bigint NOT NULL,
	"channel" text NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"provider_id" text,
	"last_error" text,
	"fallback_for" text,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"sent_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alert_deliveries_alert_channel" UNIQUE("alert_id","channel")
);
--> statement-breakpoint
CREATE TABLE "alerts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"dedup_key" text NOT NULL,
	"source" text NOT NULL,
	"level" text NOT NULL,
	"severity" text NOT NULL,
	"title" text NOT NULL,
	"summary" text NOT NULL,
	"body" text NOT NULL,
	"links" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"alert_date" date NOT NULL,
	"model_version" text,
	"status" text DEFAULT 'open' NOT NULL,
	"acknowledged_by" text,
	"acknowledged_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "alerts_dedup_key_unique" UNIQUE("dedup_key"),
	CONSTRAINT "alerts_status_check" CHECK ("alerts"."status" in ('open', 'acknowledged', 'resolved'))
);
--> statement-breakpoint
ALTER TABLE "alert_deliveries" ADD CONSTRAINT "alert_deliveries_alert_id_alerts_id_fk" FOREIGN KEY ("alert_id") REFERENCES "public"."alerts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "model_versions_one_active" ON "model_versions" USING btree ("is_active") WHERE "model_versions"."is_active";--> statement-breakpoint
CREATE INDEX "daily_prices_bse_code_idx" ON "daily_prices" USING btree ("bse_code","trade_date");--> statement-breakpoint
CREATE INDEX "predictions_day_idx" ON "predictions" USING btree ("prediction_date","model_version");--> statement-breakpoint
CREATE INDEX "production_labels_day_idx" ON "production_labels" USING btree ("prediction_date");