/** The words of the contract that the others are built from: the activations and the precisions. */

/** The activation of a SimpleRNN cell: h_t = f(a_t). */
export type Activation = 'tanh' | 'relu';
/** Every activation, in the order reports show them. */
export const ACTIVATIONS: readonly Activation[] = ['tanh', 'relu'];

/** The precision a backend computes in, and so the tolerance it is judged by. */
export type Precision = 'float64' | 'float32';
/** Every precision. */
export const PRECISIONS: readonly Precision[] = ['float64', 'float32'];
