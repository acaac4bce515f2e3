/**
 * Errors the services throw. They carry a problem kind and never an HTTP status; the
 * ProblemFilter maps them to RFC 9457 problem details. Services never throw HTTP exceptions.
 */
export interface FieldError {
  field: string;
  message: string;
  /** For rule breaks (422): the rule's code, e.g. "programme.annual-single-year". */
  rule?: string;
}

export type ProblemKind =
  | 'validation'
  | 'malformed-request'
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'stale-version'
  | 'rule-violation'
  | 'too-many-requests'
  | 'unavailable';

export abstract class DomainError extends Error {
  abstract readonly kind: ProblemKind;
  readonly errors?: FieldError[];
  constructor(message: string, errors?: FieldError[]) {
    super(message);
    this.name = new.target.name;
    this.errors = errors;
  }
}

/** 400: input that is not well-formed (types, formats, checksums, unknown fields). */
export class ValidationFailed extends DomainError {
  readonly kind = 'validation';
  constructor(errors: FieldError[]) {
    super(`${errors.length} ${errors.length === 1 ? 'field is' : 'fields are'} invalid`, errors);
  }
  static field(field: string, message: string): ValidationFailed {
    return new ValidationFailed([{ field, message }]);
  }
}

/** 400: a request the server will not process as sent (e.g. JSON nested too deep). */
export class MalformedRequest extends DomainError {
  readonly kind = 'malformed-request';
}

/** 401 */
export class Unauthenticated extends DomainError {
  readonly kind = 'unauthorized';
}

/** 403: signed in, but the role or the record's owner forbids it. */
export class Forbidden extends DomainError {
  readonly kind = 'forbidden';
}

/** 404: no such record in the caller's municipality. */
export class NotFound extends DomainError {
  readonly kind = 'not-found';
  constructor(entity: string, id?: string) {
    super(id ? `No ${entity} with id ${id}` : `No such ${entity}`);
  }
}

/** 409: a uniqueness clash or an overlap. */
export class Conflict extends DomainError {
  readonly kind = 'conflict';
}

/** 409: the version the client read is no longer the current one. */
export class StaleVersion extends DomainError {
  readonly kind = 'stale-version';
  constructor(entity: string, readonly currentVersion?: number) {
    super(`The ${entity} was changed by someone else; read it again and retry with its current version`);
  }
}

/** 422: a domain rule is broken; errors[] names the rule and the field. */
export class RuleViolation extends DomainError {
  readonly kind = 'rule-violation';
  constructor(errors: FieldError[]) {
    super(errors.length === 1 ? errors[0].message : `${errors.length} rules are broken`, errors);
  }
  static of(rule: string, field: string, message: string): RuleViolation {
    return new RuleViolation([{ field, rule, message }]);
  }
}

/** 429; `retryAfterSeconds` is sent as Retry-After. */
export class TooManyRequests extends DomainError {
  readonly kind = 'too-many-requests';
  constructor(
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** 503: the database (or another dependency) does not answer. */
export class ServiceUnavailable extends DomainError {
  readonly kind = 'unavailable';
}
