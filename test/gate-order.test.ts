import { describe, expect, it } from 'vitest';
import { inverseOrder, KERAS_GRU_ORDER, reorderBlocks } from '../src/backends/gate-order.js';

describe('gate orders', () => {
  it("should put a GRU's r, z, n blocks in Keras's order z, r, h, row by row", () => {
    // Two rows, H = 2: r = 1 2, z = 3 4, n = 5 6; then r = 7 8, z = 9 10, n = 11 12.
    const contract = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
    expect([...reorderBlocks(contract, 2, KERAS_GRU_ORDER)]).toEqual([3, 4, 1, 2, 5, 6, 9, 10, 7, 8, 11, 12]);
  });

  it("should undo an order with its inverse, for ONNX's LSTM order i, o, f, c too", () => {
    const onnx = [0, 3, 1, 2]; // ONNX's blocks as indices into i, f, g, o
    const data = Array.from({ length: 3 * 4 * 5 }, (_, i) => i * 0.5);
    expect(inverseOrder(onnx)).toEqual([0, 2, 3, 1]);
    expect([...reorderBlocks(reorderBlocks(data, 5, onnx), 5, inverseOrder(onnx))]).toEqual(data);
    expect([...reorderBlocks(data.slice(0, 20), 5, onnx).slice(5, 10)]).toEqual(data.slice(15, 20)); // o second
  });

  it('should refuse data that is not whole rows of blocks', () => {
    expect(() => reorderBlocks([1, 2, 3, 4, 5], 2, KERAS_GRU_ORDER)).toThrow(
      /reorderBlocks: 5 numbers are not rows of 3 blocks of 2/,
    );
  });
});
