import { readFile } from 'node:fs/promises';
import { describe, expect, it, vi } from 'vitest';

describe('the README', () => {
  it('should show examples/problem2.ts verbatim, and the example should print Problem 2', async () => {
    // Arrange
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const example = await readFile(new URL('../examples/problem2.ts', import.meta.url), 'utf8');
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});

    // Act
    await import('../examples/problem2.js');

    // Assert
    expect(readme).toContain(example.trim());
    expect(log.mock.calls[0]?.[0]).toBe('0.79494228 0.81839002 0.83939649 0.85584174');
    log.mockRestore();
  });
});
