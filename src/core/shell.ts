/** Command lines a user pastes into a POSIX shell. */

/** Words joined into one line, each single-quoted only when the shell would otherwise change it. */
export function shellLine(words: readonly string[]): string {
  return words.map((w) => (/^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(' ');
}
