"""rnn_harness: serve a SimpleRNN, an LSTM or a GRU written in Python to rnn-harness, which checks and times it.

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

Gated cells (docs/CONTRACT.md of rnn-harness, "Gated cells"): declare them in `cells`, e.g.
cells=('lstm',). The weights then hold the gate blocks side by side: wx [F,G·H], wh [H,G·H], b [G·H],
with G = 4 blocks i, f, g, o for an LSTM and 3 blocks r, z, n for a GRU.
    LSTM: forward and backward also receive c0= (the initial cell state [B,H], or None for zeros),
          and backward returns 'c0' too.
    GRU:  they also receive bh= (the recurrent bias [3H], or None for zeros), and backward returns
          'bh' too. The reset gate is applied after the product (resetAfter, PyTorch's and Keras's
          default); declare gru_reset_before=True if your code also does it before, and both functions
          then receive reset_after=True or False.
With more than one cell declared, both functions also receive cell='rnn', 'lstm' or 'gru'.

Declare what your code does (the harness checks exactly that and shows the rest as "not provided"):
    precision      'float64' (default) or 'float32': the dtype of the arrays you get, and the tolerance
    activations    ('tanh', 'relu') by default
    cells          ('rnn',) by default: which of 'rnn', 'lstm', 'gru' you implement
    gru_reset_before  see above (False by default)
    gradients      ('wx', 'wh', 'b', 'x', 'h0'), and 'bh' / 'c0' for a declared GRU / LSTM, by default
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

PROTOCOL = 2
GRADIENTS = ('wx', 'wh', 'b', 'x', 'h0')
ACTIVATIONS = ('tanh', 'relu')
CELLS = ('rnn', 'lstm', 'gru')
ALL_GRADIENTS = ('wx', 'wh', 'b', 'bh', 'x', 'h0', 'c0')
_CELL_GRADIENTS = {'rnn': GRADIENTS, 'lstm': GRADIENTS + ('c0',), 'gru': GRADIENTS + ('bh',)}
_DTYPES = {'float64': np.dtype('<f8'), 'float32': np.dtype('<f4')}

__all__ = ['serve', 'check', 'CheckResult', 'PROTOCOL', 'GRADIENTS', 'ACTIVATIONS', 'CELLS']


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


def _takes(fn, name):
    """Whether fn accepts the keyword argument `name` (True when its signature cannot be read)."""
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return True
    return name in params or any(p.kind == p.VAR_KEYWORD for p in params.values())


class _Wire:
    """Frames on a pair of binary streams: a JSON header line, then raw little-endian tensors. It keeps
    the last tensor of each name it received, which the harness may then send as "same" instead of bytes
    (read-only views of the message, so no copy and nothing can change them)."""

    def __init__(self, inp, out, shared=None):
        self.inp, self.out = inp, out
        self.memory = {}
        # The shared files of the fast path, when the harness passed them as fds 3 (in) and 4 (out).
        self.shared = all(_is_file(fd) for fd in (3, 4)) if shared is None else shared
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


class _Spec:
    """The functions to serve and what they declare, checked once; `call` runs one request on them."""

    def __init__(self, who, forward, backward, precision, activations, gradients, last_step_only, initial_state, reads_hs,
                 cells=('rnn',), gru_reset_before=False):
        if not callable(forward):
            raise TypeError(f'{who}: forward must be a function forward(x, wx, wh, b, h0) -> hs; got {forward!r}')
        if backward is not None and not callable(backward):
            raise TypeError(f'{who}: backward must be a function or None; got {backward!r}')
        if precision not in _DTYPES:
            raise ValueError(f"{who}: precision must be 'float64' or 'float32'; got {precision!r}")
        self.forward, self.backward, self.precision = forward, backward, precision
        self.activations = _subset('activations', activations, ACTIVATIONS)
        self.cells = _subset('cells', cells, CELLS)
        self.gru_reset_before = bool(gru_reset_before)
        if gradients is None:
            gradients = tuple(k for k in ALL_GRADIENTS if any(k in _CELL_GRADIENTS[c] for c in self.cells))
        self.gradients = _subset('gradients', gradients, ALL_GRADIENTS) if backward is not None else ()
        self.last_step_only, self.initial_state, self.reads_hs = bool(last_step_only), bool(initial_state), bool(reads_hs)
        self.both = len(self.activations) > 1
        self.many = len(self.cells) > 1
        functions = [f for f in (forward, backward) if f is not None]
        needs = [('activation', self.both, "with both activations declared, forward and backward must accept activation= ('tanh' or 'relu')"),
                 ('cell', self.many, "with several cells declared, forward and backward must accept cell= ('rnn', 'lstm' or 'gru')"),
                 ('c0', 'lstm' in self.cells, 'with the LSTM declared, forward and backward must accept c0= (the initial cell state [B,H], or None)'),
                 ('bh', 'gru' in self.cells, 'with the GRU declared, forward and backward must accept bh= (the recurrent bias [3H], or None)'),
                 ('reset_after', 'gru' in self.cells and self.gru_reset_before,
                  'with gru_reset_before=True, forward and backward must accept reset_after= (True or False)')]
        for name, needed, message in needs:
            if needed and not all(_takes(f, name) for f in functions):
                raise TypeError(f'{who}: {message}')
        self.dtype = _DTYPES[precision]

    def hello(self, name, engine, transports):
        return {'type': 'hello', 'protocol': PROTOCOL, 'name': name, 'precision': self.precision,
                'activations': list(self.activations), 'cells': list(self.cells), 'gradients': list(self.gradients),
                'lastStepOnly': self.last_step_only, 'initialState': self.initial_state, 'readsHs': self.reads_hs,
                'reuse': True, 'transports': transports,
                'engine': engine or f'Python {sys.version.split()[0]}, NumPy {np.__version__}',
                **({'gruResetBefore': self.gru_reset_before} if 'gru' in self.cells else {})}

    def _kwargs(self, t, header):
        """The keyword arguments of a call: activation, cell, and the gated cell's c0, bh and reset_after."""
        cell = header.get('cell', 'rnn')
        if cell not in self.cells:
            raise ValueError(f'a {cell!r} call, but this backend declares cells {self.cells}')
        kw = {'activation': header.get('activation', 'tanh')} if self.both else {}
        if self.many:
            kw['cell'] = cell
        if cell == 'lstm':
            kw['c0'] = t.get('c0') if self.initial_state else None
        if cell == 'gru':
            kw['bh'] = t.get('bh')
            if self.gru_reset_before:
                kw['reset_after'] = bool(header.get('resetAfter', True))
        return cell, kw

    def run_forward(self, t, header):
        h0 = t.get('h0') if self.initial_state else None
        _, kw = self._kwargs(t, header)
        hs = self.forward(t['x'], t['wx'], t['wh'], t['b'], h0, **kw)
        return np.asarray(hs, dtype=self.dtype)

    def run_backward(self, t, hs, header):
        if self.backward is None:
            raise NotImplementedError('this backend serves forward only')
        h0 = t.get('h0') if self.initial_state else None
        cell, kw = self._kwargs(t, header)
        g = self.backward(t['x'], t['wx'], t['wh'], t['b'], h0, hs if self.reads_hs else None, t['dhs'], **kw)
        keys = _CELL_GRADIENTS[cell]
        if not isinstance(g, dict):
            raise TypeError(f"backward must return a dict with keys from {keys}; got {type(g).__name__}")
        unknown = set(g) - set(keys)
        if unknown:
            raise KeyError(f'backward returned unknown keys {sorted(unknown)}; expected keys from {keys}')
        wanted = [k for k in self.gradients if k in keys]
        missing = [k for k in wanted if g.get(k) is None]
        if missing:
            raise KeyError(f'backward declared {tuple(wanted)} but returned no {missing}')
        return [(k, np.asarray(g[k], dtype=self.dtype)) for k in wanted]


class _Tee:
    """A text stream that records what is written to it (the last 4,000 characters) and passes it on."""

    def __init__(self, inner):
        self.inner, self.parts = inner, []

    def write(self, text):
        self.parts.append(text)
        return self.inner.write(text)

    def flush(self):
        self.inner.flush()

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def text(self):
        return ''.join(self.parts)[-4000:]


def _failure(e):
    """An exception as an error frame's fields: the message, where in the learner's code it was raised
    (the last frame outside this file), and the traceback without this file's frames."""
    frames = [f for f in traceback.extract_tb(e.__traceback__) if os.path.abspath(f.filename) != os.path.abspath(__file__)]
    lines = traceback.format_list(frames[-8:]) + traceback.format_exception_only(type(e), e)
    where = f'{os.path.basename(frames[-1].filename)}:{frames[-1].lineno}, in {frames[-1].name}' if frames else None
    fields = {'message': f'{type(e).__name__}: {e}', 'traceback': 'Traceback (most recent call last):\n' + ''.join(lines)}
    if where:
        fields['where'] = where
    return fields


def _serve(wire, spec):
    """Answers the harness's requests on `wire` until it says goodbye or goes away."""
    while True:
        header, t = wire.read()
        if header is None:
            return
        kind, rid = header.get('type'), header.get('id')
        # What the learner's code prints during the call goes where it always goes, and into the error
        # frame if the call fails.
        tee, saved = _Tee(sys.stdout), (sys.stdout, sys.stderr)
        sys.stdout = sys.stderr = tee
        try:
            if kind == 'forward':
                reply = ({'type': 'result', 'id': rid}, [('hs', spec.run_forward(t, header))])
            elif kind == 'backward':
                reply = ({'type': 'result', 'id': rid}, spec.run_backward(t, t.get('hs'), header))
            elif kind == 'time':
                ms = []
                for _ in range(int(header['repeat'])):
                    start = time.perf_counter()
                    hs = spec.run_forward(t, header)
                    if header['op'] == 'train':
                        spec.run_backward(t, hs, header)
                    ms.append((time.perf_counter() - start) * 1000)
                reply = ({'type': 'result', 'id': rid, 'ms': ms}, [])
            elif kind == 'shutdown':
                wire.send({'type': 'result', 'id': rid})
                return
            else:
                raise ValueError(f'unknown request type {kind!r}')
        except Exception as e:  # the harness reports it as the call's failure; the child stays in service
            reply = (dict({'type': 'error', 'id': rid, 'output': tee.text()}, **_failure(e)), [])
        finally:
            sys.stdout, sys.stderr = saved
        wire.send(*reply)


def serve(forward, backward=None, *, precision='float64', activations=ACTIVATIONS, gradients=None,
          last_step_only=False, initial_state=True, reads_hs=True, name=None, engine=None, cells=('rnn',),
          gru_reset_before=False):
    """Serve forward and backward to rnn-harness on this process's standard input and output, until the
    harness says goodbye. See the module's documentation for the arguments."""
    spec = _Spec('serve', forward, backward, precision, activations, gradients, last_step_only, initial_state, reads_hs,
                 cells, gru_reset_before)
    # Frames go to the real stdout; everything else that writes to stdout (print, C libraries) to stderr.
    out = os.fdopen(os.dup(sys.stdout.fileno()), 'wb')
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    wire = _Wire(sys.stdin.buffer, out)
    wire.send(spec.hello(name or os.path.splitext(os.path.basename(sys.argv[0] or 'python'))[0], engine,
                         ['pipe', 'shm'] if wire.shared else ['pipe']))
    _serve(wire, spec)


class CheckResult:
    """What rnn_harness.check found: `ok`, the rows of the table (dicts, as `rnn-harness check --json`
    writes them), the whole report, and the exit code of the harness."""

    def __init__(self, report, exit_code):
        self.report, self.exit_code = report, exit_code
        self.ok = exit_code == 0
        self.rows = report.get('rows', [])
        self.failed = [r for r in self.rows if r.get('status') == 'fail']

    def __repr__(self):
        return f'CheckResult(ok={self.ok}, {len(self.failed)} of {len(self.rows)} rows failed)'


def _harness():
    """The node program and the harness's CLI next to this file, or an error that says what to install."""
    import shutil
    import subprocess
    node = shutil.which('node')
    if node is None:
        raise RuntimeError('rnn_harness.check runs the harness with Node.js 20 or later, and there is no `node` on PATH: '
                           'install Node.js (https://nodejs.org, or `apt install nodejs`), then `npm install rnn-harness`')
    version = subprocess.run([node, '--version'], capture_output=True, text=True).stdout.strip()
    if int((version.lstrip('v').split('.') or ['0'])[0] or 0) < 20:
        raise RuntimeError(f'rnn_harness.check needs Node.js 20 or later; {node} is {version}')
    cli = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'dist', 'src', 'cli', 'main.js')
    if not os.path.exists(cli):
        raise RuntimeError(f'rnn_harness.check: the harness is not next to {os.path.abspath(__file__)} (no {cli}): use the copy '
                           'of rnn_harness.py inside node_modules/rnn-harness/python (`npx rnn-harness python-path` prints '
                           'its folder), or run `npm run build` in a clone of rnn-harness')
    return node, cli


def check(forward, backward=None, *, precision='float64', activations=ACTIVATIONS, gradients=None,
          last_step_only=False, initial_state=True, reads_hs=True, name='mine', args=(), timeout_ms=None,
          cells=('rnn',), gru_reset_before=False):
    """Run `rnn-harness check` on forward and backward from this process (a notebook cell), print its
    table, and return a CheckResult. The declarations are those of `serve`; `args` are more options for
    the command (e.g. ['--large']). The harness runs in a Node.js process next to this file and calls the
    two functions here, over a socket. With gated cells declared, it checks them: `--cell` with the one
    declared cell, or `--cell all`."""
    import socket
    import subprocess
    import tempfile
    import threading
    spec = _Spec('check', forward, backward, precision, activations, gradients, last_step_only, initial_state, reads_hs,
                 cells, gru_reset_before)
    node, cli = _harness()
    with tempfile.TemporaryDirectory(prefix='rnn-harness-') as tmp:
        path, report_file = os.path.join(tmp, 'backend.sock'), os.path.join(tmp, 'check.json')
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(1)
        server.settimeout(0.2)
        command = [node, cli, 'check', '--connect', f'{name}={path}', '--backends', name, '--json', report_file]
        if spec.cells != ('rnn',):
            command += ['--cell', spec.cells[0] if len(spec.cells) == 1 else 'all']
        command += list(args)
        if timeout_ms is not None:
            command += ['--timeout-ms', str(int(timeout_ms))]
        harness = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

        def pump(stream, to):
            for line in stream:
                print(line, end='', file=to, flush=True)
        pumps = [threading.Thread(target=pump, args=(harness.stdout, sys.stdout), daemon=True),
                 threading.Thread(target=pump, args=(harness.stderr, sys.stderr), daemon=True)]
        for p in pumps:
            p.start()
        try:
            # The harness connects once, and again after a call that timed out; the functions run here.
            while harness.poll() is None:
                try:
                    conn, _ = server.accept()
                except socket.timeout:
                    continue
                conn.settimeout(None)
                with conn, conn.makefile('rb') as inp, conn.makefile('wb') as out:
                    wire = _Wire(inp, out, shared=False)
                    wire.send(spec.hello(name, None, ['pipe']))
                    try:
                        _serve(wire, spec)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
        finally:
            code = harness.wait()
            for p in pumps:
                p.join()
            server.close()
        report = {}
        if os.path.exists(report_file):
            with open(report_file) as f:
                report = json.load(f)
        return CheckResult(report, code)
