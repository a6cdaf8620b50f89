/**
 * The architecture, enforced (npm run lint:deps, which npm test runs): the folders of src/ form one stack,
 * and every import points down it; no file or folder is part of a cycle, type-only imports included.
 * docs/ARCHITECTURE.md draws the stack and explains each layer.
 */
/**
 * Bottom to top: a folder may import only the folders before it (and itself). The entry files at the top of src/ may
 * import any.
 */
const STACK = [
  'core',
  'fixtures',
  'kernels',
  'exec',
  'registry',
  'backends',
  'check',
  'oracle',
  'catalog',
  'bench',
  'run',
  'report',
  'conformance',
  'data',
  'model',
  'cli',
];

const upward = STACK.map((layer, i) => ({
  name: `no-upward-from-${layer}`,
  comment: `src/${layer}/ sits below ${STACK.slice(i + 1).join(', ') || 'nothing'} in the stack (docs/ARCHITECTURE.md): it must not import them`,
  severity: 'error',
  from: { path: `^src/${layer}/` },
  to: { path: STACK.slice(i + 1).length === 0 ? '^$' : `^src/(${STACK.slice(i + 1).join('|')})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'a cycle between files, type imports included, hides which one is the lower layer',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-import-of-entry-files',
      comment:
        'src/index.ts, testing.ts and classifier.ts are the package entry points: nothing inside src/ imports them',
      severity: 'error',
      from: { path: '^src/.+/' },
      to: { path: '^src/[^/]+\\.ts$' },
    },
    {
      name: 'no-unknown-folder',
      comment: 'every folder of src/ has its place in the stack of .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/[^/]+/', pathNot: `^src/(${STACK.join('|')})/` },
      to: {},
    },
    ...upward,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle through `import type` is still a cycle for a reader.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^(dist|node_modules)/' },
  },
};
