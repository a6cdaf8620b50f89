"""PyTorch's nn.RNN served to rnn-harness as the `pytorch` backend: the peer a user would pick instead.

    python3 rnn_harness_torch.py [--dtype float64|float32] [--threads N]

The harness's layout maps onto nn.RNN(batch_first=True) as weight_ih_l0 = wx.T, weight_hh_l0 = wh.T,
bias_ih_l0 = b and bias_hh_l0 = 0. Backward is autograd with respect to the parameters, x and h0.

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

    def layer(F, H, activation):
        key = (F, H, activation)
        rnn = layers.pop(key, None)  # re-inserted last: the dict keeps the most recently used at the end
        if rnn is None:
            if len(layers) >= 8:  # a long fuzz campaign meets many (F, H): keep a few
                del layers[next(iter(layers))]
            rnn = torch.nn.RNN(F, H, nonlinearity=activation, batch_first=True).to(dtype)
            with torch.no_grad():
                rnn.bias_hh_l0.zero_()
            rnn.bias_hh_l0.requires_grad_(False)
        layers[key] = rnn
        return rnn

    def load(x, wx, wh, b, h0, activation):
        B, _, F = x.shape
        H = wx.shape[1]
        rnn = layer(F, H, activation)
        with torch.no_grad():
            rnn.weight_ih_l0.copy_(torch.from_numpy(wx).T)
            rnn.weight_hh_l0.copy_(torch.from_numpy(wh).T)
            rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        h = torch.zeros(1, B, H, dtype=dtype) if h0 is None else torch.from_numpy(h0).unsqueeze(0)
        return rnn, torch.from_numpy(x), h

    last = {}  # the graph of the last forward, and the arrays it was made from

    def record(x, wx, wh, b, h0, activation):
        rnn, xt, h = load(x, wx, wh, b, h0, activation)
        xt = xt.detach().requires_grad_(True)
        h = h.detach().requires_grad_(True)
        rnn.zero_grad(set_to_none=True)
        out, _ = rnn(xt, h)
        return rnn, xt, h, out

    def forward(x, wx, wh, b, h0, activation):
        rnn, xt, h, out = record(x, wx, wh, b, h0, activation)
        last.clear()
        last.update(inputs=(x, wx, wh, b, h0, activation), graph=(rnn, xt, h, out))
        return out.detach().numpy()

    def backward(x, wx, wh, b, h0, hs, dhs, activation):
        inputs = last.get('inputs', ())
        same = len(inputs) == 6 and all(a is b_ for a, b_ in zip(inputs[:5], (x, wx, wh, b, h0))) and inputs[5] == activation
        rnn, xt, h, out = last['graph'] if same else record(x, wx, wh, b, h0, activation)
        last.clear()  # a graph serves one backward
        out.backward(torch.from_numpy(dhs))
        return {'wx': rnn.weight_ih_l0.grad.T.numpy(), 'wh': rnn.weight_hh_l0.grad.T.numpy(), 'b': rnn.bias_ih_l0.grad.numpy(),
                'x': xt.grad.numpy(), 'h0': h.grad[0].numpy()}

    engine = f'torch {torch.__version__}, {torch.get_num_threads()} thread(s), {blas()}, OPENBLAS_NUM_THREADS={os.environ.get("OPENBLAS_NUM_THREADS", "unset")}'
    serve(forward, backward, precision=args.dtype, activations=('tanh', 'relu'), reads_hs=False, name=args.name or 'pytorch', engine=engine)


if __name__ == '__main__':
    main()
