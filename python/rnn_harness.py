"""rnn_harness: serve a SimpleRNN written in Python to rnn-harness, which checks and times it.

Your two functions become a backend in three lines:

    from rnn_harness import serve
    serve(forward, backward, activations=('tanh',))

then, from a shell:

    rnn-harness check --exec "mine=/usr/bin/python3 my_rnn.py"

forward(x, wx, wh, b, h0) -> hs
    x [B,T,F], wx [F,H], wh [H,H], b [H]; h0 [B,H], or None for zeros. Returns every hidden state
    hs [B,T,H], with h_t = f(x_t @ wx + h_{t-1} @ wh + b).
backward(x, wx, wh, b, h0, hs, dhs) -> {'wx': ..., 'wh': ..., 'b': ..., 'x': ..., 'h0': ...}
    The gradients of L = sum(dhs * hs) with respect to each input; the ones you do not declare in
    `gradients` may be None or left out.
If you declare both activations, both functions also receive activation='tanh' or 'relu'.

Declare what your code does (the harness checks exactly that and shows the rest as "not provided"):
    precision      'float64' (default) or 'float32': the dtype of the arrays you get, and the tolerance
    activations    ('tanh', 'relu') by default
    gradients      ('wx', 'wh', 'b', 'x', 'h0') by default
    last_step_only True if backward reads only dhs[:, -1] (a many-to-one model)
    initial_state  False if your code always starts from zeros (h0 is then always None)
    reads_hs       False if backward runs the forward pass again and never reads hs (it then gets None,
                   and hs does not cross the pipe)

print() is safe: standard output is moved to standard error, which the harness shows when a call fails.
Only NumPy is needed. The protocol is described in docs/PROTOCOL.md of rnn-harness.
"""
import inspect
import json
import mmap
import os
import stat
import sys
import time
import traceback

import numpy as np

PROTOCOL = 1
GRADIENTS = ('wx', 'wh', 'b', 'x', 'h0')
ACTIVATIONS = ('tanh', 'relu')
_DTYPES = {'float64': np.dtype('<f8'), 'float32': np.dtype('<f4')}

__all__ = ['serve', 'PROTOCOL', 'GRADIENTS', 'ACTIVATIONS']


def _subset(what, values, known):
    values = tuple(values)
    if not values or any(v not in known for v in values) or len(set(values)) != len(values):
        raise ValueError(f'serve: {what} must be a non-empty tuple of distinct values from {known}; got {values!r}')
    return values


def _is_file(fd):
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode)
    except OSError:
        return False


def _takes_activation(fn):
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return 'activation' in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


class _Wire:
    """Frames on a pair of binary streams: a JSON header line, then raw little-endian tensors. It keeps
    the last tensor of each name it received, which the harness may then send as "same" instead of bytes
    (read-only views of the message, so no copy and nothing can change them)."""

    def __init__(self, inp, out):
        self.inp, self.out = inp, out
        self.memory = {}
        # The shared files of the fast path, when the harness passed them as fds 3 (in) and 4 (out).
        self.shared = all(_is_file(fd) for fd in (3, 4))
        self.maps = {}
        self.shm = False

    def _map(self, fd, size):
        """fd's file mapped with at least `size` bytes (the out file grown to it first)."""
        m = self.maps.get(fd)
        if m is None or len(m) < size:
            if fd == 4 and os.fstat(fd).st_size < size:
                os.ftruncate(fd, size)
            # The old map is not closed: arrays may still view it; it goes when they do.
            m = self.maps[fd] = mmap.mmap(fd, max(size, os.fstat(fd).st_size, 1))
        return m

    def read(self):
        line = self.inp.readline()
        if not line:
            return None, {}
        header = json.loads(line)
        nbytes = header.get('bytes', 0) or 0
        self.shm = bool(header.get('shm'))
        shared = self._map(3, nbytes) if self.shm and nbytes else None
        payload = b'' if shared is not None or not nbytes else self.inp.read(nbytes)
        tensors, offset = {}, 0
        for t in header.get('tensors', []):
            name = t['name']
            if t.get('same'):
                tensors[name] = self.memory[name]
                continue
            dtype = _DTYPES[t['dtype']]
            n = int(np.prod(t['shape'], dtype=np.int64))
            if shared is None:
                a = np.frombuffer(payload, dtype=dtype, count=n, offset=offset)
            elif name == 'dhs':
                # Never sent as "same", so never kept: a read-only view of the shared file, valid for this request.
                a = np.frombuffer(shared, dtype=dtype, count=n, offset=offset)
                a.flags.writeable = False
            else:
                # Kept for "same": copied out, since the next request overwrites the shared file.
                a = np.frombuffer(shared, dtype=dtype, count=n, offset=offset).copy()
                a.flags.writeable = False
            tensors[name] = a.reshape(t['shape'])
            if name != 'dhs':
                self.memory[name] = tensors[name]
            offset += n * dtype.itemsize
        return header, tensors

    def send(self, header, tensors=()):
        arrays = [(name, np.ascontiguousarray(a)) for name, a in tensors]
        for name, a in arrays:
            if a.dtype not in (_DTYPES['float64'], _DTYPES['float32']):
                raise TypeError(f'{name} must be an array of float64 or float32 numbers; got dtype {a.dtype}')
        total = sum(a.nbytes for _, a in arrays)
        if arrays:
            header = dict(header, tensors=[{'name': n, 'dtype': 'float64' if a.dtype == _DTYPES['float64'] else 'float32', 'shape': list(a.shape)} for n, a in arrays],
                          bytes=total)
        if arrays and self.shm:
            # A reply takes the path of its request: the bytes into the shared file, the header on the pipe.
            m, offset = self._map(4, total), 0
            for _, a in arrays:
                m[offset:offset + a.nbytes] = memoryview(a).cast('B')
                offset += a.nbytes
            header['shm'] = True
            self.out.write((json.dumps(header) + '\n').encode('utf-8'))
        else:
            self.out.write((json.dumps(header) + '\n').encode('utf-8'))
            for _, a in arrays:
                self.out.write(memoryview(a).cast('B'))
        self.out.flush()


def serve(forward, backward=None, *, precision='float64', activations=ACTIVATIONS, gradients=GRADIENTS,
          last_step_only=False, initial_state=True, reads_hs=True, name=None, engine=None):
    """Serve forward and backward to rnn-harness on this process's standard input and output, until the
    harness says goodbye. See the module's documentation for the arguments."""
    if not callable(forward):
        raise TypeError(f'serve: forward must be a function forward(x, wx, wh, b, h0) -> hs; got {forward!r}')
    if backward is not None and not callable(backward):
        raise TypeError(f'serve: backward must be a function or None; got {backward!r}')
    if precision not in _DTYPES:
        raise ValueError(f"serve: precision must be 'float64' or 'float32'; got {precision!r}")
    activations = _subset('activations', activations, ACTIVATIONS)
    gradients = _subset('gradients', gradients, GRADIENTS) if backward is not None else ()
    both = len(activations) > 1
    if both and not all(_takes_activation(f) for f in (forward, backward) if f is not None):
        raise TypeError("serve: with both activations declared, forward and backward must accept activation= ('tanh' or 'relu')")
    dtype = _DTYPES[precision]

    # Frames go to the real stdout; everything else that writes to stdout (print, C libraries) to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), 'wb')
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    wire = _Wire(sys.stdin.buffer, out)
    wire.send({'type': 'hello', 'protocol': PROTOCOL, 'name': name or os.path.splitext(os.path.basename(sys.argv[0] or 'python'))[0],
               'precision': precision, 'activations': list(activations), 'gradients': list(gradients),
               'lastStepOnly': bool(last_step_only), 'initialState': bool(initial_state),
               'readsHs': bool(reads_hs), 'reuse': True, 'transports': ['pipe', 'shm'] if wire.shared else ['pipe'],
               'engine': engine or f'Python {sys.version.split()[0]}, NumPy {np.__version__}'})

    def call(fn, args, activation):
        return fn(*args, activation=activation) if both else fn(*args)

    def run_forward(t, activation):
        h0 = t.get('h0') if initial_state else None
        hs = call(forward, (t['x'], t['wx'], t['wh'], t['b'], h0), activation)
        return np.asarray(hs, dtype=dtype)

    def run_backward(t, hs, activation):
        if backward is None:
            raise NotImplementedError('this backend serves forward only')
        h0 = t.get('h0') if initial_state else None
        g = call(backward, (t['x'], t['wx'], t['wh'], t['b'], h0, hs if reads_hs else None, t['dhs']), activation)
        if not isinstance(g, dict):
            raise TypeError(f"backward must return a dict with keys from {GRADIENTS}; got {type(g).__name__}")
        unknown = set(g) - set(GRADIENTS)
        if unknown:
            raise KeyError(f'backward returned unknown keys {sorted(unknown)}; expected keys from {GRADIENTS}')
        missing = [k for k in gradients if g.get(k) is None]
        if missing:
            raise KeyError(f'backward declared {gradients} but returned no {missing}')
        return [(k, np.asarray(g[k], dtype=dtype)) for k in gradients]

    while True:
        header, t = wire.read()
        if header is None:
            return
        kind, rid = header.get('type'), header.get('id')
        activation = header.get('activation', 'tanh')
        try:
            if kind == 'forward':
                wire.send({'type': 'result', 'id': rid}, [('hs', run_forward(t, activation))])
            elif kind == 'backward':
                wire.send({'type': 'result', 'id': rid}, run_backward(t, t.get('hs'), activation))
            elif kind == 'time':
                ms = []
                for _ in range(int(header['repeat'])):
                    start = time.perf_counter()
                    hs = run_forward(t, activation)
                    if header['op'] == 'train':
                        run_backward(t, hs, activation)
                    ms.append((time.perf_counter() - start) * 1000)
                wire.send({'type': 'result', 'id': rid, 'ms': ms})
            elif kind == 'shutdown':
                wire.send({'type': 'result', 'id': rid})
                return
            else:
                raise ValueError(f'unknown request type {kind!r}')
        except Exception as e:  # the harness reports it as the call's failure; the child stays in service
            wire.send({'type': 'error', 'id': rid, 'message': f'{type(e).__name__}: {e}', 'traceback': traceback.format_exc()})
