/**
 * rnn-harness: whether a SimpleRNN implementation is right, with evidence, and how fast it is.
 *
 * What a user calls: tensors and the contract of a call, the registry of backends, the runners behind
 * the commands, and the tolerance and oracle helpers. The pieces the checks are made of are in
 * `rnn-harness/testing`, the notebook's classifier in `rnn-harness/classifier`, the conformance suite in
 * `rnn-harness/vitest`.
 */
import './backends/builtin.js';

export { tensor, zeros, fromNested, toNested, sizeOf, checkTensor } from './core/tensor.js';
export type { Tensor, Nested } from './core/tensor.js';
export { RnnInputError } from './core/errors.js';
export { ACTIVATIONS, CELLS, PRECISIONS, checkForward, checkBackward } from './core/rnn.js';
export type {
  Activation,
  Cell,
  CheckedCall,
  Dims,
  Precision,
  RnnBackend,
  RnnGradients,
  RnnOptions,
  RnnParams,
} from './core/rnn.js';
export { GRADIENT_KEYS, resolveCapabilities } from './core/capabilities.js';
export type { Capabilities, CapabilityDeclarations, GradientKey, SimpleGradientKey } from './core/capabilities.js';

// Backends: the registry, plug-ins, and a backend in another process.
export {
  createBackend,
  listBackends,
  registerBackend,
  unregisterBackend,
  backendEntries,
} from './registry/registry.js';
export type { Availability, BackendEntry, BackendInfo, MatmulProbe } from './registry/types.js';
export { importPlugin, loadPlugins, PluginError } from './registry/plugins.js';
export { execEntry } from './backends/exec.js';
export type { ExecOptions } from './backends/exec.js';
export { PROTOCOL_VERSION } from './exec/frames.js';

// The runners behind the CLI: each returns what the command prints and writes as JSON.
export { runCheck } from './run/check.js';
export type { CheckOptions, CheckReport } from './run/check.js';
export type { CheckRow, RowStatus } from './check/suite.js';
export { runFuzz } from './run/fuzz.js';
export type { FuzzFailure, FuzzOptions, FuzzProperty, FuzzReport, FuzzSizes } from './run/fuzz.js';
export { runBench } from './run/bench.js';
export type { BenchOptions } from './run/bench.js';
export type { BenchReport, BenchEnvironment } from './bench/report.js';
export type { BenchResult, BenchFailure, BenchOp, PeakResult } from './bench/runner.js';
export { runReport } from './report/main-job.js';
export type { MainReport, ReportOptions } from './report/main-job.js';
export { runMutants } from './run/mutants.js';
export type { MutantRow, MutantsOptions, MutantsReport } from './run/mutants.js';
export { runMerge } from './run/merge.js';
export type { MergedReports } from './run/merge.js';
export { runHistory } from './run/history.js';
export type { BenchHistory, HistoryPoint, HistoryRun, HistorySeries } from './run/history.js';
export { guardBackend, BackendFault, DEFAULT_TIMEOUT_MS } from './run/guard.js';
export type { GuardOptions } from './run/guard.js';
export type { BackendRef } from './run/select.js';
export type { JobsOption } from './run/jobs.js';

// How results are judged.
export { toleranceFor } from './check/tolerance.js';
export type { Tolerance } from './check/tolerance.js';
export { compareTensors } from './check/compare.js';
export type { Comparison } from './check/compare.js';
export { numericGradients, oracleError, ORACLE_BAR } from './oracle/finite-difference.js';
