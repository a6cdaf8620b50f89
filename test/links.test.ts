/**
 * Every link in the README and the docs that the package ships resolves inside the package, or is a
 * public URL: read from the file list of `npm pack --dry-run`, so that what a user opens from
 * node_modules/rnn-harness works there too.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const packed = (
  JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
  ) as { files: { path: string }[] }[]
)[0]!.files.map((f) => f.path);

/** GitHub's anchor of a heading: lower case, spaces to dashes, most punctuation dropped. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (markdown: string) =>
  new Set([...markdown.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1] as string)));

describe('links in the packed README and docs', () => {
  const docs = packed.filter(
    (p) =>
      p.endsWith('.md') &&
      (p === 'README.md' || p === 'CONTRIBUTING.md' || p.startsWith('docs/') || p.startsWith('data/')),
  );

  it('should pack the README and every page of docs/', () => {
    expect(docs).toEqual(
      expect.arrayContaining([
        'README.md',
        'docs/CONTRACT.md',
        'docs/API.md',
        'docs/ARCHITECTURE.md',
        'docs/PROTOCOL.md',
        'CONTRIBUTING.md',
      ]),
    );
  });

  it.each(docs)('should resolve every link of %s inside the package or to a public URL', (file) => {
    const text = readFileSync(join(root, file), 'utf8').replace(/```[\s\S]*?```/g, '');
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      const link = target as string;
      if (/^https:\/\//.test(link)) continue;
      const [path, hash] = link.split('#') as [string, string | undefined];
      const to = path === '' ? file : normalize(join(dirname(file), path));
      const inPackage = packed.includes(to) || packed.some((p) => p.startsWith(`${to.replace(/\/$/, '')}/`));
      if (!inPackage) broken.push(`${link} (no ${to} in the package)`);
      else if (hash !== undefined && to.endsWith('.md') && !anchorsOf(readFileSync(join(root, to), 'utf8')).has(hash))
        broken.push(`${link} (no heading #${hash} in ${to})`);
    }
    expect(broken).toEqual([]);
  });
});
