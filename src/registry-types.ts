import type { Precision, RnnBackend } from './rnn.js';

/** Whether a backend can run on this machine, and why not. */
export type Availability = { available: true } | { available: false; reason: string };

/** One registered backend: how to tell whether it runs here, and how to create it. */
export interface BackendEntry {
  readonly name: string;
  readonly precision: Precision;
  readonly description: string;
  /**
   * Options with which `check`, `fuzz` and the conformance suite create the backend, so that their small
   * shapes still take its real code path (e.g. the worker pool rather than the in-thread shortcut).
   */
  readonly checkOptions?: object;
  availability(): Promise<Availability>;
  create(options?: object): Promise<RnnBackend>;
}

export type BackendInfo = { name: string; precision: Precision; available: boolean; reason?: string };
