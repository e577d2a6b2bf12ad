// Renders a CaxError from TEL source for people: `file:line:col: CODE message`
// followed by the offending source line and a caret under the column.
import type { CaxError } from '../errors.js';

export function formatDiagnostic(err: CaxError, source: string | undefined): string {
  const head = err.format();
  if (!err.span || source === undefined) return head;
  const lines = source.split(/\r\n|\r|\n/);
  const text = lines[err.span.line - 1];
  if (text === undefined) return head;
  const gutter = String(err.span.line);
  const shown = text.replace(/\t/g, ' ');
  const width = err.span.endLine === err.span.line && err.span.endCol !== undefined ? Math.max(1, err.span.endCol - err.span.col) : 1;
  const caret = `${' '.repeat(Math.max(0, err.span.col - 1))}${'^'.repeat(Math.min(width, Math.max(1, shown.length - err.span.col + 1)))}`;
  return `${head}\n ${gutter} | ${shown}\n ${' '.repeat(gutter.length)} | ${caret}`;
}
