import { Param, ParseUUIDPipe } from '@nestjs/common';
import { ValidationFailed } from '../errors/domain-errors';

/** A UUID path parameter; anything else is a 400 naming the parameter. */
export const UuidParam = (name = 'id') =>
  Param(name, new ParseUUIDPipe({ version: undefined, exceptionFactory: () => ValidationFailed.field(name, 'must be a UUID') }));
