/** Renders a GitHub-flavoured table; cells must already be escaped with cell()/code(). */
export function table(headers: readonly string[], rows: readonly (readonly string[])[], numeric: readonly number[] = []): string[] {
  const align = headers.map((_, i) => numeric.includes(i) ? '---:' : '---');
  return [row(headers), row(align), ...rows.map(row)];
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** Free text in a cell: pipes would split it and newlines would end the row. */
export function cell(text: string | undefined): string {
  if (text === undefined || text.trim() === '') {
    return '—';
  }
  return text.trim().replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** An identifier in a cell, as code unless it contains a backtick. */
export function code(text: string | undefined): string {
  if (text === undefined || text === '') {
    return '—';
  }
  return text.includes('`') ? cell(text) : `\`${text.replace(/\|/g, '\\|')}\``;
}
