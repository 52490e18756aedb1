/** Builds the configured channel adapters; a channel without configuration is simply absent. */
import type { AlertChannel, ChannelName } from '../types.js';
import { EmailChannel, type EmailConfig } from './email.js';
import { PagerDutyChannel, type PagerDutyConfig } from './pagerduty.js';
import { SlackChannel, type SlackConfig } from './slack.js';

export { EmailChannel, messageIdFor, type EmailConfig } from './email.js';
export {
  buildPagerDutyTrigger,
  DEFAULT_PAGERDUTY_EVENTS_URL,
  PagerDutyChannel,
  resolvePagerDutyAlert,
  type PagerDutyConfig,
} from './pagerduty.js';
export { buildSlackPayload, SlackChannel, type SlackConfig } from './slack.js';

export interface AlertChannelConfig {
  readonly slack?: SlackConfig;
  readonly email?: EmailConfig;
  readonly pagerduty?: PagerDutyConfig;
}

/**
 * Constructing an adapter opens no connection, so this cannot fail on an unreachable provider; the caller
 * compares the keys with CHANNEL_NAMES and logs the channels that are not configured.
 */
export function createChannels(config: AlertChannelConfig): Map<ChannelName, AlertChannel> {
  const channels = new Map<ChannelName, AlertChannel>();
  if (config.slack) channels.set('slack', new SlackChannel(config.slack));
  if (config.email) channels.set('email', new EmailChannel(config.email));
  if (config.pagerduty) channels.set('pagerduty', new PagerDutyChannel(config.pagerduty));
  return channels;
}
