import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateIf,
  isURL,
} from 'class-validator';
import { MONEY_PATTERN, compareMoney, parseMoney } from '../money/money';
import { checkKrs, checkNip, checkRegon, checkTeryt, compactId, type IdCheck } from './polish-ids';

/**
 * Composed field decorators: each one is the OpenAPI description, the transformation
 * and the validation of one kind of field, so that DTOs stay one decorator per field.
 *
 * Presence: `required` fields must be given and not null; `optional` fields may be left out
 * and, when `nullable`, set to null (which clears them on update).
 */
export interface FieldOptions {
  optional?: boolean;
  nullable?: boolean;
  description?: string;
  example?: unknown;
}

function presence(o: FieldOptions): PropertyDecorator[] {
  if (!o.optional) return [IsDefined({ message: 'is required' })];
  if (o.nullable) return [IsOptional()];
  return [ValidateIf((_obj, value) => value !== undefined), IsDefined({ message: 'must not be null' })];
}

function doc(o: FieldOptions, schema: Record<string, unknown>): PropertyDecorator {
  const options = { description: o.description, example: o.example, nullable: o.nullable, ...schema };
  return o.optional ? ApiPropertyOptional(options) : ApiProperty(options);
}

/** NUL and other control characters (but tab and line breaks) have no place in a register, and PostgreSQL refuses NUL. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
function NoControlCharacters() {
  return ValidateBy({ name: 'noControlCharacters', validator: { validate: (v) => typeof v !== 'string' || !CONTROL.test(v), defaultMessage: () => 'must not contain control characters' } });
}

/** Lengths in code points, as PostgreSQL's length() counts them. */
const codePoints = (v: string) => [...v].length;

export function StringField(o: FieldOptions & { maxLength?: number; minLength?: number; pattern?: RegExp; patternMessage?: string; trim?: boolean } = {}) {
  const max = o.maxLength ?? 500;
  const min = o.minLength ?? 1;
  return applyDecorators(
    doc(o, { type: String, maxLength: max, minLength: min, pattern: o.pattern?.source }),
    ...(o.trim === false ? [] : [Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))]),
    ...presence(o),
    IsString({ message: 'must be a string' }),
    ValidateBy({
      name: 'lengthInRange',
      validator: {
        validate: (v) => typeof v !== 'string' || (codePoints(v) >= min && codePoints(v) <= max),
        defaultMessage: (args) =>
          typeof args?.value === 'string' && codePoints(args.value) > max
            ? `must be at most ${max} characters long`
            : min === 1
              ? 'must not be empty'
              : `must be at least ${min} characters long`,
      },
    }),
    NoControlCharacters(),
    ...(o.pattern ? [Matches(o.pattern, { message: o.patternMessage ?? `must match ${o.pattern.source}` })] : []),
  );
}

export function EnumField<T extends string>(values: readonly T[], o: FieldOptions = {}) {
  return applyDecorators(
    doc(o, { enum: values, type: String }),
    ...presence(o),
    IsIn(values as readonly string[] as string[], { message: `must be one of: ${values.join(', ')}` }),
  );
}

const INT_MAX = 2_147_483_647; // PostgreSQL integer

export function IntField(o: FieldOptions & { min?: number; max?: number; fromQuery?: boolean } = {}) {
  o = { ...o, min: o.min ?? -INT_MAX - 1, max: o.max ?? INT_MAX };
  const decorators: PropertyDecorator[] = [doc(o, { type: 'integer', minimum: o.min, maximum: o.max })];
  if (o.fromQuery) decorators.push(Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value)));
  decorators.push(...presence(o), IsInt({ message: 'must be an integer' }));
  if (o.min !== undefined) decorators.push(Min(o.min, { message: `must be at least ${o.min}` }));
  if (o.max !== undefined) decorators.push(Max(o.max, { message: `must be at most ${o.max}` }));
  return applyDecorators(...decorators);
}

export function BoolField(o: FieldOptions & { fromQuery?: boolean } = {}) {
  return applyDecorators(
    doc(o, { type: Boolean }),
    ...(o.fromQuery ? [Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))] : []),
    ...presence(o),
    IsBoolean({ message: o.fromQuery ? 'must be true or false' : 'must be a boolean' }),
  );
}

/** Ids compare as text in places (an ngo account's own NGO, repeats in a list): one spelling, lower case. */
const lowerCaseIds = Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : Array.isArray(value) ? value.map((v) => (typeof v === 'string' ? v.toLowerCase() : v)) : value));

export function UuidField(o: FieldOptions = {}) {
  return applyDecorators(doc(o, { type: String, format: 'uuid' }), lowerCaseIds, ...presence(o), IsUUID('all', { message: 'must be a UUID' }));
}

/** A list of record ids: UUIDs, no repeats, order kept (e.g. a task's NGOs, the first being the lead). */
export function UuidListField(o: FieldOptions & { minSize?: number; maxSize?: number } = {}) {
  const max = o.maxSize ?? 200;
  return applyDecorators(
    doc(o, { type: 'array', items: { type: 'string', format: 'uuid' } }),
    lowerCaseIds,
    ...presence(o),
    ValidateBy({ name: 'isArray', validator: { validate: (v) => Array.isArray(v), defaultMessage: () => 'must be a list of UUIDs' } }),
    ...(o.minSize ? [ArrayMinSize(o.minSize, { message: `must hold at least ${o.minSize} id${o.minSize === 1 ? '' : 's'}` })] : []),
    ArrayMaxSize(max, { message: `must hold at most ${max} ids` }),
    ArrayUnique({ message: 'must not repeat an id' }),
    IsUUID('all', { each: true, message: 'must hold UUIDs' }),
  );
}

export function EmailField(o: FieldOptions = {}) {
  return applyDecorators(
    doc(o, { type: String, format: 'email', maxLength: 254 }),
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    ...presence(o),
    IsString({ message: 'must be a string' }),
    MaxLength(254, { message: 'must be at most 254 characters long' }),
    NoControlCharacters(),
    IsEmail({}, { message: 'must be an email address' }),
  );
}

export function UrlField(o: FieldOptions = {}) {
  return applyDecorators(
    doc(o, { type: String, format: 'uri', maxLength: 500 }),
    Transform(({ value }) => (typeof value === 'string' ? value.trim() : value)),
    ...presence(o),
    IsString({ message: 'must be a string' }),
    MaxLength(500, { message: 'must be at most 500 characters long' }),
    NoControlCharacters(),
    ValidateBy({
      name: 'isHttpUrl',
      validator: { validate: (v) => typeof v === 'string' && isURL(v, { protocols: ['http', 'https'], require_protocol: true }), defaultMessage: () => 'must be an http(s) address' },
    }),
  );
}

/** A calendar date, YYYY-MM-DD, that exists (no 2019-02-30), from the year 1000 on. */
export function isDateOnly(value: unknown): value is string {
  if (typeof value !== 'string' || !/^[1-9]\d{3}-\d{2}-\d{2}$/.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

export function DateField(o: FieldOptions = {}) {
  return applyDecorators(
    doc(o, { type: String, format: 'date', example: o.example ?? '2019-03-01' }),
    ...presence(o),
    ValidateBy({ name: 'isDateOnly', validator: { validate: isDateOnly, defaultMessage: () => 'must be a date in the form YYYY-MM-DD' } }),
  );
}

/** Money: a string or a JSON number with at most two decimals; stored and answered as "12500.00". */
export function MoneyField(o: FieldOptions & { min?: string } = {}) {
  const min = o.min ?? '0.00';
  return applyDecorators(
    doc(o, { type: String, pattern: MONEY_PATTERN, example: o.example ?? '12500.00', description: o.description ?? 'PLN, two decimals; a string, or a number with at most two decimals' }),
    Transform(({ value }) => (value === null || value === undefined ? value : (parseMoney(value) ?? { invalidMoney: value }))),
    ...presence(o),
    ValidateBy({
      name: 'isMoney',
      validator: {
        validate: (v) => typeof v === 'string',
        defaultMessage: () => 'must be an amount in PLN with at most two decimals, e.g. "12500.00"',
      },
    }),
    ValidateBy({
      name: 'minMoney',
      validator: { validate: (v) => typeof v !== 'string' || compareMoney(v, min) >= 0, defaultMessage: () => `must be at least ${min}` },
    }),
  );
}

function idField(name: string, check: (v: string) => IdCheck, formatMessage: string, o: FieldOptions, example: string) {
  return applyDecorators(
    doc(o, { type: String, example }),
    Transform(({ value }) => (typeof value === 'string' ? compactId(value) : value)),
    ...presence(o),
    ValidateBy({
      name: `is${name}`,
      validator: {
        validate: (v) => typeof v === 'string' && check(v) === 'ok',
        defaultMessage: (args) => (typeof args?.value === 'string' && check(args.value) === 'checksum' ? `${name} checksum is invalid` : formatMessage),
      },
    }),
  );
}

export const KrsField = (o: FieldOptions = {}) => idField('KRS', checkKrs, 'KRS must be 10 digits', o, '0000123456');
export const NipField = (o: FieldOptions = {}) => idField('NIP', checkNip, 'NIP must be 10 digits', o, '8567346215');
export const RegonField = (o: FieldOptions = {}) => idField('REGON', checkRegon, 'REGON must be 9 or 14 digits', o, '192598184');
export const TerytField = (o: FieldOptions = {}) => idField('TERYT', checkTeryt, 'TERYT must be 7 digits', o, '1261011');

export const SPHERE_CODE = /^\d{1,2}[a-z]?$/;

/** A list of public-benefit sphere codes; whether each code exists is checked against the dictionary. */
export function SphereCodesField(o: FieldOptions = {}) {
  return applyDecorators(
    doc(o, { type: [String], example: ['1', '1a', '16'] }),
    ...presence(o),
    ValidateBy({ name: 'isArray', validator: { validate: (v) => Array.isArray(v), defaultMessage: () => 'must be a list of sphere codes' } }),
    ArrayMaxSize(40, { message: 'must hold at most 40 codes' }),
    ArrayUnique({ message: 'must not repeat a code' }),
    Matches(SPHERE_CODE, { each: true, message: 'must hold sphere codes such as "1", "1a" or "32a"' }),
  );
}

