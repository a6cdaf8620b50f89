/**
 * The layers of docs/ARCHITECTURE.md, enforced by dependency-cruiser (.dependency-cruiser.cjs): the tree
 * as it is passes, and a copy with an import planted upward, or a cycle, fails with the rule's name.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const cruise = (cwd: string) =>
  spawnSync(process.execPath, [depcruise, 'src', '--config', '.dependency-cruiser.cjs'], { cwd, encoding: 'utf8' });

/** A copy of src/ and the config, with `edit` applied to one file. */
function copyWith(file: string, edit: (text: string) => string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rnn-harness-layers-'));
  cpSync(join(root, 'src'), join(dir, 'src'), { recursive: true });
  for (const f of ['.dependency-cruiser.cjs', 'tsconfig.json', 'package.json']) cpSync(join(root, f), join(dir, f));
  writeFileSync(join(dir, file), edit(readFileSync(join(dir, file), 'utf8')));
  return dir;
}

describe('the layers', () => {
  it('should hold in the tree as it is: no upward import, no cycle', () => {
    const r = cruise(root);
    expect(r.stdout).toContain('no dependency violations found');
    expect(r.status).toBe(0);
  });

  it('should fail on an import planted upward, from the core to the CLI, naming the rule', () => {
    const r = cruise(copyWith('src/core/tensor.ts', (t) => `import '../cli/main.js';\n${t}`));
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/error no-upward-from-core: src\/core\/tensor\.ts → src\/cli\/main\.ts/);
  });

  it('should fail on a cycle through a type-only import', () => {
    // tensor.ts imports errors.ts; errors.ts importing a type of tensor.ts closes a cycle.
    const r = cruise(
      copyWith(
        'src/core/errors.ts',
        (t) => `import type { Tensor } from './tensor.js';\nexport type Planted = Tensor;\n${t}`,
      ),
    );
    expect(r.status).not.toBe(0);
    expect(r.stdout).toMatch(/error no-circular: src\/core\/(errors|tensor)\.ts/);
  });
});
