"""The notebook's Problem 3 as written, made to run with the fewest changes (each marked "made to run").
Its backward is wrong in several places; rnn-harness names each wrong gradient:

    rnn-harness check --exec "problem3=/usr/bin/python3 examples/python/notebook_problem3.py"

It declares what the notebook's classifier is: tanh only, dWx, dWh and dB only, from the last step's dh
(a many-to-one model), always starting from zeros.
"""
import numpy as np

from rnn_harness import serve


class SGD:
    def __init__(self, lr):
        self.lr = lr

    def update(self, layer):
        layer.Wx -= self.lr*layer.dWx
        layer.Wh -= self.lr*layer.dWh
        layer.B -= self.lr*layer.dB
        return layer


class Tanh:
    def forward(self, A):
        self.A = A
        Z = np.tanh(self.A)
        return Z

    def backward(self, dZ):
        dA = dZ * (1 - np.tanh(self.A)**2)
        return dA


class ScratchSimpleRNNClassifier:

    def __init__(self,):
        self.Wx = np.array([[1, 3, 5, 7], [3, 5, 7, 8]])/100
        self.Wh = np.array([[1, 3, 5, 7], [2, 4, 6, 8], [3, 5, 7, 8], [4, 6, 8, 10]])/100
        self.b = np.array([1, 1, 1, 1])
        self.dB = 0
        self.dWx = 0
        self.dWh = 0
        self.activator = Tanh()
        self.optimizer = SGD(lr=0.001)
        self.h_his = []

    def forward(self, x):
        self.x = x.copy()
        batch_size = x.shape[0]
        self.n_sequences = x.shape[1]
        n_features = x.shape[2]
        self.n_features = n_features                     # made to run: backward reads self.n_features
        n_nodes = self.Wx.shape[1]                       # made to run: was the global w_x
        h = np.zeros((batch_size, n_nodes))
        for n in range(self.n_sequences):
            A = x[:, n, :] @ self.Wx + h @ self.Wh + self.b
            h = self.activator.forward(A)
            self.h_his.append(h)
        return h

    def backward(self, dh):
        dA = self.activator.backward(dh)
        for n in range(min(self.n_features, self.n_sequences))[::-1]:  # made to run: x[:, n] needs n < T
            self.dB += np.sum(dA, axis=0)
            self.dWx += self.x[:, n, :].T @ dA                # made to run: was the global x
            self.dWh += self.h_his[n].T @ dA                   # made to run: was the global h

        dx = dA @ self.Wx.T                               # made to run: Wx (F,H) cannot multiply dA (B,H)
        dh = dA @ self.Wh                                  # made to run: was the global Wh
        return dx, dh


# Each call gets a fresh model, as one forward and one backward in a unit test would, so that every failure
# replays on its own. (Over many calls the notebook's accumulators, never reset, would be wrong as well.)

def model_with(wx, wh, b):
    model = ScratchSimpleRNNClassifier()
    model.Wx, model.Wh, model.b = wx, wh, b
    return model


def forward(x, wx, wh, b, h0):
    model = model_with(wx, wh, b)
    model.forward(x)
    return np.stack(model.h_his, axis=1)                 # every hidden state: [B, T, H]


def backward(x, wx, wh, b, h0, hs, dhs):
    model = model_with(wx, wh, b)
    model.forward(x)                                     # the notebook's backward needs its forward's state
    model.backward(dhs[:, -1, :])
    return {'wx': model.dWx, 'wh': model.dWh, 'b': model.dB}


serve(forward, backward, activations=('tanh',), gradients=('wx', 'wh', 'b'),
      last_step_only=True, initial_state=False, name='problem3')
