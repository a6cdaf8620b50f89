import type { Precision, RnnBackend } from './rnn.js';

/** Whether a backend can run on this machine, and why not. */
export type Availability = { available: true } | { available: false; reason: string };

/** One registered backend: how to tell whether it runs here, and how to create it. */
export interface BackendEntry {
  readonly name: string;
  readonly precision: Precision;
  readonly description: string;
  availability(): Promise<Availability>;
  create(options?: object): Promise<RnnBackend>;
}

export type BackendInfo = { name: string; precision: Precision; available: boolean; reason?: string };
