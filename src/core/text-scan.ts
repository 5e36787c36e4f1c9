/**
 * Plain index scans for the text edits normalisation needs. A regex such as
 * `/\/+$/` or `/[/?#].*$/` retries from every position of a value that does
 * not match, which takes time in the square of its length: one form post
 * could freeze the server. These take one pass, whatever the input.
 */

/** `text` without the runs of `char` at its start and end: ("__a_b__", "_") → "a_b". */
export function trimChar(text: string, char: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && text[start] === char) start++;
  while (end > start && text[end - 1] === char) end--;
  return text.slice(start, end);
}

/** `text` without the run of `char` at its end: ("a/b//", "/") → "a/b". */
export function trimEndChar(text: string, char: string): string {
  let end = text.length;
  while (end > 0 && text[end - 1] === char) end--;
  return text.slice(0, end);
}

/** `text` up to the first of `chars`, or all of it: ("a.com/x?y", "/?#") → "a.com". */
export function cutAtFirstOf(text: string, chars: string): string {
  for (let i = 0; i < text.length; i++) {
    if (chars.includes(text[i]!)) return text.slice(0, i);
  }
  return text;
}
