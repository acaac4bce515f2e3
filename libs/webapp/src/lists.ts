import { formatInteger, type Page } from '@app/core';

/** One value of a query parameter (the first, when a name is repeated). */
export function one(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** A list's address with its filters (empty ones left out) and a page number. */
export function listHref(path: string, filters: Record<string, string | undefined>, page?: number): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) params.set(k, v);
  if (page && page > 1) params.set('page', String(page));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Previous and next links of a list page, keeping its filters. */
export function pager(path: string, filters: Record<string, string | undefined>, result: Pick<Page<unknown>, 'total' | 'page' | 'limit'>) {
  const pages = Math.max(1, Math.ceil(result.total / result.limit));
  return {
    prev: result.page > 1 ? listHref(path, filters, result.page - 1) : null,
    next: result.page < pages ? listHref(path, filters, result.page + 1) : null,
    label: `Strona ${formatInteger(Math.min(result.page, pages))} z ${formatInteger(pages)}`,
  };
}
