import type { SandboxSettings } from './config.js';
import type { HttpClient } from './http-client.js';
import type { JwsSigner } from './jws.js';
import type { Notifier } from './notifier.js';
import type { SandboxStore } from './store.js';

/** What every request handler of the sandbox works with; built once in server.ts. */
export interface SandboxContext {
  store: SandboxStore;
  settings: SandboxSettings;
  notifier: Notifier;
  /** Outgoing HTTP (keep-alive agents), closed by `stop()`. */
  http: HttpClient;
  signer: JwsSigner;
  now: () => Date;
  log: (line: string) => void;
  /** Aborted by `stop()`: ends waits (retries, injected delays) so the process can exit. */
  stopSignal: AbortSignal;
}
