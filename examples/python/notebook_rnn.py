"""The scratch-RNN notebook's SimpleRNN, in its own class style, with a correct backpropagation through time.

    rnn-harness check --exec "notebook=/usr/bin/python3 examples/python/notebook_rnn.py"
"""
import numpy as np

from rnn_harness import serve


class Tanh:
    def forward(self, A):
        self.Z = np.tanh(A)
        return self.Z

    def backward(self, dZ, Z):
        return dZ * (1 - Z ** 2)


class SimpleRNN:
    """h_t = tanh(x_t @ Wx + h_{t-1} @ Wh + B), for every step; the notebook's names and shapes."""

    def __init__(self):
        self.activator = Tanh()

    def forward(self, x, Wx, Wh, B, h0=None):
        batch_size, n_sequences, _ = x.shape
        n_nodes = Wx.shape[1]
        h = np.zeros((batch_size, n_nodes)) if h0 is None else h0
        h_his = np.zeros((batch_size, n_sequences, n_nodes))
        for n in range(n_sequences):
            A = x[:, n, :] @ Wx + h @ Wh + B
            h = self.activator.forward(A)
            h_his[:, n, :] = h
        return h_his

    def backward(self, x, Wx, Wh, h0, h_his, dh_his):
        batch_size, n_sequences, _ = x.shape
        h0 = np.zeros((batch_size, Wx.shape[1])) if h0 is None else h0
        dWx, dWh, dB = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros(Wx.shape[1])
        dx = np.zeros_like(x)
        dh = np.zeros_like(h0)                                # flows back from step n+1
        for n in reversed(range(n_sequences)):
            dA = self.activator.backward(dh_his[:, n, :] + dh, h_his[:, n, :])
            h_prev = h_his[:, n - 1, :] if n > 0 else h0
            dWx += x[:, n, :].T @ dA
            dWh += h_prev.T @ dA
            dB += np.sum(dA, axis=0)
            dx[:, n, :] = dA @ Wx.T
            dh = dA @ Wh.T
        return {'wx': dWx, 'wh': dWh, 'b': dB, 'x': dx, 'h0': dh}


rnn = SimpleRNN()
serve(lambda x, wx, wh, b, h0: rnn.forward(x, wx, wh, b, h0),
      lambda x, wx, wh, b, h0, hs, dhs: rnn.backward(x, wx, wh, h0, hs, dhs),
      activations=('tanh',), name='notebook')
