import { createBackend, fromNested } from 'rnn-harness';

// The notebook's Problem 2: x [batch=1, steps=3, features=2], 4 hidden units, h0 = 0, tanh.
const x = fromNested(
  [
    [
      [1, 2],
      [2, 3],
      [3, 4],
    ],
  ].map((s) => s.map((r) => r.map((v) => v / 100))),
);
const wx = fromNested(
  [
    [1, 3, 5, 7],
    [3, 5, 7, 8],
  ].map((r) => r.map((v) => v / 100)),
);
const wh = fromNested(
  [
    [1, 3, 5, 7],
    [2, 4, 6, 8],
    [3, 5, 7, 8],
    [4, 6, 8, 10],
  ].map((r) => r.map((v) => v / 100)),
);
const b = fromNested([1, 1, 1, 1]);

const rnn = await createBackend('loops');
const hs = await rnn.forward({ wx, wh, b }, x); // all hidden states, shape [1, 3, 4]
console.log([...hs.data.slice(-4)].map((v) => v.toFixed(8)).join(' '));
// 0.79494228 0.81839002 0.83939649 0.85584174

// Gradients of L = Σ dhs ⊙ hs; here only the last step's output matters (many-to-one).
const dhs = fromNested([
  [
    [0, 0, 0, 0],
    [0, 0, 0, 0],
    [1, 1, 1, 1],
  ],
]);
const grads = await rnn.backward({ wx, wh, b }, x, hs, dhs);
console.log(grads.wx.shape, grads.wh.shape, grads.b.shape, grads.x.shape, grads.h0.shape);
await rnn.dispose();
