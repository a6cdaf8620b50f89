/**
 * Saving and loading a trained ScratchSimpleRNNClassifier as JSON: format, version, config and weights.
 * The save is atomic (a temporary file in the same folder, then rename), so a crash never leaves half a
 * model; a load refuses a wrong format or version, missing or mis-sized weights and non-finite numbers.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RnnInputError } from '../core/errors.js';
import type { Activation, RnnBackend } from '../core/rnn.js';
import { ScratchSimpleRNNClassifier, type Dims, type Weights } from './classifier.js';

export const MODEL_FORMAT = 'rnn-harness/ScratchSimpleRNNClassifier';
export const MODEL_VERSION = 1;

export type SavedModel = {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  config: Dims & { activation: Activation; seed: number };
  weights: Record<keyof Weights, number[]>;
};

/** The weights' sizes for given dimensions. */
const SIZES = (d: Dims): Record<keyof Weights, number> => ({
  wx: d.F * d.H,
  wh: d.H * d.H,
  b: d.H,
  W: d.H * d.K,
  B: d.K,
});

/** Writes a trained classifier to a file, atomically (a temporary file, then a rename). */
export async function saveModel(model: ScratchSimpleRNNClassifier, file: string): Promise<void> {
  if (model.weights === undefined || model.dims === undefined)
    throw new RnnInputError('saveModel: the model has no weights; call fit() first');
  const w = model.weights;
  const saved: SavedModel = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    config: { ...model.dims, activation: model.activation, seed: model.seed },
    weights: { wx: [...w.wx], wh: [...w.wh], b: [...w.b], W: [...w.W], B: [...w.B] },
  };
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, JSON.stringify(saved));
    await rename(temp, file);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}

function refuse(file: string, what: string): never {
  throw new RnnInputError(`loadModel: ${file}: ${what}`);
}

/** Reads a model saved by saveModel; `backend` is what predict will run on (default 'loops'). */
export async function loadModel(
  file: string,
  options: { backend?: string | RnnBackend } = {},
): Promise<ScratchSimpleRNNClassifier> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    refuse(file, `could not read it as JSON: ${(e as Error).message}`);
  }
  const m = json as Partial<SavedModel> | null;
  if (m?.format !== MODEL_FORMAT) refuse(file, `format must be '${MODEL_FORMAT}'; got ${JSON.stringify(m?.format)}`);
  if (m.version !== MODEL_VERSION)
    refuse(
      file,
      `version must be ${MODEL_VERSION}; got ${JSON.stringify(m.version)} (saved by another rnn-harness version)`,
    );
  const c = m.config;
  if (c === undefined) refuse(file, 'config is missing');
  for (const k of ['T', 'F', 'H', 'K'] as const)
    if (!Number.isSafeInteger(c[k]) || c[k] < 1)
      refuse(file, `config.${k} must be an integer >= 1; got ${JSON.stringify(c[k])}`);
  if (c.activation !== 'tanh' && c.activation !== 'relu')
    refuse(file, `config.activation must be 'tanh' or 'relu'; got ${JSON.stringify(c.activation)}`);
  const dims: Dims = { T: c.T, F: c.F, H: c.H, K: c.K };
  const weights = {} as Weights;
  for (const [key, size] of Object.entries(SIZES(dims)) as [keyof Weights, number][]) {
    const v = m.weights?.[key];
    if (!Array.isArray(v)) refuse(file, `weights.${key} is missing`);
    if (v.length !== size)
      refuse(file, `weights.${key} must have ${size} numbers for F=${c.F} H=${c.H} K=${c.K}; got ${v.length}`);
    const bad = v.findIndex((x) => typeof x !== 'number' || !Number.isFinite(x));
    if (bad >= 0) refuse(file, `weights.${key}[${bad}] must be a finite number; got ${JSON.stringify(v[bad])}`);
    weights[key] = Float64Array.from(v);
  }
  const model = new ScratchSimpleRNNClassifier({
    nodes: c.H,
    activation: c.activation,
    seed: Number.isSafeInteger(c.seed) ? c.seed : 0,
    backend: options.backend ?? 'loops',
  });
  model.dims = dims;
  model.weights = weights;
  return model;
}
