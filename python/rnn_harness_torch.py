"""PyTorch's nn.RNN, nn.LSTM and nn.GRU served to rnn-harness as the `pytorch` backend: the peer a user
would pick instead.

    python3 rnn_harness_torch.py [--dtype float64|float32] [--threads N]

The harness's layout maps onto nn.RNN / nn.LSTM / nn.GRU(batch_first=True) as weight_ih_l0 = wx.T,
weight_hh_l0 = wh.T, bias_ih_l0 = b and bias_hh_l0 = 0 (a GRU's: bh); see torch_layout. PyTorch's GRU
applies the reset gate after the product only (resetAfter), which the hello declares. Backward is autograd
with respect to the parameters, x, h0 and an LSTM's c0.

As a PyTorch training step does, forward records the autograd graph, and a backward that follows it on
the very same inputs (the harness sends them as "same": the adapter hands over the same arrays) runs
autograd on that graph. Any other backward runs the forward pass again under autograd, since the
harness's contract is stateless.
"""
import argparse
import os
import sys
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rnn_harness import serve  # noqa: E402


def torch_layout(wx, wh, b, bh=None):
    """The harness's parameters as the layer's: PyTorch keeps W·x (weight [G·H, F]) where the harness keeps
    x·wx (wx [F, G·H]), so each weight is transposed. The gate blocks are in the same order on both sides:
    i, f, g, o for an LSTM and r, z, n for a GRU (PyTorch's own order), so no block moves. bias_hh is the
    GRU's bh; the SimpleRNN's and the LSTM's stay zero."""
    out = {'weight_ih_l0': wx.T, 'weight_hh_l0': wh.T, 'bias_ih_l0': b}
    if bh is not None:
        out['bias_hh_l0'] = bh
    return out


def blas():
    """The BLAS this process loaded, read from its memory map (torch on Debian links libblas.so.3)."""
    torch.ones(2, 2) @ torch.ones(2, 2)
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if 'blas' in line.lower() and '.so' in line}
    except OSError:
        return 'BLAS unknown'
    real = sorted({os.path.realpath(p) for p in libs})
    for path in real:
        if 'openblas' in path:
            return f'OpenBLAS ({path})'
    return f'reference BLAS ({real[0]})' if real else 'BLAS unknown'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dtype', choices=('float64', 'float32'), default='float64')
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--name', default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    # The arrays from the harness are read-only views of the message; torch only reads them.
    warnings.filterwarnings('ignore', message='The given NumPy array is not writable')
    dtype = torch.float64 if args.dtype == 'float64' else torch.float32
    layers = {}

    def layer(F, H, activation, cell):
        key = (F, H, activation, cell)
        rnn = layers.pop(key, None)  # re-inserted last: the dict keeps the most recently used at the end
        if rnn is None:
            if len(layers) >= 8:  # a long fuzz campaign meets many (F, H): keep a few
                del layers[next(iter(layers))]
            if cell == 'lstm':
                rnn = torch.nn.LSTM(F, H, batch_first=True)
            elif cell == 'gru':
                rnn = torch.nn.GRU(F, H, batch_first=True)
            else:
                rnn = torch.nn.RNN(F, H, nonlinearity=activation, batch_first=True)
            rnn = rnn.to(dtype)
            if cell != 'gru':  # the harness's SimpleRNN and LSTM have one bias; a GRU's second is bh
                with torch.no_grad():
                    rnn.bias_hh_l0.zero_()
                rnn.bias_hh_l0.requires_grad_(False)
        layers[key] = rnn
        return rnn

    def load(x, wx, wh, b, h0, activation, cell, c0, bh):
        """The layer of this call with the harness's parameters in it (see torch_layout), and its inputs."""
        B, _, F = x.shape
        H = wh.shape[0]
        rnn = layer(F, H, activation, cell)
        with torch.no_grad():
            for name, value in torch_layout(wx, wh, b, bh if cell == 'gru' else None).items():
                getattr(rnn, name).copy_(torch.from_numpy(value))
        zeros = lambda: torch.zeros(1, B, H, dtype=dtype)  # noqa: E731
        h = zeros() if h0 is None else torch.from_numpy(h0).unsqueeze(0)
        c = (zeros() if c0 is None else torch.from_numpy(c0).unsqueeze(0)) if cell == 'lstm' else None
        return rnn, torch.from_numpy(x), h, c

    last = {}  # the graph of the last forward, and the arrays it was made from

    def record(x, wx, wh, b, h0, activation, cell, c0, bh):
        rnn, xt, h, c = load(x, wx, wh, b, h0, activation, cell, c0, bh)
        xt = xt.detach().requires_grad_(True)
        h = h.detach().requires_grad_(True)
        if c is not None:
            c = c.detach().requires_grad_(True)
        rnn.zero_grad(set_to_none=True)
        out, _ = rnn(xt, (h, c) if c is not None else h)
        return rnn, xt, h, c, out

    def forward(x, wx, wh, b, h0, activation='tanh', cell='rnn', c0=None, bh=None):
        graph = record(x, wx, wh, b, h0, activation, cell, c0, bh)
        last.clear()
        last.update(inputs=(x, wx, wh, b, h0, c0, bh), key=(activation, cell), graph=graph)
        return graph[-1].detach().numpy()

    def backward(x, wx, wh, b, h0, hs, dhs, activation='tanh', cell='rnn', c0=None, bh=None):
        inputs = last.get('inputs', ())
        same = (len(inputs) == 7 and all(a is b_ for a, b_ in zip(inputs, (x, wx, wh, b, h0, c0, bh)))
                and last.get('key') == (activation, cell))
        rnn, xt, h, c, out = last['graph'] if same else record(x, wx, wh, b, h0, activation, cell, c0, bh)
        last.clear()  # a graph serves one backward
        out.backward(torch.from_numpy(dhs))
        grads = {'wx': rnn.weight_ih_l0.grad.T.numpy(), 'wh': rnn.weight_hh_l0.grad.T.numpy(), 'b': rnn.bias_ih_l0.grad.numpy(),
                 'x': xt.grad.numpy(), 'h0': h.grad[0].numpy()}
        if cell == 'lstm':
            grads['c0'] = c.grad[0].numpy()
        if cell == 'gru':
            grads['bh'] = rnn.bias_hh_l0.grad.numpy()
        return grads

    engine = f'torch {torch.__version__}, {torch.get_num_threads()} thread(s), {blas()}, OPENBLAS_NUM_THREADS={os.environ.get("OPENBLAS_NUM_THREADS", "unset")}'
    serve(forward, backward, precision=args.dtype, activations=('tanh', 'relu'), cells=('rnn', 'lstm', 'gru'),
          gru_reset_before=False, reads_hs=False, name=args.name or 'pytorch', engine=engine)


if __name__ == '__main__':
    main()
