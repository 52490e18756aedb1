/**
 * Connections to Temporal for clients (scripts, API) and workers, from one TemporalConfig, so the
 * same code reaches the dev server, a self-hosted cluster with mTLS, or Temporal Cloud.
 */
import fs from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import type { TemporalConfig } from '../config/index.js';

function tlsOptions(config: TemporalConfig): ConnectionOptions['tls'] {
  if (!config.tls) return config.apiKey ? true : undefined;
  const { certPath, keyPath, caPath, serverName } = config.tls;
  return {
    ...(serverName ? { serverNameOverride: serverName } : {}),
    ...(caPath ? { serverRootCACertificate: fs.readFileSync(caPath) } : {}),
    ...(certPath && keyPath
      ? { clientCertPair: { crt: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) } }
      : {}),
  };
}

function connectionOptions(config: TemporalConfig): ConnectionOptions & NativeConnectionOptions {
  const tls = tlsOptions(config);
  return {
    address: config.address,
    ...(tls !== undefined ? { tls } : {}),
    ...(config.apiKey ? { apiKey: config.apiKey, metadata: { 'temporal-namespace': config.namespace } } : {}),
  };
}

export async function connectClient(config: TemporalConfig): Promise<{ client: Client; close: () => Promise<void> }> {
  const connection = await Connection.connect(connectionOptions(config));
  return { client: new Client({ connection, namespace: config.namespace }), close: () => connection.close() };
}

export function connectWorker(config: TemporalConfig): Promise<NativeConnection> {
  return NativeConnection.connect(connectionOptions(config));
}
