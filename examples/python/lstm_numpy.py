"""An LSTM written from its equations in NumPy, forward and backpropagation through time, served to
rnn-harness as a gated cell:

    rnn-harness check --cell lstm --exec "lstm=/usr/bin/python3 examples/python/lstm_numpy.py" --backends lstm

or from a notebook cell: `from rnn_harness import check; check(forward, backward, cells=('lstm',))`.

The layout is the harness's (docs/CONTRACT.md, "Gated cells"): x [B,T,F], wx [F,4H], wh [H,4H], b [4H],
h0 and c0 [B,H], the gate blocks side by side in the order i, f, g, o:

    a_t = x_t @ wx + h_{t-1} @ wh + b;   i, f, o = sigmoid(a_i, a_f, a_o);   g = tanh(a_g)
    c_t = f * c_{t-1} + i * g;           h_t = o * tanh(c_t)
"""
import numpy as np

from rnn_harness import serve


def sigmoid(a):
    return 0.5 * (1 + np.tanh(0.5 * a))  # = 1 / (1 + e^-a), without overflow


def steps(x, wx, wh, b, h0, c0):
    """Runs the cell over the sequence; returns hs and, per step, what backward needs."""
    B, T, _ = x.shape
    H = wh.shape[0]
    h = np.zeros((B, H), dtype=x.dtype) if h0 is None else h0
    c = np.zeros((B, H), dtype=x.dtype) if c0 is None else c0
    hs = np.empty((B, T, H), dtype=x.dtype)
    trace = []
    for t in range(T):
        a = x[:, t] @ wx + h @ wh + b
        i, f, g, o = sigmoid(a[:, :H]), sigmoid(a[:, H:2 * H]), np.tanh(a[:, 2 * H:3 * H]), sigmoid(a[:, 3 * H:])
        c_prev, h_prev = c, h
        c = f * c_prev + i * g
        h = o * np.tanh(c)
        hs[:, t] = h
        trace.append((i, f, g, o, c, c_prev, h_prev))
    return hs, trace


def forward(x, wx, wh, b, h0, c0=None):
    return steps(x, wx, wh, b, h0, c0)[0]


def backward(x, wx, wh, b, h0, hs, dhs, c0=None):
    """The gradients of L = sum(dhs * hs), the steps taken backwards."""
    _, trace = steps(x, wx, wh, b, h0, c0)
    dwx, dwh, db, dx = np.zeros_like(wx), np.zeros_like(wh), np.zeros_like(b), np.zeros_like(x)
    dh = np.zeros_like(trace[0][6])  # dL/dh_t arriving from step t + 1
    dc = np.zeros_like(dh)           # dL/dc_t arriving from step t + 1
    for t in reversed(range(x.shape[1])):
        i, f, g, o, c, c_prev, h_prev = trace[t]
        dh = dh + dhs[:, t]
        tc = np.tanh(c)
        dc = dc + dh * o * (1 - tc ** 2)
        da = np.concatenate([dc * g * i * (1 - i),       # i
                             dc * c_prev * f * (1 - f),  # f
                             dc * i * (1 - g ** 2),      # g
                             dh * tc * o * (1 - o)],     # o
                            axis=1)
        dwx += x[:, t].T @ da
        dwh += h_prev.T @ da
        db += da.sum(axis=0)
        dx[:, t] = da @ wx.T
        dh = da @ wh.T
        dc = dc * f
    return {'wx': dwx, 'wh': dwh, 'b': db, 'x': dx, 'h0': dh, 'c0': dc}


if __name__ == '__main__':
    serve(forward, backward, cells=('lstm',), activations=('tanh',), name='lstm')
