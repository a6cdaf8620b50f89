/**
 * Frames of the exec protocol (docs/PROTOCOL.md): a JSON header line, then the raw little-endian bytes of
 * the tensors it lists. Encoding writes the tensors' own bytes (no copy, no JSON numbers); decoding copies
 * each tensor into an aligned typed array of its own.
 */

/**
 * The exec protocol's version this harness speaks: 2 adds the gated cells (a request's `cell` and
 * `resetAfter`, the tensors bh and c0, the hello's `cells`). A child that speaks 1 is served too, as a
 * SimpleRNN backend.
 */
export const PROTOCOL_VERSION = 2;

/** The versions a child's hello may name. */
export const PROTOCOL_VERSIONS: readonly number[] = [1, 2];

export type Dtype = 'float64' | 'float32';
/** A tensor on the wire; `same`: not sent, the child uses the last tensor of this name it received. */
export type WireTensor = { name: string; shape: readonly number[]; data: Float64Array | Float32Array; same?: boolean };
/** `shm`: the payload is not on the pipe but at the start of the shared file of its direction (see SharedFiles). */
export type Header = {
  type: string;
  id?: number;
  tensors?: { name: string; dtype: Dtype; shape: number[]; same?: boolean }[];
  bytes?: number;
  shm?: boolean;
  [key: string]: unknown;
};
export type Frame = { header: Header; tensors: Map<string, WireTensor> };

/** Anything on the pipe that is not a frame of this protocol. */
export class ProtocolError extends Error {
  override name = 'ProtocolError';
}

const WIDTH: Record<Dtype, number> = { float64: 8, float32: 4 };
/** Little-endian is what the wire carries; every platform Node runs on here is little-endian too. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
if (!LITTLE_ENDIAN) throw new Error('rnn-harness exec: this platform is big-endian; the protocol is little-endian');

/** The buffers of one frame, ready to be written in order. */
export function encodeFrame(header: Omit<Header, 'tensors' | 'bytes'>, tensors: readonly WireTensor[] = []): Buffer[] {
  const { head, payload } = frameHeader(header, tensors);
  return [head, ...payload.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))];
}

/** The header line of a frame, and the tensors whose bytes make its payload (all but those sent as `same`). */
export function frameHeader(
  header: Omit<Header, 'tensors' | 'bytes'>,
  tensors: readonly WireTensor[],
): { head: Buffer; payload: WireTensor[] } {
  const list = tensors.map((t) => ({
    name: t.name,
    dtype: (t.data instanceof Float32Array ? 'float32' : 'float64') as Dtype,
    shape: [...t.shape],
    ...(t.same ? { same: true } : {}),
  }));
  const payload = tensors.filter((t) => !t.same);
  const bytes = payload.reduce((n, t) => n + t.data.byteLength, 0);
  const head = Buffer.from(
    `${JSON.stringify(tensors.length === 0 ? header : { ...header, tensors: list, bytes })}\n`,
    'utf8',
  );
  return { head, payload };
}

/**
 * What the harness last sent a child under each name, to send `same` instead of bytes that are equal
 * (the weights and x of a backward after its forward). Copies, since the caller may change its arrays.
 */
export class SentMemory {
  private readonly last = new Map<string, { shape: string; dtype: Dtype; bytes: Buffer }>();

  /** `t` marked `same` when the child already holds it; otherwise remembered as sent. */
  mark(t: WireTensor): WireTensor {
    const dtype: Dtype = t.data instanceof Float32Array ? 'float32' : 'float64';
    const bytes = Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const shape = t.shape.join(',');
    const prev = this.last.get(t.name);
    if (prev !== undefined && prev.dtype === dtype && prev.shape === shape && prev.bytes.equals(bytes))
      return { ...t, same: true };
    // The copy goes into the last one's memory when it fits: a fresh megabyte per call would make the
    // garbage collector run every few calls.
    const copy =
      prev !== undefined && prev.bytes.length === bytes.length ? prev.bytes : Buffer.allocUnsafe(bytes.length);
    copy.set(bytes);
    this.last.set(t.name, { shape, dtype, bytes: copy });
    return t;
  }

  /** Forgets everything (a fresh child remembers nothing). */
  clear(): void {
    this.last.clear();
  }
}

/** The longest header line accepted; anything longer is not this protocol. */
const MAX_HEADER = 1 << 20;

const preview = (b: Buffer) => JSON.stringify(b.subarray(0, 80).toString('utf8')) + (b.length > 80 ? '…' : '');

/**
 * Reads frames out of a byte stream that arrives in arbitrary chunks. Once a header is read, each chunk's
 * bytes are copied straight into the typed arrays of its tensors: one copy per byte, whatever the chunking.
 */
export class FrameReader {
  /** Arrays made ready for the reply awaited (see `prepare`), taken by the next header that lists them. */
  private prepared = new Map<string, Float64Array | Float32Array>();
  private head: Buffer[] = [];
  private headLength = 0;
  private pending:
    | {
        header: Header;
        tensors: Map<string, WireTensor>;
        parts: Uint8Array[];
        part: number;
        offset: number;
        left: number;
      }
    | undefined;

  /**
   * Allocates the arrays a reply is expected to carry and touches each of their memory pages, so that
   * the page faults of fresh memory are taken now, while the child computes, and not while the reply
   * is copied in. A reply that lists other tensors gets arrays of its own as usual.
   */
  prepare(expected: readonly { name: string; dtype: Dtype; shape: readonly number[] }[]): void {
    this.prepared.clear();
    for (const e of expected) {
      const n = e.shape.reduce((a, b) => a * b, 1);
      const data = e.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
      for (let i = 0; i < n; i += PAGE_BYTES / data.BYTES_PER_ELEMENT) data[i] = 0;
      this.prepared.set(e.name, data);
    }
  }

  push(chunk: Buffer): Frame[] {
    const frames: Frame[] = [];
    let rest: Buffer = chunk;
    while (rest.length > 0 || (this.pending !== undefined && this.pending.left === 0)) {
      if (this.pending === undefined) {
        const nl = rest.indexOf(0x0a);
        if (nl < 0) {
          this.head.push(rest);
          this.headLength += rest.length;
          if (this.headLength > MAX_HEADER)
            throw new ProtocolError(
              `not a protocol frame: no header line in ${this.headLength} bytes, starting ${preview(Buffer.concat(this.head))}`,
            );
          break;
        }
        const line =
          this.head.length === 0 ? rest.subarray(0, nl) : Buffer.concat([...this.head, rest.subarray(0, nl)]);
        this.head = [];
        this.headLength = 0;
        rest = rest.subarray(nl + 1);
        const header = parseHeader(line);
        const tensors = allocate(header, this.prepared);
        this.prepared = new Map();
        const parts = [...tensors.values()].map(
          (t) => new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
        );
        // A payload in the shared file is read from there by the channel; nothing more comes on the pipe.
        this.pending = {
          header,
          tensors,
          parts,
          part: 0,
          offset: 0,
          left: header.shm === true ? 0 : (header.bytes ?? 0),
        };
      }
      const p = this.pending;
      while (p.left > 0 && rest.length > 0) {
        const target = p.parts[p.part] as Uint8Array;
        const n = Math.min(target.length - p.offset, rest.length);
        target.set(rest.subarray(0, n), p.offset);
        rest = rest.subarray(n);
        p.offset += n;
        p.left -= n;
        if (p.offset === target.length) {
          p.part++;
          p.offset = 0;
        }
      }
      if (p.left > 0) break;
      this.pending = undefined;
      frames.push({ header: p.header, tensors: p.tensors });
    }
    return frames;
  }
}

function parseHeader(line: Buffer): Header {
  let h: unknown;
  try {
    h = JSON.parse(line.toString('utf8'));
  } catch {
    throw new ProtocolError(`not a protocol frame: expected a JSON header line, got ${preview(line)}`);
  }
  if (typeof h !== 'object' || h === null || typeof (h as Header).type !== 'string') {
    throw new ProtocolError(`not a protocol frame: a header must be a JSON object with a "type"; got ${preview(line)}`);
  }
  const header = h as Header;
  const bytes = header.bytes ?? 0;
  if (!Number.isSafeInteger(bytes) || bytes < 0)
    throw new ProtocolError(
      `frame "${header.type}": "bytes" must be a non-negative integer; got ${JSON.stringify(header.bytes)}`,
    );
  let expected = 0;
  for (const t of header.tensors ?? []) {
    const ok =
      typeof t?.name === 'string' &&
      (t.dtype === 'float64' || t.dtype === 'float32') &&
      Array.isArray(t.shape) &&
      t.shape.every((d) => Number.isSafeInteger(d) && d >= 0);
    if (!ok)
      throw new ProtocolError(
        `frame "${header.type}": each tensor must be { name, dtype: "float64"|"float32", shape: [integers] }; got ${JSON.stringify(t)}`,
      );
    if (t.same === true)
      throw new ProtocolError(
        `frame "${header.type}": tensor "${t.name}" is marked "same", which only the harness may send`,
      );
    expected += t.shape.reduce((a, b) => a * b, 1) * WIDTH[t.dtype];
  }
  if (expected !== bytes)
    throw new ProtocolError(`frame "${header.type}": its tensors need ${expected} bytes but "bytes" says ${bytes}`);
  return header;
}

const PAGE_BYTES = 4096;

/**
 * A typed array for each tensor the header lists, to be filled as the payload arrives: one of `prepared`
 * when it has that name, type and length (taken from it), else a new one.
 */
export function allocate(
  h: Header,
  prepared = new Map<string, Float64Array | Float32Array>(),
): Map<string, WireTensor> {
  const out = new Map<string, WireTensor>();
  for (const t of h.tensors ?? []) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const ready = prepared.get(t.name);
    prepared.delete(t.name); // each array goes to one tensor only
    const fits = ready !== undefined && ready.length === n && (t.dtype === 'float64') === ready instanceof Float64Array;
    const data = fits ? ready : t.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
    out.set(t.name, { name: t.name, shape: t.shape, data });
  }
  return out;
}
