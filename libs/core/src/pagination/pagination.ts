import { ApiProperty } from '@nestjs/swagger';
import { IntField } from '../validation/fields';

export const MAX_LIMIT = 200;
export const DEFAULT_LIMIT = 50;

/** `?page=1&limit=50`; a limit above 200 is capped at 200. */
export class PageQuery {
  @IntField({ optional: true, min: 1, max: 100_000, fromQuery: true, description: 'Page number, from 1', example: 1 })
  page?: number;

  @IntField({ optional: true, min: 1, fromQuery: true, description: `Items per page (at most ${MAX_LIMIT}; larger values are capped)`, example: DEFAULT_LIMIT })
  limit?: number;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

export function pageWindow(query: PageQuery): { page: number; limit: number; offset: number } {
  const page = query.page ?? 1;
  const limit = Math.min(query.limit ?? DEFAULT_LIMIT, MAX_LIMIT);
  return { page, limit, offset: (page - 1) * limit };
}

export class PageMeta {
  @ApiProperty({ type: 'integer' }) total: number;
  @ApiProperty({ type: 'integer' }) page: number;
  @ApiProperty({ type: 'integer' }) limit: number;
}
