import type { CapabilityDeclarations } from '../core/capabilities.js';
import type { Precision, RnnBackend } from '../core/rnn.js';

/** Whether a backend can run on this machine, and why not. */
export type Availability = { available: true } | { available: false; reason: string };

/**
 * One registered backend: its name and precision, what it supports (see Capabilities: every field
 * optional, defaults to everything), how to tell whether it runs here, and how to create it.
 * This is also the default export of a plug-in module (`--plugin`), alone or in an array.
 */
export interface BackendEntry extends CapabilityDeclarations {
  /** Letters, digits, '.', '_' and '-', starting with a letter or digit; selected with --backends. */
  readonly name: string;
  readonly precision: Precision;
  /** One line for `rnn-harness list`. */
  readonly description?: string;
  /**
   * Options with which `check`, `fuzz` and the conformance suite create the backend, so that their small
   * shapes still take its real code path (e.g. the worker pool rather than the in-thread shortcut).
   */
  readonly checkOptions?: object;
  /** Whether it runs here (default: it does). Say why not, with the fix, rather than fail later. */
  availability?(): Promise<Availability>;
  create(options?: object): Promise<RnnBackend> | RnnBackend;
  /**
   * The backend's engine multiplying two n×n matrices, for the benchmark's machine limit. Left out when the
   * engine is another backend's (workers runs the loops kernel).
   */
  matmulProbe?(n: number): Promise<MatmulProbe>;
}

/** One n×n matrix product on an engine, set up once and run many times by the benchmark. */
export interface MatmulProbe {
  /** What multiplies, e.g. 'loops gemmABt (float64, 1 thread)'. */
  readonly engine: string;
  multiply(): Promise<void>;
  dispose(): Promise<void>;
}

/** A backend as `rnn-harness list` shows it: name, precision, whether it runs here and, when not, why. */
export type BackendInfo = {
  name: string;
  precision: Precision;
  available: boolean;
  reason?: string;
  description?: string;
};
