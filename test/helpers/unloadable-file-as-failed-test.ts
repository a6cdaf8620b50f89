/**
 * A vitest reporter for mutation runs only (vitest.mutation.config.ts). Stryker's vitest runner builds a
 * mutant's result from the tests it collects, and a test file whose import throws collects none, so a
 * mutant that stops a module from loading (loops' registry entry made invalid, which registerBackend
 * refuses at import) counts as Survived although the suite catches it: stryker-js#6150, fix proposed in
 * stryker-js#6217. At the end of a run this reporter gives each such file one failed test carrying the
 * file's load error, in the raw state Stryker reads. A file that loaded is left as it is.
 */
import type { Reporter, Vitest } from 'vitest/node';

type RawTask = {
  type: string;
  name: string;
  mode: string;
  id?: string;
  tasks?: RawTask[];
  result?: { state?: string; errors?: unknown[] };
  file?: unknown;
  suite?: unknown;
};

export default class UnloadableFileAsFailedTest implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(): void {
    for (const file of (this.vitest?.state.getFiles() ?? []) as unknown as RawTask[]) {
      if (file.result?.state !== 'fail' || (file.tasks?.length ?? 0) > 0) continue;
      file.tasks = [
        {
          type: 'test',
          name: 'the test file loads',
          mode: 'run',
          id: `${file.id ?? 'file'}_load`,
          result: { state: 'fail', errors: file.result.errors ?? [{ message: 'the test file failed to load' }] },
          file,
          suite: file,
        },
      ];
    }
  }
}
