/** rnn-harness public API. */
export { tensor, zeros, fromNested, toNested, sizeOf } from './tensor.js';
export type { Tensor, Nested } from './tensor.js';
export { RnnInputError } from './errors.js';
export { ACTIVATIONS } from './rnn.js';
export type { Activation, Precision, RnnBackend, RnnGradients, RnnOptions, RnnParams } from './rnn.js';
export { createBackend, listBackends, registerBackend, unregisterBackend } from './registry.js';
export type { Availability, BackendEntry, BackendInfo } from './registry-types.js';
export { numericGradients, oracleError, rnnLoss, ORACLE_BAR } from './oracle/finite-difference.js';
export type { OracleOptions } from './oracle/finite-difference.js';
export type { WorkersOptions } from './backends/workers.js';
export type { TfjsOptions } from './backends/tfjs.js';
export { toleranceFor } from './check/tolerance.js';
export type { Tolerance } from './check/tolerance.js';
export { compareTensors } from './check/compare.js';
export type { Comparison } from './check/compare.js';
export { PROBLEM2 } from './fixtures/problem2.js';
