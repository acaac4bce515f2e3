import type { Summary } from '@app/reports';
import { summaryRows, TASK_COLUMNS } from './export-registry';
import type { ExportTask } from './export-types';

/** Pure: the registry's tables computed from plain values. */

const summary: Summary = {
  programmes: [{ id: 'p1', title: 'Program roczny 2019', kind: 'annual', startYear: 2019, endYear: 2019 }],
  tasks: {
    count: 3,
    ngosFunded: 2,
    granted: '150.10',
    settled: '20.00',
    competitions: 1,
    byMode: { 'other-act': { count: 1, granted: '50.00' }, 'small-grant': { count: 0, granted: '0.00' }, 'open-competition': { count: 2, granted: '100.10' }, 'local-initiative': { count: 0, granted: '0.00' } },
    byForm: { entrustment: { count: 1, granted: '50.00' }, support: { count: 2, granted: '100.10' } },
    bySphere: { '10': { count: 1, granted: '50.00' }, '2': { count: 1, granted: '50.00' }, '1a': { count: 1, granted: '50.10' } },
    byDepartment: { 'Wydział Źródeł': { count: 1, granted: '1.00' }, 'Wydział Spraw': { count: 2, granted: '149.10' } },
  },
  activities: { count: 2, byType: { event: 1, consultation: 1, other: 0 }, ngos: 1 },
  commissions: { count: 1, memberNgos: 4, meetings: 5 },
  ngos: { registered: 10, cooperating: 6 },
};

describe('the annual report export registry', () => {
  it('turns the summary into figure/key/count/granted/settled rows, keyed figures in dictionary or reading order', () => {
    const rows = summaryRows(summary).map((r) => [r.figure, r.key, r.count, r.granted, r.settled]);
    expect(rows).toEqual([
      ['programmes', 'Program roczny 2019', null, null, null],
      ['tasks', null, 3, '150.10', '20.00'],
      ['tasks.ngosFunded', null, 2, null, null],
      ['tasks.competitions', null, 1, null, null],
      ['activities', null, 2, null, null],
      ['activities.ngos', null, 1, null, null],
      ['commissions', null, 1, null, null],
      ['commissions.memberNgos', null, 4, null, null],
      ['commissions.meetings', null, 5, null, null],
      ['ngos.registered', null, 10, null, null],
      ['ngos.cooperating', null, 6, null, null],
      ['tasks.byMode', 'open-competition', 2, '100.10', null],
      ['tasks.byMode', 'small-grant', 0, '0.00', null],
      ['tasks.byMode', 'local-initiative', 0, '0.00', null],
      ['tasks.byMode', 'other-act', 1, '50.00', null],
      ['tasks.byForm', 'support', 2, '100.10', null],
      ['tasks.byForm', 'entrustment', 1, '50.00', null],
      ['tasks.bySphere', '1a', 1, '50.10', null],
      ['tasks.bySphere', '2', 1, '50.00', null],
      ['tasks.bySphere', '10', 1, '50.00', null],
      ['tasks.byDepartment', 'Wydział Spraw', 2, '149.10', null],
      ['tasks.byDepartment', 'Wydział Źródeł', 1, '1.00', null],
      ['activities.byType', 'consultation', 1, null, null],
      ['activities.byType', 'event', 1, null, null],
      ['activities.byType', 'other', 0, null, null],
    ]);
  });

  it('puts all of a task\'s NGOs in one cell per field, lead first, `; ` between them, an empty place for a missing identifier', () => {
    const task: ExportTask = {
      position: 1,
      taskId: 't1',
      title: 'T',
      sphere: '1',
      mode: 'open-competition',
      form: 'support',
      department: 'D',
      competitionRef: null,
      amountRequested: null,
      amountGranted: '1.00',
      amountSettled: null,
      startDate: '2019-01-01',
      endDate: '2019-02-01',
      status: 'contracted',
      beneficiaries: null,
      ngos: [
        { id: 'a', name: 'Fundacja „Ąę”', krs: '0000000001', nip: null, regon: '123456785' },
        { id: 'b', name: 'Stowarzyszenie B', krs: null, nip: '8567346215', regon: null },
      ],
      programId: 'p1',
      programTitle: 'Program roczny 2019',
    };
    const cells = Object.fromEntries(TASK_COLUMNS.map((c) => [c.name, c.value(task)]));
    expect(TASK_COLUMNS.map((c) => c.name)).toEqual([
      'position', 'taskId', 'title', 'sphere', 'mode', 'form', 'department', 'competitionRef', 'amountRequested', 'amountGranted', 'amountSettled',
      'startDate', 'endDate', 'status', 'beneficiaries', 'ngoNames', 'ngoKrs', 'ngoNip', 'ngoRegon', 'leadNgo',
    ]);
    expect(cells).toMatchObject({ ngoNames: 'Fundacja „Ąę”; Stowarzyszenie B', ngoKrs: '0000000001; ', ngoNip: '; 8567346215', ngoRegon: '123456785; ', leadNgo: 'Fundacja „Ąę”' });
  });
});
