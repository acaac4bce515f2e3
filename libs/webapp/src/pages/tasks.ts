import { FORM_LABELS, formatDay, formatInteger, formatPln, label, MODE_LABELS, roleHas, STATUS_LABELS, type Actor } from '@app/core';
import { NgosService, type NgoView } from '@app/ngos';
import { ProgramsService } from '@app/programs';
import { SpheresService } from '@app/spheres';
import { CreateTaskDto, TASK_FORMS, TASK_MODES, TASK_STATUSES, TaskQuery, TasksService, UpdateTaskDto, type TaskView } from '@app/tasks';
import { moneyForForm, type FieldSpec, type FormState, type Option } from '../forms';
import { renderLayout, type WebRoutes } from '../http';
import { codeOptions, everyPage, filteredPage, FILTERED_LIST, one, pager, selectFilter } from '../lists';
import type { WebSessions } from '../sessions';
import { eta, template } from '../views';
import { registerRecordForms } from '../record-forms';
import { ngoPath, text, uuid } from './ngos';
import { programOptions } from './programs';

export const taskPath = (id: string) => `/app/tasks/${id}`;
const PARTNERS = 3;

const RECORD = template(
  '@task',
  `<h1><%= it.title %></h1>
<%~ include('@facts', { facts: it.facts }) %>
<h2>Organizacje realizujące</h2>
<ul>
<% it.ngos.forEach(function (n, i) { %><li><a href="<%= n.href %>"><%= n.name %></a><% if (i === 0) { %> (lider)<% } %></li><% }) %>
</ul>
<% if (it.canWrite) { %><p class="actions"><a class="button" href="<%= it.editHref %>">Zmień dane zadania</a></p><% } %>
`,
);

/** Every active NGO of the municipality, for the NGO picker (page by page: the API's pages hold at most 200). */
export function allNgos(ngos: NgosService, actor: Actor): Promise<NgoView[]> {
  return everyPage((page) => ngos.list(actor, { archived: false, page, limit: 200 }));
}

export const ngoOption = (n: Pick<NgoView, 'id' | 'name' | 'krs' | 'nip'>): Option => ({ value: n.id, label: [n.name, n.krs ? `KRS ${n.krs}` : '', n.nip ? `NIP ${n.nip}` : ''].filter(Boolean).join(', ') });
const choose = (labels: Readonly<Record<string, string>>, codes: readonly string[]): Option[] => [{ value: '', label: 'Wybierz…' }, ...codes.map((c) => ({ value: c, label: label(labels, c) }))];

/** /app/tasks: funded tasks with the API's filters; records; create and edit with every rule's message beside its field. */
export function registerTaskPages(routes: WebRoutes, deps: { tasks: TasksService; ngos: NgosService; programs: ProgramsService; spheres: SpheresService; sessions: WebSessions }): void {
  const { tasks, ngos, programs, spheres, sessions } = deps;
  const canWrite = (actor: Actor) => roleHas(actor.role, 'registers.write');
  const sphereOptions = async (): Promise<Option[]> => (await spheres.list({})).map((s) => ({ value: s.code, label: `${s.code}. ${s.name}` }));

  const fields = async (actor: Actor): Promise<FieldSpec[]> => {
    const ngoOptions = [{ value: '', label: 'Wybierz…' }, ...(await allNgos(ngos, actor)).map(ngoOption)];
    return [
      { name: 'programId', label: 'Program współpracy', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...(await programOptions(programs, actor))], hint: 'Zwykle roczny program na rok, w którym zadanie się zaczyna' },
      { name: 'title', label: 'Tytuł zadania', kind: 'text' },
      { name: 'ngoIds', label: 'Organizacja realizująca (lider)', kind: 'selects', count: 1 + PARTNERS, moreLabel: 'Organizacja partnerska', options: ngoOptions, hint: 'Nazwa, KRS i NIP; w liście można pisać, by szybko przejść do nazwy' },
      { name: 'sphere', label: 'Sfera pożytku publicznego', kind: 'select', options: [{ value: '', label: 'Wybierz…' }, ...(await sphereOptions())] },
      { name: 'mode', label: 'Tryb zlecenia', kind: 'select', options: choose(MODE_LABELS, TASK_MODES), hint: 'Mały grant (art. 19a): najwyżej 10 000,00 zł i 90 dni' },
      { name: 'form', label: 'Forma zlecenia', kind: 'select', options: choose(FORM_LABELS, TASK_FORMS) },
      { name: 'competitionRef', label: 'Numer konkursu', kind: 'text', optional: true, width: 'w-20', hint: 'Dla zadań z otwartego konkursu ofert, np. OK-12/2026' },
      { name: 'department', label: 'Wydział', kind: 'text', width: 'w-20' },
      { name: 'amountRequested', label: 'Kwota wnioskowana', kind: 'money', optional: true, hint: 'W złotych, np. 12 500,50' },
      { name: 'amountGranted', label: 'Kwota przyznana', kind: 'money', hint: 'W złotych, np. 12 500,50' },
      { name: 'amountSettled', label: 'Kwota rozliczona', kind: 'money', optional: true, hint: 'Po rozliczeniu dotacji' },
      { name: 'startDate', label: 'Data rozpoczęcia', kind: 'date' },
      { name: 'endDate', label: 'Data zakończenia', kind: 'date' },
      { name: 'status', label: 'Status', kind: 'select', options: choose(STATUS_LABELS, TASK_STATUSES) },
      { name: 'beneficiaries', label: 'Liczba odbiorców', kind: 'integer', optional: true },
    ];
  };

  const valuesOf = (t: TaskView): FormState['values'] => ({
    programId: t.programId,
    title: t.title,
    ngoIds: t.ngoIds,
    sphere: t.sphere,
    mode: t.mode,
    form: t.form,
    competitionRef: t.competitionRef ?? '',
    department: t.department,
    amountRequested: moneyForForm(t.amountRequested),
    amountGranted: moneyForForm(t.amountGranted),
    amountSettled: moneyForForm(t.amountSettled),
    startDate: t.startDate,
    endDate: t.endDate,
    status: t.status,
    beneficiaries: t.beneficiaries === null ? '' : String(t.beneficiaries),
  });

  routes.get('/app/tasks', { permission: 'staff' }, async (ctx) => {
    const raw = Object.fromEntries(['search', 'year', 'programId', 'sphere', 'mode', 'status', 'overdue', 'department', 'page'].map((k) => [k, one(ctx.query[k])])) as Record<string, string | undefined>;
    const { page, ...filters } = raw;
    const { result, problem } = await filteredPage(TaskQuery, filters, page, (query: TaskQuery) => tasks.list(ctx.actor, query));
    const [programList, sphereList] = await Promise.all([programOptions(programs, ctx.actor), sphereOptions()]);
    const body = eta.render(FILTERED_LIST, {
      heading: 'Zlecone zadania publiczne',
      add: canWrite(ctx.actor) ? { href: '/app/tasks/new', label: 'Dodaj zadanie' } : null,
      action: '/app/tasks',
      searchLabel: 'Szukaj zadań',
      filters: [
        { name: 'search', label: 'Tytuł albo numer konkursu', kind: 'search', value: filters.search ?? '', width: 'w-20' },
        { name: 'year', label: 'Rok rozpoczęcia', kind: 'text', value: filters.year ?? '', inputmode: 'numeric' },
        selectFilter('programId', 'Program', programList, filters.programId),
        selectFilter('sphere', 'Sfera', sphereList, filters.sphere),
        selectFilter('mode', 'Tryb', codeOptions(MODE_LABELS, TASK_MODES), filters.mode),
        selectFilter('status', 'Status', codeOptions(STATUS_LABELS, TASK_STATUSES), filters.status),
        selectFilter('overdue', 'Termin zakończenia', [{ value: 'true', label: 'minął, zadanie nierozliczone' }, { value: 'false', label: 'nie minął albo rozliczone' }], filters.overdue),
        { name: 'department', label: 'Wydział (dokładna nazwa)', kind: 'text', value: filters.department ?? '', width: 'w-20' },
      ],
      problem,
      found: result.total === 0 ? 'Nie znaleziono żadnego zadania.' : `Znaleziono: ${formatInteger(result.total)}.`,
      table: {
        id: 'tasks-caption',
        caption: 'Zadania',
        columns: [{ label: 'Tytuł' }, { label: 'Okres' }, { label: 'Tryb' }, { label: 'Wydział' }, { label: 'Kwota przyznana', num: true }, { label: 'Status' }],
        rows: result.items.map((t) => ({
          head: t.title,
          href: taskPath(t.id),
          cells: [`${formatDay(t.startDate)} – ${formatDay(t.endDate)}`, label(MODE_LABELS, t.mode), t.department, formatPln(t.amountGranted), label(STATUS_LABELS, t.status)],
        })),
      },
      pager: pager('/app/tasks', filters, result),
    });
    return { html: renderLayout({ title: 'Zadania', body, session: ctx.session, section: '/app/tasks' }) };
  });

  routes.get('/app/tasks/:id', { permission: 'staff' }, async (ctx) => {
    const task = await tasks.get(ctx.actor, uuid(ctx.params.id));
    const names = new Map((await Promise.all(task.ngoIds.map((id) => ngos.get(ctx.actor, id)))).map((n) => [n.id, n.name]));
    const sphereName = (await spheres.list({ all: true })).find((s) => s.code === task.sphere)?.name ?? '';
    const program = await programs.get(ctx.actor, task.programId);
    const body = eta.render(RECORD, {
      title: task.title,
      canWrite: canWrite(ctx.actor),
      editHref: `${taskPath(task.id)}/edit`,
      ngos: task.ngoIds.map((id) => ({ href: ngoPath(id), name: names.get(id) ?? id })),
      facts: [
        { label: 'Program', value: program.title },
        { label: 'Sfera', value: `${task.sphere}. ${sphereName}` },
        { label: 'Tryb', value: label(MODE_LABELS, task.mode) },
        { label: 'Forma', value: label(FORM_LABELS, task.form) },
        { label: 'Numer konkursu', value: text(task.competitionRef) },
        { label: 'Wydział', value: task.department },
        { label: 'Okres', value: `${formatDay(task.startDate)} – ${formatDay(task.endDate)}` },
        { label: 'Kwota wnioskowana', value: task.amountRequested === null ? '—' : formatPln(task.amountRequested) },
        { label: 'Kwota przyznana', value: formatPln(task.amountGranted) },
        { label: 'Kwota rozliczona', value: task.amountSettled === null ? '—' : formatPln(task.amountSettled) },
        { label: 'Status', value: label(STATUS_LABELS, task.status) },
        { label: 'Liczba odbiorców', value: task.beneficiaries === null ? '—' : formatInteger(task.beneficiaries) },
      ],
    });
    return { html: renderLayout({ title: task.title, body, session: ctx.session, section: '/app/tasks' }) };
  });

  registerRecordForms(routes, sessions, {
    base: '/app/tasks',
    fields: fields,
    valuesOf,
    newValues: (ctx) => ({ ngoIds: one(ctx.query.ngoId) ? [one(ctx.query.ngoId)!] : [], status: 'planned' }),
    createDto: CreateTaskDto,
    updateDto: UpdateTaskDto,
    get: (actor, id) => tasks.get(actor, id),
    create: (actor, dto: CreateTaskDto) => tasks.create(actor, dto),
    update: (actor, id, dto: UpdateTaskDto) => tasks.update(actor, id, dto),
    nameOf: (t) => t.title,
    text: { createHeading: 'Dodaj zlecone zadanie', createSubmit: 'Zapisz zadanie', editHeading: (n) => `Zmień zadanie: ${n}`, created: (n) => `Dodano zadanie „${n}”.`, saved: (n) => `Zapisano zmiany zadania „${n}”.` },
  }, uuid);

}
