import { afterEach, describe, expect, it } from 'vitest';
import {
  createBackend,
  listBackends,
  registerBackend,
  RnnInputError,
  unregisterBackend,
  type BackendEntry,
} from '../src/index.js';
import { LoopsBackend } from '../src/backends/loops.js';

const fake = (name: string, available: boolean): BackendEntry => ({
  name,
  precision: 'float64',
  description: 'a test entry',
  availability: async () =>
    available ? { available: true } : { available: false, reason: 'needs a flux capacitor; install one' },
  create: async () => new LoopsBackend(),
});

describe('the backend registry', () => {
  afterEach(() => {
    for (const n of ['test-a', 'test-b', 'test-c']) unregisterBackend(n);
  });

  it('should list loops as an available float64 backend', async () => {
    expect(await listBackends()).toContainEqual(
      expect.objectContaining({ name: 'loops', precision: 'float64', available: true }),
    );
  });

  it('should throw when a name is registered twice', () => {
    registerBackend(fake('test-a', true));
    expect(() => registerBackend(fake('test-a', true))).toThrow(
      "registerBackend: a backend named 'test-a' is already registered",
    );
  });

  it('should throw on an unknown name and list the known ones', async () => {
    await expect(createBackend('nope')).rejects.toThrow(/createBackend: name must be one of 'loops'.*; got "nope"/);
  });

  it('should report an unavailable backend with its reason, and refuse to create it', async () => {
    registerBackend(fake('test-b', false));
    expect(await listBackends()).toContainEqual({
      name: 'test-b',
      precision: 'float64',
      description: 'a test entry',
      available: false,
      reason: 'needs a flux capacitor; install one',
    });
    await expect(createBackend('test-b')).rejects.toThrow(
      "backend 'test-b' is not available here: needs a flux capacitor",
    );
  });

  it('should treat an entry without availability() as available, and one whose availability() throws as unavailable', async () => {
    registerBackend({ name: 'test-a', precision: 'float64', create: () => new LoopsBackend() });
    registerBackend({
      ...fake('test-b', true),
      availability: async () => {
        throw new Error('probe crashed');
      },
    });
    const list = await listBackends();
    expect(list).toContainEqual({ name: 'test-a', precision: 'float64', available: true });
    expect(list).toContainEqual(
      expect.objectContaining({ name: 'test-b', available: false, reason: 'availability() threw: probe crashed' }),
    );
    expect((await createBackend('test-a')).name).toBe('loops');
  });
});

describe('registerBackend on a malformed entry', () => {
  const ok = { name: 'test-c', precision: 'float64', create: () => new LoopsBackend() };
  it.each([
    [
      'no name',
      { ...ok, name: undefined },
      /registerBackend: entry\.name must be a name of letters, digits.*; got undefined\. Name the backend as --backends will select it\./,
    ],
    ['a name with a comma', { ...ok, name: 'a,b' }, /entry\.name must be a name of letters, digits/],
    [
      'no precision',
      { name: 'test-c', create: ok.create },
      /entry 'test-c': precision must be 'float64' or 'float32'; got undefined\. Declare the precision/,
    ],
    ["precision 'float16'", { ...ok, precision: 'float16' }, /precision must be 'float64' or 'float32'; got "float16"/],
    [
      'no create',
      { name: 'test-c', precision: 'float64' },
      /entry 'test-c': create must be a function \(options\) => RnnBackend or a Promise of one; got undefined\. Add create\(\)\./,
    ],
    [
      'an availability that is not a function',
      { ...ok, availability: true },
      /entry 'test-c': availability must be a function when present; got true/,
    ],
    [
      'an unknown activation',
      { ...ok, activations: ['sigmoid'] },
      /entry 'test-c'\.activations must be a non-empty array of distinct values from 'tanh', 'relu'; got \["sigmoid"\]/,
    ],
    ['no activations at all', { ...ok, activations: [] }, /entry 'test-c'\.activations must be a non-empty array/],
    [
      'an unknown gradient',
      { ...ok, gradients: ['wx', 'dwx'] },
      /entry 'test-c'\.gradients must be an array of distinct values from 'wx', 'wh', 'b', 'bh', 'x', 'h0', 'c0'; got \["wx", "dwx"\]/,
    ],
    [
      'lastStepOnly that is not a boolean',
      { ...ok, lastStepOnly: 'yes' },
      /entry 'test-c'\.lastStepOnly must be true or false; got "yes"/,
    ],
  ])('should refuse %s with an RnnInputError that names the fix', (_, entry, message) => {
    expect(() => registerBackend(entry as never)).toThrow(message);
    expect(() => registerBackend(entry as never)).toThrow(RnnInputError);
  });

  it('should not register what it refused', async () => {
    expect(() => registerBackend({ name: 'test-c', create: () => new LoopsBackend() } as never)).toThrow();
    expect((await listBackends()).map((b) => b.name)).not.toContain('test-c');
  });
});

describe('createBackend on a created object that is not a backend', () => {
  afterEach(() => unregisterBackend('test-c'));
  const loops = new LoopsBackend();
  it.each([
    [
      'nothing',
      undefined,
      /createBackend: the backend created by entry 'test-c' must be an object with name, precision, forward, backward and dispose; got undefined\. Make create\(\) return/,
    ],
    [
      'no forward',
      { name: 'x', precision: 'float64', backward: loops.backward, dispose: loops.dispose },
      /entry 'test-c': forward must be a method; got undefined\. Implement forward\(\)/,
    ],
    [
      'no dispose',
      { name: 'x', precision: 'float64', forward: loops.forward, backward: loops.backward },
      /entry 'test-c': dispose must be a method; got undefined/,
    ],
    [
      'no name',
      { precision: 'float64', forward: loops.forward, backward: loops.backward, dispose: loops.dispose },
      /entry 'test-c': name must be a non-empty string; got undefined\. Give it a name, e\.g\. 'test-c'/,
    ],
    [
      "precision 'float16'",
      { name: 'x', precision: 'float16', forward: loops.forward, backward: loops.backward, dispose: loops.dispose },
      /entry 'test-c': precision must be 'float64' or 'float32'; got "float16"/,
    ],
  ])('should refuse %s', async (_, created, message) => {
    registerBackend({ name: 'test-c', precision: 'float64', create: async () => created as never });
    await expect(createBackend('test-c')).rejects.toThrow(message);
    await expect(createBackend('test-c')).rejects.toBeInstanceOf(RnnInputError);
  });
});
