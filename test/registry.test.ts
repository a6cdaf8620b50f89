import { afterEach, describe, expect, it } from 'vitest';
import { createBackend, listBackends, registerBackend, unregisterBackend, type BackendEntry } from '../src/index.js';
import { LoopsBackend } from '../src/backends/loops.js';

const fake = (name: string, available: boolean): BackendEntry => ({
  name,
  precision: 'float64',
  description: 'a test entry',
  availability: async () => (available ? { available: true } : { available: false, reason: 'needs a flux capacitor; install one' }),
  create: async () => new LoopsBackend(),
});

describe('the backend registry', () => {
  afterEach(() => {
    unregisterBackend('test-a');
    unregisterBackend('test-b');
  });

  it('should list loops as an available float64 backend', async () => {
    expect(await listBackends()).toContainEqual({ name: 'loops', precision: 'float64', available: true });
  });

  it('should throw when a name is registered twice', () => {
    registerBackend(fake('test-a', true));
    expect(() => registerBackend(fake('test-a', true))).toThrow("registerBackend: a backend named 'test-a' is already registered");
  });

  it('should throw on an unknown name and list the known ones', async () => {
    await expect(createBackend('nope')).rejects.toThrow(/createBackend: name must be one of 'loops'.*; got "nope"/);
  });

  it('should report an unavailable backend with its reason, and refuse to create it', async () => {
    registerBackend(fake('test-b', false));
    expect(await listBackends()).toContainEqual({
      name: 'test-b', precision: 'float64', available: false, reason: 'needs a flux capacitor; install one',
    });
    await expect(createBackend('test-b')).rejects.toThrow("backend 'test-b' is not available here: needs a flux capacitor");
  });
});
