/** What every activity needs, built once per worker process and shared by its activities. */
import type { AlertChannel, ChannelName } from '../alerts/types.js';
import type { AppConfig } from '../config/index.js';
import type { Database } from '../db/client.js';

export interface ActivityDeps {
  readonly db: Database;
  readonly config: AppConfig;
  readonly channels: ReadonlyMap<ChannelName, AlertChannel>;
  /** Injected so tests and replays of a day produce the same timestamps they assert on. */
  readonly now: () => Date;
}
