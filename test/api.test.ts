/**
 * The public API is small and pinned: `rnn-harness` exports about 40 values, and each entry point's
 * exports, with their signatures, match the report checked in under etc/api/ (scripts/api-report.mjs),
 * every name with a doc comment. Reads the built declarations, as a user's editor does.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('the public API', () => {
  it('should export about 40 values from rnn-harness, and the rest from its subpaths', async () => {
    const main = Object.keys(await import('../dist/src/index.js'));
    expect(main.length).toBeGreaterThanOrEqual(30);
    expect(main.length).toBeLessThanOrEqual(45);
    expect(main).toEqual(
      expect.arrayContaining([
        'createBackend',
        'registerBackend',
        'runCheck',
        'runFuzz',
        'runBench',
        'tensor',
        'toleranceFor',
        'RnnInputError',
      ]),
    );
    expect(main).not.toContain('DirectionalCache');
    expect(Object.keys(await import('../dist/src/testing.js'))).toEqual(
      expect.arrayContaining(['agreementProperty', 'rnnCase', 'CATALOG', 'conformanceTests']),
    );
    expect(Object.keys(await import('../dist/src/classifier.js'))).toEqual(
      expect.arrayContaining(['ScratchSimpleRNNClassifier', 'loadMnist']),
    );
  });

  it('should match the report in etc/api/, with a doc comment on every exported name', () => {
    const r = spawnSync(process.execPath, ['scripts/api-report.mjs', '--check'], { cwd: root, encoding: 'utf8' });
    expect(r.stdout).toContain('api ok: 4 entry points match etc/api/');
    expect(r.status).toBe(0);
  });
});
