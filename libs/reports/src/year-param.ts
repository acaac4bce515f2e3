import { Param, type PipeTransform } from '@nestjs/common';
import { ValidationFailed } from '@app/core';

class YearPipe implements PipeTransform<unknown, number> {
  transform(value: unknown): number {
    // the global validation pipe may have made a number of it already
    const text = typeof value === 'number' ? String(value) : value;
    if (typeof text !== 'string' || !/^\d{4}$/.test(text) || Number(text) < 2000 || Number(text) > 2100) {
      throw ValidationFailed.field('year', 'must be a year from 2000 to 2100');
    }
    return Number(text);
  }
}

/** The `{year}` of a report route: 2000–2100, else 400. */
export const YearParam = () => Param('year', new YearPipe());
