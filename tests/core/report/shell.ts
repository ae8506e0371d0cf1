/**
 * Splits one POSIX shell command line into its words the way sh does (single quotes, backslash escapes,
 * backslash-newline continuations), to check that the report's commands run as printed. Anything that
 * could expand, glob or redirect is an error, and so is an unescaped newline (the command would end there).
 */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\\') {
      const next = text[i + 1];
      if (next === undefined) throw new Error(`trailing backslash in ${JSON.stringify(text)}`);
      i++;
      if (next === '\n') continue;
      word += next;
      inWord = true;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unclosed single quote in ${JSON.stringify(text)}`);
      word += text.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (c === '\n') {
      throw new Error(`unescaped newline (the command would end there) in ${JSON.stringify(text)}`);
    } else if (c === ' ' || c === '\t') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      // Anything else unquoted could expand, glob, redirect or start a comment.
      if (!/[\w@%+=:,./-]/.test(c)) throw new Error(`unquoted ${JSON.stringify(c)} in ${JSON.stringify(text)}`);
      word += c;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}
