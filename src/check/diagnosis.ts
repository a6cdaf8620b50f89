/**
 * What separates the failing cases of a check from the passing ones. Every case of the suite has
 * features written like its label (T>1, B>1, h0, relu, H!=F, saturated, and their opposites); the
 * features shared by every failing case and by no passing case say when a quantity goes wrong, and each
 * points at the code to read: "dwh fails only when T>1: look at the gradient carried through time".
 */
import type { RnnCase } from './arbitraries.js';

/** Every feature a case can have, in the order a report lists them. */
export const FEATURES = [
  'T>1',
  'T=1',
  'B>1',
  'B=1',
  'h0',
  'no h0',
  'relu',
  'tanh',
  'H!=F',
  'H=F',
  'c0',
  'no c0',
  'reset after',
  'reset before',
  'saturated',
] as const;
export type Feature = (typeof FEATURES)[number];

/** The features of a case; `saturated` marks the case whose every pre-activation is far beyond tanh's knee. */
export function caseFeatures(
  c: Pick<RnnCase, 'B' | 'T' | 'F' | 'H' | 'activation' | 'h0' | 'cell' | 'c0' | 'resetAfter'>,
  saturated = false,
): Feature[] {
  const f: Feature[] = [
    c.T > 1 ? 'T>1' : 'T=1',
    c.B > 1 ? 'B>1' : 'B=1',
    c.h0 === undefined ? 'no h0' : 'h0',
    c.H === c.F ? 'H=F' : 'H!=F',
  ];
  // A gated cell has no activation to choose; an LSTM has c0 or not, a GRU its reset gate after or before.
  if (c.cell === undefined || c.cell === 'rnn') f.push(c.activation);
  if (c.cell === 'lstm') f.push(c.c0 === undefined ? 'no c0' : 'c0');
  if (c.cell === 'gru') f.push(c.resetAfter === false ? 'reset before' : 'reset after');
  if (saturated) f.push('saturated');
  return FEATURES.filter((x) => f.includes(x));
}

/** One case's outcome for one quantity. */
export type Outcome = {
  features: readonly Feature[];
  failed: boolean;
  /**
   * Whether a pass here says something: not when every expected value is within the tolerance of 0 (a
   * gradient through a saturated tanh is 0 whatever the code does, and a wrong 0 would pass), nor in the
   * saturated case, where every h is ±1 whatever the weights are.
   */
  evidence: boolean;
};

/**
 * What separates the failing cases from the passing ones that are evidence: the features every failing
 * case has and no passing case has (['T>1'], or ['T>1', 'h0'] when it takes both); failing that, two
 * features one of which every failing case has and neither of which a passing case has (['T>1 or h0']);
 * [] when nothing separates them (or every case failed), undefined when nothing failed.
 */
export function separatingFeatures(outcomes: readonly Outcome[]): string[] | undefined {
  const failed = outcomes.filter((o) => o.failed);
  if (failed.length === 0) return undefined;
  const passed = outcomes.filter((o) => !o.failed && o.evidence);
  if (passed.length === 0) return [];
  // A feature every case has (tanh, for a backend that declares only tanh) separates nothing.
  const varies = FEATURES.filter((f) => !outcomes.every((o) => o.features.includes(f)));
  const all = varies.filter(
    (f) => failed.every((o) => o.features.includes(f)) && !passed.some((o) => o.features.includes(f)),
  );
  if (all.length > 0) return all;
  const never = varies.filter((f) => !passed.some((o) => o.features.includes(f)));
  for (const [i, a] of never.entries()) {
    for (const b of never.slice(i + 1))
      if (failed.every((o) => o.features.includes(a) || o.features.includes(b))) return [`${a} or ${b}`];
  }
  return [];
}

/** Where to look when a quantity fails only with a feature. */
export const FEATURE_HINTS: Record<Feature, string> = {
  'T>1': 'look at the gradient carried through time (dh from step t+1, h_{t-1} in dwh, the order of the loop)',
  'T=1': 'look at the first step and at a loop that runs once (h_{t-1} at t = 0, the ends of the time loop)',
  'B>1': 'look at the sums over the batch (averaged instead of summed, one sample only, rows mixed up)',
  'B=1': 'look at code that only a single sample reaches (a batch axis squeezed away)',
  h0: 'look at how the initial state h0 enters: h_{t-1} at the first step in forward, dwh and dh0 in backward',
  'no h0': 'look at the zero initial state used when h0 is not given',
  relu: 'look at relu and its derivative [h > 0]',
  tanh: 'look at tanh and its derivative 1 − h²',
  'H!=F': 'look for F and H swapped, or wx and wh mixed up: a mistake that H = F would hide',
  'H=F': 'look at code that only square weights reach',
  c0: "look at how the LSTM's initial cell state c0 enters: c_{t-1} at the first step, and dc0 = dc_1 ⊙ f_1",
  'no c0': 'look at the zero initial cell state used when c0 is not given',
  'reset after':
    "look at the GRU's new gate with the reset after the product: n = tanh(x·wxn + bn + r ⊙ (h·whn + bhn))",
  'reset before':
    "look at the GRU's new gate with the reset before the product: n = tanh(x·wxn + bn + (r ⊙ h)·whn + bhn)",
  saturated:
    'look at large pre-activations: tanh written with e^{2a} overflows to NaN beyond a ≈ 354, a sigmoid written as e^a/(1 + e^a) beyond a ≈ 709',
};

/** Where to look when a quantity fails in every case: the line of the contract that makes it. */
const QUANTITY_HINTS: Record<string, string> = {
  hs: 'look at the forward step h_t = f(x_t·wx + h_{t-1}·wh + b)',
  dwx: 'look at dwx += x_tᵀ·da_t',
  dwh: 'look at dwh += h_{t-1}ᵀ·da_t (h_{t-1}, not h_t; h0 at the first step)',
  db: 'look at db += da_t summed over the batch',
  dx: 'look at dx_t = da_t·wxᵀ',
  dh0: 'look at dh0, the gradient carried out of the first step: da_1·whᵀ',
};

/** One line: "dwh fails only when T>1: look at …", or that it fails everywhere, or that no feature tells. */
export function failsWhenLine(quantity: string, failsWhen: readonly string[], everyCaseFailed: boolean): string {
  if (failsWhen.length > 0) {
    const hints = failsWhen
      .flatMap((f) => f.split(' or '))
      .map((f) => FEATURE_HINTS[f as Feature])
      .join('; ');
    return `${quantity} fails only when ${failsWhen.join(' and ')}: ${hints}`;
  }
  if (!everyCaseFailed)
    return `${quantity} fails in some cases, and no feature of the cases separates them from the passing ones`;
  const hint = QUANTITY_HINTS[quantity];
  return `${quantity} fails in every case checked${hint === undefined ? '' : `: ${hint}`}`;
}
