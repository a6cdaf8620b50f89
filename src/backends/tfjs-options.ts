/** What the tfjs entries (./tfjs.ts) and their engine (./tfjs-engine.ts) share: which engine, and its options. */

/** TensorFlow.js's backend under test: its plain-JavaScript cpu backend or its WebAssembly backend. */
export type TfjsEngine = 'cpu' | 'wasm';

export type TfjsOptions = {
  /** Work around tensorflow/tfjs#8255 for T = 1 by padding a zero step (default true). */
  padSingleStep?: boolean;
};
