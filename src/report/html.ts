/** Small HTML helpers of the page: escaping and tables. */

/** Text made safe for HTML content and attribute values. */
export const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** One table column: its heading, whether it holds numbers (right-aligned), its cells' class, and each row's cell as HTML. */
export interface Column<T> {
  head: string;
  numeric?: boolean;
  className?: string;
  cell: (row: T) => string;
}

/** A table with a caption; cells are HTML (escape text first). */
export function table<T>(caption: string, columns: readonly Column<T>[], rows: readonly T[], className = ''): string {
  const cls = (c: Column<T>) => {
    const names = [c.numeric ? 'num' : '', c.className ?? ''].filter(Boolean).join(' ');
    return names ? ` class="${names}"` : '';
  };
  const head = columns.map((c) => `<th scope="col"${cls(c)}>${escapeHtml(c.head)}</th>`).join('');
  const body = rows.map((r) => `<tr>${columns.map((c) => `<td${cls(c)}>${c.cell(r)}</td>`).join('')}</tr>`).join('\n');
  return `<table${className ? ` class="${className}"` : ''}><caption>${escapeHtml(caption)}</caption>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}
