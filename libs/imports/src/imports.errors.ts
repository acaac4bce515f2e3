import { DomainError, type FieldError } from '@app/core';

/** One bad cell, header cell or row of an import file. */
export interface ImportError {
  /** The file's line: the header is line 1; a CSV record spanning lines gives its first. */
  line: number;
  /** The column (a contract field name); null when the error is the row's, not one column's. */
  column: string | null;
  message: string;
}

/** 422: a row of the file is bad, so nothing was imported; errors[] lists every bad row by line and column. */
export class ImportRejected extends DomainError {
  readonly kind = 'rule-violation';
  constructor(readonly importErrors: ImportError[]) {
    const lines = new Set(importErrors.map((e) => e.line)).size;
    // the problem's errors[] items are the contract's { line, column, message }, not { field, message }
    super(`${lines} ${lines === 1 ? 'line' : 'lines'} of the file ${lines === 1 ? 'is' : 'are'} invalid; nothing was imported`, importErrors as unknown as FieldError[]);
  }
}
