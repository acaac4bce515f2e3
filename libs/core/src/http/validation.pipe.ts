import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { ValidationFailed, type FieldError } from '../errors/domain-errors';

function flatten(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    if (constraints.whitelistValidation) {
      out.push({ field, message: 'Unknown field' });
    } else {
      const messages = Object.values(constraints);
      if (messages.length) out.push({ field, message: messages[0] });
    }
    if (error.children?.length) out.push(...flatten(error.children, field));
  }
  return out;
}

/**
 * The one global validation pipe: DTOs are whitelisted (unknown fields are 400), values
 * transformed, and every bad field named in a ValidationFailed error.
 */
@Injectable()
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super({
      transform: true,
      whitelist: true,
      forbidNonWhitelisted: true,
      forbidUnknownValues: true,
      stopAtFirstError: true,
      validationError: { target: false, value: false },
      exceptionFactory: (errors) => new ValidationFailed(flatten(errors)),
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const isDto = typeof metadata.metatype === 'function' && this.toValidate(metadata);
    if (isDto && (metadata.type === 'body' || metadata.type === 'query')) {
      if (value === undefined && metadata.type === 'body') value = {};
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        throw ValidationFailed.field('body', 'The request body must be a JSON object');
      }
    }
    return super.transform(value, metadata);
  }
}
