import { Injectable, Param, PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationFailed } from '../errors/domain-errors';

@Injectable()
class UuidPipe implements PipeTransform<unknown, string> {
  constructor(private readonly name: string) {}
  transform(value: unknown): string {
    if (typeof value !== 'string' || !isUUID(value)) throw ValidationFailed.field(this.name, 'must be a UUID');
    // one spelling, so that ids compare as text (an ngo account's own NGO)
    return value.toLowerCase();
  }
}

/** A UUID path parameter, lower-cased; anything else is a 400 naming the parameter. */
export const UuidParam = (name = 'id') => Param(name, new UuidPipe(name));
