import type { Type } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { getMetadataStorage } from 'class-validator';
import type { Cell } from './sheet';

/**
 * How a cell becomes a value of the Create DTO, told by the field's own validators:
 * a list (`isArray`) is split on ";", a boolean (`isBoolean`) reads true/false/tak/nie, an
 * integer (`isInt`) reads digits, money (`isMoney`) and everything else go to the DTO as given.
 */
export type CellKind = 'text' | 'list' | 'boolean' | 'integer' | 'money' | 'date' | 'krs' | 'regon';

export interface ColumnSpec {
  /** The contract's field name, which is the column's name. */
  name: string;
  /** Required by the DTO (present and not null), so the header must have it. */
  required: boolean;
  kind: CellKind;
}

const KIND_BY_VALIDATOR: Record<string, CellKind> = {
  isArray: 'list',
  isBoolean: 'boolean',
  isInt: 'integer',
  isMoney: 'money',
  isDateOnly: 'date',
  isKRS: 'krs',
  isREGON: 'regon',
};

/** The columns of a file of `dto`: its properties, in declaration order, as class-validator knows them. */
export function columnsOf(dto: Type): ColumnSpec[] {
  const metadatas = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const columns = new Map<string, { validators: Set<string>; conditional: boolean }>();
  for (const m of metadatas) {
    const column = columns.get(m.propertyName) ?? { validators: new Set<string>(), conditional: false };
    columns.set(m.propertyName, column);
    if (m.type === 'conditionalValidation') column.conditional = true;
    column.validators.add(m.name ?? m.type);
  }
  return [...columns].map(([name, { validators, conditional }]) => ({
    name,
    // @IsDefined without @IsOptional/@ValidateIf: the field must be given (see presence() in libs/core fields.ts)
    required: validators.has('isDefined') && !conditional,
    kind: [...validators].map((v) => KIND_BY_VALIDATOR[v]).find(Boolean) ?? 'text',
  }));
}

/**
 * The class the global validation pipe validates a route's @Body() against, read from the metadata
 * Nest itself uses: the `method` handler of one of `module`'s controllers. It lets an import run a
 * row through exactly the DTO of the matching POST route, where the owning library does not export it.
 */
export function bodyDtoOf(module: Type, method: string): Type {
  const controllers: Type[] = Reflect.getMetadata('controllers', module) ?? [];
  for (const controller of controllers) {
    const args: Record<string, { index: number }> | undefined = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method);
    const body = Object.entries(args ?? {}).find(([key]) => key.startsWith(`${RouteParamtypes.BODY}:`));
    const types: unknown[] | undefined = Reflect.getMetadata('design:paramtypes', controller.prototype, method);
    const dto = body && types?.[body[1].index];
    if (typeof dto === 'function') return dto as Type;
  }
  throw new Error(`No @Body() DTO on ${module.name}'s ${method}()`);
}

const TRUE = new Set(['true', 'tak']);
const FALSE = new Set(['false', 'nie']);

/** A whole number typed in a spreadsheet loses its leading zeros; a register number gets them back. */
function digits(n: number, length: number): string | null {
  return Number.isSafeInteger(n) && n >= 0 && String(n).length <= length ? String(n).padStart(length, '0') : null;
}

function text(cell: Exclude<Cell, null>): string {
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return String(cell);
}

/**
 * The value a cell gives its field; undefined when the cell is empty (the field is left out).
 * `listItem` says how a numeric XLSX cell in a list reads (a task's `ngoIds`: a KRS).
 */
export function cellValue(column: ColumnSpec, cell: Cell, listItem: CellKind = 'text'): unknown {
  if (cell === null || cell === '') return undefined;
  switch (column.kind) {
    case 'list':
      if (typeof cell === 'number') return [(listItem === 'krs' && digits(cell, 10)) || String(cell)];
      return text(cell)
        .split(';')
        .map((item) => item.trim())
        .filter((item) => item !== '');
    case 'boolean':
      if (typeof cell === 'boolean') return cell;
      if (TRUE.has(text(cell).toLowerCase())) return true;
      if (FALSE.has(text(cell).toLowerCase())) return false;
      return text(cell);
    case 'integer':
      if (typeof cell === 'number') return cell;
      return /^[-+]?\d+$/.test(text(cell)) ? Number(text(cell)) : text(cell);
    case 'money':
      return typeof cell === 'number' ? cell : text(cell);
    case 'krs':
      return typeof cell === 'number' ? (digits(cell, 10) ?? String(cell)) : text(cell);
    case 'regon':
      return typeof cell === 'number' ? (digits(cell, 9) ?? digits(cell, 14) ?? String(cell)) : text(cell);
    case 'date':
    case 'text':
      return text(cell);
  }
}
