// The one error type of cax: every failure a user can see carries a stable
// code (E_PARSE, E_BUDGET, …), a one-line message, and where it has one a
// source location. The CLI prints these; scripts read them from --json.

/** A position in a source file, 1-based line and column. */
export interface SourceSpan {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly endLine?: number;
  readonly endCol?: number;
}

export function formatSpan(span: SourceSpan): string {
  return `${span.file}:${span.line}:${span.col}`;
}

export class CaxError extends Error {
  readonly code: string;
  readonly span: SourceSpan | undefined;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: { span?: SourceSpan; details?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CaxError';
    this.code = code;
    this.span = options.span;
    this.details = options.details ?? {};
  }

  /** `file:line:col: E_CODE message`, or `E_CODE message` without a span. */
  format(): string {
    const where = this.span ? `${formatSpan(this.span)}: ` : '';
    return `${where}${this.code} ${this.message}`;
  }

  toJSON(): { code: string; message: string; span?: SourceSpan; details?: Record<string, unknown> } {
    return {
      code: this.code,
      message: this.message,
      ...(this.span ? { span: this.span } : {}),
      ...(Object.keys(this.details).length > 0 ? { details: { ...this.details } } : {}),
    };
  }
}

/** Something cax does not do (yet): always loud, never a silent stub. */
export function unsupported(what: string): CaxError {
  return new CaxError('E_UNSUPPORTED', `${what} is not supported`);
}

export function isCaxError(e: unknown): e is CaxError {
  return e instanceof CaxError;
}
