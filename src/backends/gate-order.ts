/**
 * Gate orders between frameworks. The contract's blocks are an LSTM's i, f, g, o and a GRU's r, z, n
 * (docs/CONTRACT.md); Keras and TensorFlow.js have the GRU's as z, r, h, ONNX the LSTM's as i, o, f, c.
 * A weight's last axis holds the blocks side by side; these functions reorder them.
 */

/** The GRU's blocks in Keras's and TensorFlow.js's order z, r, h, as indices into the contract's r, z, n. */
export const KERAS_GRU_ORDER: readonly number[] = [1, 0, 2];

/**
 * `data` (rows of `blocks.length` blocks of `width` numbers each) with its blocks reordered: block k of a
 * row of the result is block `blocks[k]` of that row of `data`.
 */
export function reorderBlocks(data: ArrayLike<number>, width: number, blocks: readonly number[]): Float64Array {
  const rowLength = width * blocks.length;
  if (width < 1 || data.length % rowLength !== 0)
    throw new RangeError(`reorderBlocks: ${data.length} numbers are not rows of ${blocks.length} blocks of ${width}`);
  const out = new Float64Array(data.length);
  for (let row = 0; row < data.length; row += rowLength)
    blocks.forEach((from, k) => {
      for (let j = 0; j < width; j++) out[row + k * width + j] = data[row + from * width + j] as number;
    });
  return out;
}

/** The order that undoes `blocks`: reorderBlocks(reorderBlocks(d, w, b), w, inverseOrder(b)) is d. */
export function inverseOrder(blocks: readonly number[]): number[] {
  const out = new Array<number>(blocks.length);
  blocks.forEach((from, k) => (out[from] = k));
  return out;
}
