import { formatInteger, type Page } from '@app/core';
import { applyError, emptyForm, validated } from './forms';
import { template } from './views';

/** One value of a query parameter (the first, when a name is repeated). */
export function one(value: unknown): string | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Every item of a list the API serves in pages (200 at a time, at most 50 pages). */
export async function everyPage<T>(load: (page: number) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; page <= 50; page++) {
    const result = await load(page);
    items.push(...result.items);
    if (items.length >= result.total || !result.items.length) break;
  }
  return items;
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

/** A filter of a list page: a text, search or date field, or a select. */
export type Filter =
  | { name: string; label: string; kind: 'text' | 'search' | 'date'; value: string; width?: 'w-20' | 'w-10'; inputmode?: 'numeric' }
  | { name: string; label: string; kind: 'select'; options: Array<{ value: string; label: string; selected: boolean }> };

/** Codes with their Polish labels, as options. */
export const codeOptions = (labels: Readonly<Record<string, string>>, codes: readonly string[]) => codes.map((c) => ({ value: c, label: Object.hasOwn(labels, c) ? labels[c] : c }));

/** A select filter's options: "wszystkie" first, then each code with its label, the chosen one marked. */
export function selectFilter(name: string, label: string, options: ReadonlyArray<{ value: string; label: string }>, chosen: string | undefined): Filter {
  return { name, label, kind: 'select', options: [{ value: '', label: 'wszystkie' }, ...options].map((o) => ({ ...o, selected: o.value === (chosen ?? '') })) };
}

/** A list page: its heading, an optional "add" button, the filters form, a status line, the table and its pager. */
export const FILTERED_LIST = template(
  '@filtered-list',
  `<h1><%= it.heading %></h1>
<% if (it.lead) { %><p class="lead"><%= it.lead %><% if (it.leadLink) { %> <a href="<%= it.leadLink.href %>"><%= it.leadLink.label %></a>.<% } %></p><% } %>
<% if (it.add) { %><p><a class="button" href="<%= it.add.href %>"><%= it.add.label %></a></p><% } %>
<form class="filters" method="get" action="<%= it.action %>" role="search" aria-label="<%= it.searchLabel %>">
<% it.filters.forEach(function (f) { %>
<div class="field"><label for="q-<%= f.name %>"><%= f.label %></label><% if (f.kind === 'select') { %><select id="q-<%= f.name %>" name="<%= f.name %>"><% f.options.forEach(function (o) { %><option value="<%= o.value %>"<% if (o.selected) { %> selected<% } %>><%= o.label %></option><% }) %></select><% } else { %><input id="q-<%= f.name %>" name="<%= f.name %>" type="<%= f.kind %>" value="<%= f.value %>" class="<%= f.width || 'w-10' %>"<% if (f.inputmode) { %> inputmode="<%= f.inputmode %>"<% } %> maxlength="200"><% } %></div>
<% }) %>
<button type="submit"><%= it.submit || 'Szukaj' %></button>
</form>
<% if (it.problem) { %><p class="error-message" role="alert"><%= it.problem %></p><% } %>
<p role="status"><%= it.found %></p>
<% if (it.table.rows.length) { %><%~ include('@table', it.table) %><% } %>
<%~ include('@pager', it.pager) %>
`,
);

/**
 * A list page's rows: its filters (those given) and page through the API's query DTO, then the
 * service's list. A filter the DTO refuses gives no rows and a message saying why, not an error page.
 */
export async function filteredPage<T>(
  dto: new () => object,
  filters: Record<string, string | undefined>,
  page: string | undefined,
  list: (query: never) => Promise<Page<T>>,
): Promise<{ result: Page<T>; problem: string | null }> {
  try {
    const query = await validated(dto, { ...Object.fromEntries(Object.entries(filters).filter(([, v]) => v)), ...(page && /^\d{1,6}$/.test(page) ? { page } : {}), limit: '50' });
    return { result: await list(query as never), problem: null };
  } catch (error) {
    const state = emptyForm();
    applyError(state, error, []);
    return { result: { items: [], total: 0, page: 1, limit: 50 }, problem: `Nie można tak filtrować: ${state.general.join(' ')}` };
  }
}
