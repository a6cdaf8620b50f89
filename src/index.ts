/** rnn-harness public API. */
export { tensor, zeros, fromNested, toNested, sizeOf, checkTensor } from './tensor.js';
export type { Tensor, Nested } from './tensor.js';
export { RnnInputError } from './errors.js';
export { ACTIVATIONS, PRECISIONS, checkForward, checkBackward } from './rnn.js';
export type { Activation, CheckedCall, Dims, Precision, RnnBackend, RnnGradients, RnnOptions, RnnParams } from './rnn.js';

// Backends: the registry, its checks, plug-ins and capabilities.
export { createBackend, createBackendForCheck, listBackends, registerBackend, unregisterBackend, availabilityOf, backendEntries } from './registry.js';
export type { Availability, BackendEntry, BackendInfo, MatmulProbe } from './registry-types.js';
export { checkCreated, checkEntry } from './registry-checks.js';
export { importPlugin, loadPlugins, PluginError } from './plugins.js';
export { GRADIENT_KEYS, resolveCapabilities, capabilityGaps, describeCapabilities, checkedGradients } from './capabilities.js';
export type { Capabilities, CapabilityDeclarations, Gap, GradientKey } from './capabilities.js';
export type { WorkersOptions } from './backends/workers.js';
export type { TfjsOptions } from './backends/tfjs.js';
export type { GpujsMode, GpujsOptions } from './backends/gpujs-modes.js';
export { execEntry } from './backends/exec.js';
export type { ExecOptions } from './backends/exec.js';
export type { PytorchOptions } from './backends/pytorch.js';
export { PROTOCOL_VERSION } from './exec/frames.js';

// The runners behind the CLI: each returns what the command prints and writes as JSON.
export { runCheck } from './run/check.js';
export type { CheckOptions, CheckReport } from './run/check.js';
export { runFuzz, FUZZ_PROPERTIES, FUZZ_SIZES } from './run/fuzz.js';
export type { FuzzFailure, FuzzOptions, FuzzProperty, FuzzReport, FuzzSizes } from './run/fuzz.js';
export { runMerge, mergeBench, mergeCheck, mergeFuzz } from './run/merge.js';
export type { MergedReports } from './run/merge.js';
export { runHistory } from './run/history.js';
export type { History as BenchHistory, HistoryPoint, HistoryRun, HistorySeries } from './run/history.js';
export { runBench, QUICK_SHAPES, DEFAULT_SHAPES } from './run/bench.js';
export type { BenchOptions } from './run/bench.js';
export type { BenchReport, BenchEnvironment } from './report/format.js';
export type { BenchResult, BenchFailure, BenchOp, PeakResult } from './bench/runner.js';
export { runReport } from './run/report.js';
export type { MainReport, ReportOptions } from './run/report.js';
export { runMutants } from './run/mutants.js';
export type { MutantRow, MutantsOptions, MutantsReport } from './run/mutants.js';
export { guardBackend, DEFAULT_TIMEOUT_MS, BackendFault } from './run/guard.js';
export type { GuardOptions } from './run/guard.js';
export type { BackendRef } from './run/select.js';

// The checks themselves: the fixed suite, the properties, the case generators, the peers' cases.
export { checkBackend, checkCases, checkOracleRows, checkPeers, checkProblem2, problem2Case } from './check/suite.js';
export type { CheckRow, RowStatus } from './check/suite.js';
export { agreementProperty, oracleProperty, saturationProperty, checkAgreement, checkOracle, assertAgrees, kinkAwareCases, SATURATED } from './check/properties.js';
export { rnnCase, constraintsFor, caseOptions, describeCase, caseToJson, maskToLastStep, DEFAULT_RANGES } from './check/arbitraries.js';
export type { CaseConstraints, RnnCase, ShapeRanges } from './check/arbitraries.js';
export { peerCases, peerGradientCases, peerRnnCase, runPeerCase, comparePeer } from './check/peer-cases.js';
export type { PeerCase, PeerGradientCase, PeerComparison } from './check/peer-cases.js';
export { conformanceTests } from './conformance/tests.js';
export type { ConformanceContext, ConformanceOptions, ConformanceTest } from './conformance/tests.js';
export { numericGradients, oracleError, rnnLoss, ORACLE_BAR } from './oracle/finite-difference.js';
export { checkDirectional, numericDirectionals, randomDirections, judgeDirectional, judgeForward, DIRECTIONAL_STEP, DIRECTIONAL_KINK_MARGIN } from './oracle/directional.js';
export type { DirectionalProblem, DirectionalReport, DirectionalRow, Directions, ForwardRow, NumericDirectional } from './oracle/directional.js';
export { largeCases, LARGE_SHAPES, checkDirectionalLarge, DirectionalCache } from './check/large.js';
export { largeCase, largeAgreementProperty, largeOracleProperty, largeSaturationProperty, LARGE_LIMITS, LARGE_WORK_BUDGET } from './check/large-properties.js';
export { scaledCase } from './check/scaled-case.js';
export type { ScaledCaseOptions, Shape } from './check/scaled-case.js';
export type { OracleOptions } from './oracle/finite-difference.js';
export { toleranceFor } from './check/tolerance.js';
export type { Tolerance } from './check/tolerance.js';
export { compareTensors } from './check/compare.js';
export type { Comparison } from './check/compare.js';
export { PROBLEM2 } from './fixtures/problem2.js';

// The bug catalog and the notebook's classifier.
export { CATALOG, correctScratch } from './catalog/index.js';
export type { CatalogEntry } from './catalog/index.js';
export { ScratchSimpleRNNClassifier, CLASSIFIER_DEFAULTS } from './model/classifier.js';
export type { ClassifierOptions, History } from './model/classifier.js';
export { SimpleInitializer, XavierInitializer, HeInitializer } from './model/initializers.js';
export type { Initializer } from './model/initializers.js';
export { Tanh, ReLU } from './model/activations.js';
export { SGD, AdaGrad, Adam, clipByGlobalNorm } from './model/optimizers.js';
export type { Optimizer } from './model/optimizers.js';
export { saveModel, loadModel } from './model/persist.js';
export { loadMnist } from './data/mnist.js';
export type { MnistSplit } from './data/mnist.js';
