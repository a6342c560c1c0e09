/**
 * What each Unicode class of a regular expression becomes in a rule file run on ASCII text only: the POSIX
 * class that matches the same ASCII characters (`[:word:]` is `[0-9A-Za-z_]`, `[:digit:]` is `[0-9]`,
 * `[:space:]` is tab, line feed, vertical tab, form feed, carriage return and space).
 */
const ASCII_CLASSES: Readonly<Record<string, string>> = { w: '[:word:]', d: '[:digit:]', s: '[:space:]' };

/** What `.` matches in ASCII text, without the flag `s`: every character but the line feed. */
const ASCII_ANY_BUT_LINE_FEED = '[\\x00-\\x09\\x0B-\\x7F]';

/** A flag group that turns `s` on, after which `.` matches line feeds too: such patterns keep their dots. */
const DOT_MATCHES_LINE_FEED = /\(\?[a-zA-Z]*s/;

/**
 * A cfn-guard rule file's text with `\w`, `\d`, `\s` and `.` in its regular expressions replaced by their
 * ASCII counterparts; undefined when it has none.
 *
 * cfn-guard compiles a regular expression again for each value it compares with it, and in Unicode `\w` is
 * a class of several hundred ranges and `.` an automaton for every UTF-8 sequence. CT.IAM.PR.5 compares
 * every IAM action with `/^[\w]*[:]*\*$/`: on the example's six templates, the 73 rule files about their
 * types took 7.3 s, 5.9 s with this file's `\w` written `[[:word:]]`. CT.EC2.PR.16 compares an instance
 * type with some 120 patterns like `/^c5\..+?$/`: 0.28 s on the example's client instance, 0.07 s in ASCII.
 * On a value of ASCII characters only each class matches what its ASCII counterpart matches, and on any
 * other it may not (`é` is a word character, `sé:*` a wildcard action), so the text written here is run
 * only on templates that are ASCII throughout (guard-scopes.ts).
 *
 * Only regular expression literals change. The scan skips comments (`#` to the end of the line), custom
 * messages (`<<` to `>>`) and quoted strings, where a slash opens no regular expression and `\w` is no class.
 */
export function asciiRuleText(text: string): string | undefined {
  let out = '';
  let changed = false;
  let at = 0;
  const copyUntil = (end: number) => {
    out += text.slice(at, end);
    at = end;
  };
  while (at < text.length) {
    const char = text[at];
    if (char === '#') {
      copyUntil(endOf(text, at, '\n'));
    } else if (char === '<' && text[at + 1] === '<') {
      copyUntil(endOf(text, at + 2, '>>'));
    } else if (char === '"' || char === "'") {
      copyUntil(endOfQuoted(text, at, char));
    } else if (char === '/') {
      const end = endOfQuoted(text, at, '/');
      const pattern = asciiPattern(text.slice(at, end));
      changed ||= pattern !== text.slice(at, end);
      out += pattern;
      at = end;
    } else {
      copyUntil(nextSpecial(text, at + 1));
    }
  }
  return changed ? out : undefined;
}

/** Where the next character that may open a comment, a message, a string or a regular expression is. */
function nextSpecial(text: string, from: number): number {
  const special = /[#<"'/]/g;
  special.lastIndex = from;
  return special.exec(text)?.index ?? text.length;
}

/** Where the text from `from` on ends with `terminator` included, or the text's end. */
function endOf(text: string, from: number, terminator: string): number {
  const found = text.indexOf(terminator, from);
  return found < 0 ? text.length : found + terminator.length;
}

/** Where a literal opened by `quote` at `start` ends, its closing quote included; a backslash escapes one character. */
function endOfQuoted(text: string, start: number, quote: string): number {
  for (let at = start + 1; at < text.length; at++) {
    if (text[at] === '\\') at++;
    else if (text[at] === quote) return at + 1;
  }
  return text.length;
}

/** A regular expression literal with its Unicode classes made ASCII, inside brackets and out. */
function asciiPattern(literal: string): string {
  const dotsToo = !DOT_MATCHES_LINE_FEED.test(literal);
  let out = '';
  let classDepth = 0;
  for (let at = 0; at < literal.length; at++) {
    const char = literal[at];
    if (char === '\\') {
      const escaped = literal[at + 1] ?? '';
      const ascii = ASCII_CLASSES[escaped];
      out += ascii === undefined ? char + escaped : classDepth > 0 ? ascii : `[${ascii}]`;
      at++;
      continue;
    }
    if (char === '[') {
      classDepth++;
      // A `]` first in a class, negated or not, is one of its characters: it does not close it.
      const opening = /^\[\^?\]?/.exec(literal.slice(at))![0];
      out += opening;
      at += opening.length - 1;
      continue;
    }
    if (char === ']' && classDepth > 0) classDepth--;
    // Inside brackets a dot is itself.
    out += char === '.' && dotsToo && classDepth === 0 ? ASCII_ANY_BUT_LINE_FEED : char;
  }
  return out;
}
