/**
 * rnn-harness/testing: the pieces the checks are made of, for a project that builds its own — the fixed
 * suite's parts, the fast-check properties and case generators, the oracles, the peers' expected values,
 * the conformance suite as data, and the bug catalog.
 */
import './backends/builtin.js';

export { checkBackend, checkCases, checkPeers, checkProblem2, problem2Case } from './check/suite.js';
export type { CheckCase, CheckRow } from './check/suite.js';
export {
  agreementProperty,
  saturationProperty,
  checkAgreement,
  assertAgrees,
  kinkAwareCases,
  Disagreement,
  WIDE_MARGIN,
  SATURATED,
} from './check/properties.js';
export type { WatchedProperty } from './check/properties.js';
export {
  rnnCase,
  constraintsFor,
  caseOptions,
  describeCase,
  caseToJson,
  maskToLastStep,
  DEFAULT_RANGES,
  GRID,
} from './check/arbitraries.js';
export type { CaseConstraints, RnnCase, ShapeRanges } from './check/arbitraries.js';
export { peerCases, peerGradientCases, peerRnnCase, runPeerCase, comparePeer } from './check/peer-cases.js';
export type { PeerCase, PeerGradientCase, PeerComparison } from './check/peer-cases.js';
export { scaledCase } from './check/scaled-case.js';
export type { ScaledCaseOptions, Shape } from './check/scaled-case.js';
export { caseFeatures, separatingFeatures } from './check/diagnosis.js';
export { checkOracle, oracleProperty } from './oracle/properties.js';
export { checkOracleRows } from './oracle/rows.js';
export { rnnLoss } from './oracle/finite-difference.js';
export type { OracleOptions } from './oracle/finite-difference.js';
export { checkDirectional, numericDirectionals, randomDirections } from './oracle/directional.js';
export type { DirectionalReport, Directions } from './oracle/directional.js';
export { largeCases, LARGE_SHAPES, checkDirectionalLarge } from './oracle/large.js';
export {
  largeCase,
  largeAgreementProperty,
  largeOracleProperty,
  largeSaturationProperty,
  LARGE_LIMITS,
} from './oracle/large-properties.js';
export { conformanceTests } from './conformance/tests.js';
export type { ConformanceContext, ConformanceOptions, ConformanceTest } from './conformance/tests.js';
export { CATALOG, correctScratch } from './catalog/index.js';
export type { CatalogEntry } from './catalog/index.js';
export { PROBLEM2 } from './fixtures/problem2.js';
