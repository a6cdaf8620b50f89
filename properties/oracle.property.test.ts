import { it } from '@fast-check/vitest';
import { afterAll, describe } from 'vitest';
import { kinkAwareCases } from '../src/check/properties.js';
import { checkOracle } from '../src/oracle/properties.js';
import { createBackend } from '../src/index.js';

const reference = await createBackend('loops');
afterAll(() => reference.dispose());

describe('finite-difference oracle against loops', () => {
  it.prop([kinkAwareCases({ activation: 'tanh' })], { numRuns: 150, seed: 20261125 })(
    'should agree on every gradient with tanh',
    (c) => checkOracle(reference, c),
  );
  it.prop([kinkAwareCases({ activation: 'relu' })], { numRuns: 150, seed: 20261126 })(
    'should agree on every gradient with relu away from the kink',
    (c) => checkOracle(reference, c),
  );
  // Saturation through large inputs and biases; large recurrent weights would instead make the dynamics
  // explode, which amplifies the finite-difference step itself past what any step size can resolve.
  const saturating = kinkAwareCases({ activation: 'tanh' }).map((c) => ({
    ...c,
    x: { shape: c.x.shape, data: c.x.data.map((v) => 5 * v) },
    params: { ...c.params, b: { shape: c.params.b.shape, data: c.params.b.data.map((v) => 5 * v) } },
  }));
  it.prop([saturating], { numRuns: 100, seed: 20261127 })(
    'should agree with tanh in saturation (inputs and biases up to 5)',
    (c) => checkOracle(reference, c),
  );
});
