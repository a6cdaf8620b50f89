import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agreementProperty } from '../src/check/properties.js';
import { oracleProperty } from '../src/oracle/properties.js';
import { createBackend } from '../src/index.js';
import { problem2Case } from '../src/check/suite.js';
import { NotebookBackwardBackend } from '../src/catalog/notebook.js';

describe("the notebook's Problem 3 backward", () => {
  it('should be caught by the agreement property, shrunk to a small shape', async () => {
    // Arrange
    const reference = await createBackend('loops');
    const buggy = new NotebookBackwardBackend();

    // Act
    const out = await fc.check(agreementProperty(buggy, reference, { activation: 'tanh' }), { numRuns: 200, seed: 42 });

    // Assert
    expect(out.failed).toBe(true);
    const [c] = out.counterexample ?? [];
    expect(c).toBeDefined();
    expect(c!.B * c!.T * c!.F * c!.H).toBeLessThanOrEqual(4);
    expect(String(out.errorInstance)).toMatch(/notebook-problem3 d\w+ disagrees with the reference/);
    expect(out.counterexamplePath).toBeTruthy();
  });

  it('should leave the correct forward pass alone (Problem 2 still holds)', async () => {
    const { params, x } = problem2Case();
    const buggy = await new NotebookBackwardBackend().forward(params, x);
    const reference = await (await createBackend('loops')).forward(params, x);
    expect([...buggy.data]).toEqual([...reference.data]);
  });

  it('should pass the oracle property on loops, so the catch is the backward and not the harness', async () => {
    const reference = await createBackend('loops');
    const out = await fc.check(oracleProperty(reference, { activation: 'tanh' }), { numRuns: 50, seed: 42 });
    expect(out.failed).toBe(false);
  });
});
