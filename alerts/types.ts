/** What every alert channel receives and what the escalation policy decides on. */

export type AlertSource = 'drift' | 'degradation' | 'api' | 'log' | 'rollback';
export type AlertSeverity = 'info' | 'warning' | 'critical';
export type ChannelName = 'slack' | 'email' | 'pagerduty';

export interface AlertLink {
  readonly label: string;
  readonly url: string;
}

export interface AlertMessage {
  /** Stable across retries and re-runs: one alert per source, severity level and day. */
  readonly dedupKey: string;
  readonly source: AlertSource;
  /** The finding's own level, e.g. drift HIGH or degradation SEVERE. */
  readonly level: string;
  readonly severity: AlertSeverity;
  readonly title: string;
  readonly summary: string;
  readonly body: string;
  readonly links: readonly AlertLink[];
  readonly createdAt: string;
  /** ISO day (YYYY-MM-DD) the finding is about: the monitoring date, part of the dedup key. */
  readonly date: string;
  readonly modelVersion?: string;
}

export interface DeliveryReceipt {
  readonly channel: ChannelName;
  /** The provider's id for the message where it returns one (SMTP message id, PagerDuty dedup key). */
  readonly providerId: string | null;
  /** Something the caller should record although the send succeeded, e.g. SMTP recipients that were refused. */
  readonly warnings?: readonly string[];
}

/** One adapter per channel; `send` must be safe to call again for the same dedupKey. */
export interface AlertChannel {
  readonly name: ChannelName;
  send(alert: AlertMessage): Promise<DeliveryReceipt>;
}
