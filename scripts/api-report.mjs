#!/usr/bin/env node
// The public API of each entry point of the package, as a report checked into etc/api/: every exported
// name, what kind of thing it is, its signature as TypeScript prints it from the built declarations
// (dist/src/*.d.ts), and the first line of its doc comment. A change to the API is then a visible diff.
//
//   node scripts/api-report.mjs          write etc/api/*.api.md
//   node scripts/api-report.mjs --check  exit 1 if a report differs from the API, or a name has no doc comment
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
/** Each subpath of package.json's exports, and the declarations behind it. */
const ENTRIES = [
  ['rnn-harness', 'dist/src/index.d.ts'],
  ['rnn-harness/testing', 'dist/src/testing.d.ts'],
  ['rnn-harness/classifier', 'dist/src/classifier.d.ts'],
  ['rnn-harness/vitest', 'dist/src/conformance/vitest.d.ts'],
];

const program = ts.createProgram(
  ENTRIES.map(([, f]) => join(root, f)),
  {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
  },
);
const checker = program.getTypeChecker();
const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.UseAliasDefinedOutsideCurrentScope;

/** A type as its shape: an object's members one per line, anything else as TypeScript prints it in an alias. */
function typeText(type, decl) {
  const alias = checker.typeToString(type, decl, flags | ts.TypeFormatFlags.InTypeAlias);
  const props = type.isUnion() || type.isIntersection() ? [] : checker.getPropertiesOfType(type);
  if (props.length === 0 || !(type.getFlags() & ts.TypeFlags.Object)) return alias;
  const member = (p) => {
    const optional = p.getFlags() & ts.SymbolFlags.Optional ? '?' : '';
    return `  ${p.getName()}${optional}: ${checker.typeToString(checker.getTypeOfSymbolAtLocation(p, decl), decl, flags)};`;
  };
  return ['{', ...props.map(member), '}'].join('\n');
}

function kindOf(s) {
  const f = s.getFlags();
  if (f & ts.SymbolFlags.Class) return 'class';
  if (f & ts.SymbolFlags.Function) return 'function';
  if (f & ts.SymbolFlags.Interface) return 'interface';
  if (f & ts.SymbolFlags.TypeAlias) return 'type';
  if (f & ts.SymbolFlags.Variable) return 'const';
  return 'other';
}

/** One exported name: `kind name: signature`, and its doc comment's first line. */
function describe(exported) {
  const s = exported.getFlags() & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
  const kind = kindOf(s);
  const decl = s.declarations?.[0];
  let signature;
  if (kind === 'type' || kind === 'interface') signature = typeText(checker.getDeclaredTypeOfSymbol(s), decl);
  else if (kind === 'class')
    signature = `new (${(checker.getTypeOfSymbolAtLocation(s, decl).getConstructSignatures()[0]?.getParameters() ?? []).map((p) => p.getName()).join(', ')})`;
  else signature = checker.typeToString(checker.getTypeOfSymbolAtLocation(s, decl), undefined, flags);
  const doc = ts.displayPartsToString(s.getDocumentationComment(checker)).split('\n\n')[0].replace(/\s+/g, ' ').trim();
  return { name: exported.getName(), kind, signature, doc };
}

const problems = [];
const reports = ENTRIES.map(([entry, file]) => {
  const source = program.getSourceFile(join(root, file));
  if (source === undefined) throw new Error(`api-report: ${file} is missing; run npm run build first`);
  const names = checker
    .getExportsOfModule(checker.getSymbolAtLocation(source))
    .map(describe)
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const n of names) if (n.doc === '') problems.push(`${entry}: ${n.name} (${n.kind}) has no doc comment`);
  const values = names.filter((n) => !['type', 'interface'].includes(n.kind)).length;
  const lines = [
    `# API of ${entry}`,
    '',
    `Written by scripts/api-report.mjs from ${file}: ${names.length} names, ${values} of them values. Do not edit by hand.`,
    '',
    ...names.flatMap((n) => [`## ${n.kind} ${n.name}`, '', n.doc, '', '```ts', n.signature, '```', '']),
  ];
  return { file: join(root, 'etc', 'api', `${entry.replace('/', '-')}.api.md`), text: `${lines.join('\n')}` };
});

if (process.argv.includes('--check')) {
  for (const r of reports) {
    let saved = '';
    try {
      saved = readFileSync(r.file, 'utf8');
    } catch {
      // missing: a difference like any other
    }
    if (saved !== r.text)
      problems.push(
        `${relative(root, r.file)} differs from the API: run node scripts/api-report.mjs and commit the report, if the change is meant`,
      );
  }
  for (const p of problems) console.log(p);
  console.log(
    problems.length === 0
      ? `api ok: ${reports.length} entry points match etc/api/`
      : `${problems.length} problem(s) with the public API`,
  );
  process.exitCode = problems.length === 0 ? 0 : 1;
} else {
  mkdirSync(join(root, 'etc', 'api'), { recursive: true });
  for (const r of reports) writeFileSync(r.file, r.text);
  for (const p of problems) console.log(p);
  console.log(`wrote ${reports.map((r) => relative(root, r.file)).join(', ')}`);
}
