/** The exec protocol's frames: what is encoded comes back whole, however the stream is cut. */
import { fc, it } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { encodeFrame, FrameReader, ProtocolError, SentMemory, type WireTensor } from '../src/exec/frames.js';

const tensorArb = fc
  .record({
    name: fc.constantFrom('x', 'wx', 'hs', 'dhs'),
    shape: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 3 }),
    f32: fc.boolean(),
  })
  .chain(({ name, shape, f32 }) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc
      .array(fc.double({ noNaN: false }), { minLength: n, maxLength: n })
      .map((v): WireTensor => ({ name, shape, data: f32 ? Float32Array.from(v) : Float64Array.from(v) }));
  });

describe('exec protocol frames', () => {
  it.prop(
    [
      fc.array(fc.array(tensorArb, { maxLength: 4 }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 20 }),
    ],
    { numRuns: 200, seed: 31 },
  )('should decode every frame exactly, whatever the chunk boundaries', (frames, cuts) => {
    const unique = frames.map((ts) => [...new Map(ts.map((t) => [t.name, t])).values()]);
    const bytes = Buffer.concat(unique.flatMap((ts, i) => encodeFrame({ type: 'result', id: i }, ts)));
    const reader = new FrameReader();
    const got = [];
    for (let at = 0, k = 0; at < bytes.length; k++) {
      const n = cuts[k % cuts.length] as number;
      got.push(...reader.push(bytes.subarray(at, at + n)));
      at += n;
    }
    expect(got.map((f) => f.header.id)).toEqual(unique.map((_, i) => i));
    got.forEach((f, i) => {
      for (const t of unique[i] as WireTensor[]) {
        const back = f.tensors.get(t.name);
        expect(back?.shape).toEqual(t.shape);
        expect(back?.data.constructor).toBe(t.data.constructor);
        expect(
          Buffer.from(back!.data.buffer).equals(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
        ).toBe(true);
      }
    });
  });

  it.each([
    [
      'a line that is not JSON',
      'Loading weights...\n',
      /not a protocol frame: expected a JSON header line, got "Loading weights\.\.\."/,
    ],
    ['JSON without a type', '{"id":1}\n', /a header must be a JSON object with a "type"/],
    [
      'bytes that do not match the tensors',
      '{"type":"result","tensors":[{"name":"hs","dtype":"float64","shape":[2]}],"bytes":8}\n',
      /its tensors need 16 bytes but "bytes" says 8/,
    ],
    [
      'an unknown dtype',
      '{"type":"result","tensors":[{"name":"hs","dtype":"int8","shape":[2]}],"bytes":2}\n',
      /each tensor must be \{ name, dtype: "float64"\|"float32", shape: \[integers\] \}/,
    ],
    [
      'a "same" tensor from the child',
      '{"type":"result","tensors":[{"name":"hs","dtype":"float64","shape":[2],"same":true}],"bytes":0}\n',
      /only the harness may send/,
    ],
  ])('should refuse %s', (_, text, message) => {
    expect(() => new FrameReader().push(Buffer.from(text))).toThrow(ProtocolError);
    expect(() => new FrameReader().push(Buffer.from(text))).toThrow(message);
  });

  it('should send a tensor the child already holds as "same", and the bytes again once they change', () => {
    const memory = new SentMemory();
    const x = { name: 'x', shape: [2], data: Float64Array.of(1, 2) };
    expect(memory.mark(x).same).toBeUndefined();
    expect(memory.mark({ ...x, data: Float64Array.of(1, 2) }).same).toBe(true);
    x.data[1] = 3; // the caller changed its array: the memory kept a copy of what was sent
    expect(memory.mark(x).same).toBeUndefined();
    expect(memory.mark({ ...x, shape: [1, 2] }).same).toBeUndefined();
    memory.clear();
    expect(memory.mark({ name: 'x', shape: [1, 2], data: Float64Array.of(1, 3) }).same).toBeUndefined();
  });

  it('should remember the latest bytes when it copies them into the memory of the earlier ones', () => {
    const memory = new SentMemory();
    const at = (...v: number[]) => ({ name: 'wh', shape: [2], data: Float64Array.from(v) });
    expect(memory.mark(at(1, 2)).same).toBeUndefined();
    expect(memory.mark(at(5, 6)).same).toBeUndefined();
    expect(memory.mark(at(1, 2)).same).toBeUndefined(); // the child holds 5, 6 now
    expect(memory.mark(at(1, 2)).same).toBe(true);
    expect(memory.mark({ name: 'wh', shape: [3], data: Float64Array.of(1, 2, 0) }).same).toBeUndefined();
    expect(memory.mark({ name: 'wh', shape: [3], data: Float64Array.of(1, 2, 0) }).same).toBe(true);
  });

  it('should read a reply into the arrays prepared for it when they fit, and into new ones when they do not', () => {
    const hs = { name: 'hs', shape: [2, 3], data: Float64Array.of(1, 2, 3, 4, 5, 6) };
    const dx = { name: 'x', shape: [2], data: Float32Array.of(7, 8) };
    const wx = { name: 'wx', shape: [1], data: Float64Array.of(9) };
    const reader = new FrameReader();
    reader.prepare([
      { name: 'hs', dtype: 'float64', shape: [2, 3] },
      { name: 'x', dtype: 'float64', shape: [2] },
      { name: 'wx', dtype: 'float64', shape: [2] },
    ]);
    const prepared = (reader as unknown as { prepared: Map<string, Float64Array> }).prepared;
    const ready = prepared.get('hs');
    const [f] = reader.push(Buffer.concat(encodeFrame({ type: 'result', id: 1 }, [hs, dx, wx])));
    expect(f!.tensors.get('hs')!.data).toBe(ready); // taken: the same array, filled
    expect([...f!.tensors.get('hs')!.data]).toEqual([1, 2, 3, 4, 5, 6]);
    expect(f!.tensors.get('x')!.data).toBeInstanceOf(Float32Array); // float32 arrived, float64 was prepared
    expect([...f!.tensors.get('x')!.data]).toEqual([7, 8]);
    expect([...f!.tensors.get('wx')!.data]).toEqual([9]); // one number arrived, two were prepared
    // Arrays serve one reply: the next one, with nothing prepared, gets arrays of its own.
    const [g] = reader.push(Buffer.concat(encodeFrame({ type: 'result', id: 2 }, [hs])));
    expect(g!.tensors.get('hs')!.data).not.toBe(ready);
    expect([...g!.tensors.get('hs')!.data]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
