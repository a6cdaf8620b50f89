import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';

const read = (path: string) => readFile(new URL(`../${path}`, import.meta.url), 'utf8');

describe('the README and the docs', () => {
  it('should keep the README for users: at most 300 lines', async () => {
    expect((await read('README.md')).split('\n').length).toBeLessThanOrEqual(300);
  });

  it('should show examples/problem2.ts verbatim in docs/API.md, and the example should print Problem 2', async () => {
    // Arrange
    const api = await read('docs/API.md');
    const example = await read('examples/problem2.ts');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});

    // Act
    await import('../examples/problem2.js');

    // Assert
    expect(api).toContain(example.trim());
    expect(log.mock.calls[0]?.[0]).toBe('0.79494228 0.81839002 0.83939649 0.85584174');
    log.mockRestore();
  });

  it('should show the plug-in example verbatim (test/plugins.test.ts and test/consumer.test.ts run it)', async () => {
    expect(await read('README.md')).toContain((await read('examples/plugin/scratch-rnn.mjs')).trim());
  });

  it("should show the learner's Python example verbatim (test/exec.test.ts runs it)", async () => {
    expect(await read('README.md')).toContain((await read('examples/python/many_to_one.py')).trim());
  });

  it('should cite no design document that the repository does not hold', async () => {
    const files = [
      'README.md',
      'docs/CONTRACT.md',
      'src/core/rnn.ts',
      'src/kernels/simple-rnn.ts',
      'src/oracle/finite-difference.ts',
      'src/catalog/scratch.ts',
    ];
    for (const file of files) expect(await read(file), file).not.toMatch(/DESIGN\.md/);
  });
});
