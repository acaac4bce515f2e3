import type { Actor } from '@app/core';
import { applyError, differences, emptyForm, errorItems, formValues, hasErrors, renderFields, toInput, validated, versionOf, type FieldSpec, type FormState } from './forms';
import { renderLayout, type Outcome, type PageContext, type WebRoutes } from './http';
import type { WebSessions } from './sessions';
import { eta, RECORD_FORM } from './views';

/** What a register's create and edit forms need to know of its records. */
export interface RecordForms<V extends { id: string; version: number }> {
  /** The register's path, e.g. `/app/tasks`; records live at `{base}/{id}`. */
  base: string;
  fields(actor: Actor): Promise<FieldSpec[]>;
  /** A record as the edit form shows it. */
  valuesOf(record: V): FormState['values'];
  /** The empty create form's values (list fields as []), from the query string when it names something. */
  newValues(ctx: PageContext): FormState['values'];
  createDto: new () => object;
  updateDto: new () => object;
  get(actor: Actor, id: string): Promise<V>;
  create(actor: Actor, dto: never): Promise<V>;
  update(actor: Actor, id: string, dto: never): Promise<V>;
  nameOf(record: V): string;
  text: { createHeading: string; createSubmit: string; editHeading(name: string): string; created(name: string): string; saved(name: string): string };
}

/**
 * A register's `{base}/new` and `{base}/{id}/edit` (GET the form, POST it): the posted form goes
 * through the API's DTO and service; a refusal shows the form again with the API's status and the
 * messages beside their fields; a stale version shows what someone else saved beside the user's
 * values, with the current version, so that saving again re-applies theirs; success leaves a
 * confirmation and goes to the record (303).
 */
export function registerRecordForms<V extends { id: string; version: number }>(routes: WebRoutes, sessions: WebSessions, def: RecordForms<V>, uuid: (id: string | undefined) => string): void {
  const path = (id: string) => `${def.base}/${id}`;
  const page = async (ctx: PageContext, state: FormState, o: { heading: string; action: string; submit: string; cancelHref: string; version?: number; changes?: unknown[] }, status = 200): Promise<Outcome> => {
    const specs = await def.fields(ctx.actor);
    const body = eta.render(RECORD_FORM, { ...o, changes: o.changes ?? [], csrf: ctx.session.csrfToken, errors: errorItems(state, specs), fields: renderFields(specs, state) });
    return { status, html: renderLayout({ title: o.heading, body, session: ctx.session, section: def.base, hasErrors: hasErrors(state) }) };
  };
  const createOptions = { heading: def.text.createHeading, action: `${def.base}/new`, submit: def.text.createSubmit, cancelHref: def.base };
  const editOptions = (r: V) => ({ heading: def.text.editHeading(def.nameOf(r)), action: `${path(r.id)}/edit`, submit: 'Zapisz zmiany', cancelHref: path(r.id), version: r.version });

  routes.get(`${def.base}/new`, { permission: 'registers.write' }, (ctx) => page(ctx, emptyForm(def.newValues(ctx)), createOptions));

  routes.post(`${def.base}/new`, { permission: 'registers.write' }, async (ctx) => {
    const specs = await def.fields(ctx.actor);
    const state = emptyForm(formValues(ctx.body, specs));
    try {
      const created = await def.create(ctx.actor, (await validated(def.createDto, toInput(state.values, specs))) as never);
      await sessions.flash(ctx.session, def.text.created(def.nameOf(created)));
      return { redirect: path(created.id) };
    } catch (error) {
      return page(ctx, state, createOptions, applyError(state, error, specs));
    }
  });

  routes.get(`${def.base}/:id/edit`, { permission: 'registers.write' }, async (ctx) => {
    const record = await def.get(ctx.actor, uuid(ctx.params.id));
    return page(ctx, emptyForm(def.valuesOf(record)), editOptions(record));
  });

  routes.post(`${def.base}/:id/edit`, { permission: 'registers.write' }, async (ctx) => {
    const id = uuid(ctx.params.id);
    const specs = await def.fields(ctx.actor);
    const state = emptyForm(formValues(ctx.body, specs));
    try {
      const saved = await def.update(ctx.actor, id, (await validated(def.updateDto, { ...toInput(state.values, specs), version: versionOf(ctx.body) })) as never);
      await sessions.flash(ctx.session, def.text.saved(def.nameOf(saved)));
      return { redirect: path(saved.id) };
    } catch (error) {
      const status = applyError(state, error, specs);
      const current = await def.get(ctx.actor, id);
      const stale = status === 409 && versionOf(ctx.body) !== current.version;
      return page(ctx, state, { ...editOptions(current), changes: stale ? differences(specs, def.valuesOf(current), state.values) : [] }, status);
    }
  });
}
