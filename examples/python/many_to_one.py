"""A learner's two NumPy functions for a many-to-one RNN, served to rnn-harness in three lines.

    rnn-harness check --exec "mine=python3 examples/python/many_to_one.py"
"""
import numpy as np


def rnn_forward(x, wx, wh, b, h0):
    h = np.zeros((x.shape[0], wx.shape[1]))               # always starts from zeros
    hs = []
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t, :] @ wx + h @ wh + b)
        hs.append(h)
    return np.stack(hs, axis=1)                           # [B, T, H]


def rnn_backward(x, wx, wh, b, h0, hs, dhs):
    dh = dhs[:, -1, :]                                    # only the last step's output has a loss
    dwx, dwh, db = np.zeros_like(wx), np.zeros_like(wh), np.zeros_like(b)
    for t in reversed(range(x.shape[1])):
        da = dh * (1 - hs[:, t, :] ** 2)
        h_prev = hs[:, t - 1, :] if t > 0 else np.zeros_like(hs[:, 0, :])
        dwx += x[:, t, :].T @ da
        dwh += h_prev.T @ da
        db += da.sum(axis=0)
        dh = da @ wh.T
    return {'wx': dwx, 'wh': dwh, 'b': db}


from rnn_harness import serve  # noqa: E402
serve(rnn_forward, rnn_backward, activations=('tanh',), gradients=('wx', 'wh', 'b'),
      last_step_only=True, initial_state=False)
