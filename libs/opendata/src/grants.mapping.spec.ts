import {
  amountNumber,
  describeTask,
  durationInMonths,
  grantId,
  ngoOrgId,
  packageHeader,
  SPHERE_VOCABULARY,
  toGrant,
  yearOfFileName,
  type FrozenNgo,
  type GrantContext,
  type GrantSource,
} from './grants.mapping';

const PREFIX = '360G-gmina1261011';
const withKrs: FrozenNgo = { id: 'a0000000-0000-4000-8000-000000000001', name: 'Stowarzyszenie „Źródło”', krs: '0000123456', nip: '1234563218', regon: '123456785' };
const nipOnly: FrozenNgo = { id: 'a0000000-0000-4000-8000-000000000002', name: 'Fundacja Żółta Łąka', krs: null, nip: '1234563218', regon: '123456785' };
const regonOnly: FrozenNgo = { id: 'a0000000-0000-4000-8000-000000000003', name: 'Koło Gospodyń Wiejskich', krs: null, nip: null, regon: '12345678512347' };
const none: FrozenNgo = { id: 'a0000000-0000-4000-8000-000000000004', name: 'Grupa „Ślęża”', krs: null, nip: null, regon: null };

const task: GrantSource = {
  taskId: 'b0000000-0000-4000-8000-000000000001',
  title: 'Prowadzenie Klubu Seniora',
  sphere: '16',
  mode: 'open-competition',
  form: 'support',
  department: 'Wydział Kultury',
  competitionRef: 'OK-1/2019',
  amountGranted: '150000.10',
  startDate: '2019-03-01',
  endDate: '2019-11-30',
  ngos: [withKrs, nipOnly, none],
  programme: { id: 'c0000000-0000-4000-8000-000000000001', title: 'Roczny program współpracy na 2019 r.' },
};

const ctx: GrantContext = {
  prefix: PREFIX,
  funder: { id: 'PL-REGON-123456785', name: 'Gmina Miejska Kraków' },
  municipality: { name: 'Kraków', teryt: '1261011' },
  sphereNames: new Map([['16', 'kultura, sztuka, ochrona dóbr kultury i dziedzictwa narodowego']]),
  publishedAt: new Date('2020-04-30T10:15:00.000Z'),
};

describe('ngoOrgId', () => {
  it('prefers KRS, then NIP, then REGON (org-id.guide lists PL-KRS, PL-NIP, PL-REGON)', () => {
    expect(ngoOrgId(withKrs, PREFIX)).toBe('PL-KRS-0000123456');
    expect(ngoOrgId(nipOnly, PREFIX)).toBe('PL-NIP-1234563218');
    expect(ngoOrgId(regonOnly, PREFIX)).toBe('PL-REGON-12345678512347');
  });

  it('falls back to an internal identifier under the publisher prefix', () => {
    expect(ngoOrgId(none, PREFIX)).toBe(`${PREFIX}-org-${none.id}`);
  });
});

describe('grantId', () => {
  it('is 360G-<prefix>-<task id>', () => {
    expect(grantId(PREFIX, task.taskId)).toBe(`360G-gmina1261011-${task.taskId}`);
  });
});

describe('amountNumber', () => {
  it('turns the exact two-decimal string into the number with the same decimal text', () => {
    expect(amountNumber('150000.10')).toBe(150000.1);
    expect(amountNumber('0.10')).toBe(0.1);
    expect(amountNumber('0.00')).toBe(0);
    expect(amountNumber('999999999999.99')).toBe(999999999999.99);
    expect(JSON.stringify(amountNumber('999999999999.99'))).toBe('999999999999.99');
    expect(amountNumber('1234567.89').toFixed(2)).toBe('1234567.89');
  });

  it('refuses what is not such an amount', () => {
    for (const bad of ['1.5', '-1.00', '1e3', '', '1,00', '1234567890123.00']) expect(() => amountNumber(bad)).toThrow(TypeError);
  });
});

describe('durationInMonths', () => {
  it('counts whole calendar months, both days included', () => {
    expect(durationInMonths('2019-03-01', '2019-11-30')).toBe(9);
    expect(durationInMonths('2019-05-01', '2019-06-30')).toBe(2);
    expect(durationInMonths('2019-01-01', '2019-12-31')).toBe(12);
    expect(durationInMonths('2019-01-31', '2019-02-27')).toBe(1); // 31 Jan + 1 month is 28 Feb
    expect(durationInMonths('2020-02-01', '2020-02-29')).toBe(1);
  });

  it('adds the days left over as a fraction of their month, to one decimal', () => {
    expect(durationInMonths('2019-05-01', '2019-05-15')).toBe(0.5);
    expect(durationInMonths('2019-06-15', '2019-06-15')).toBe(0);
    expect(durationInMonths('2019-01-02', '2019-12-31')).toBe(12);
    expect(durationInMonths('2019-03-10', '2019-06-07')).toBe(2.9); // a 90-day small grant
  });

  it('refuses a period that ends before it starts', () => {
    expect(() => durationInMonths('2019-05-02', '2019-05-01')).toThrow(RangeError);
    expect(() => durationInMonths('2019-5-02', '2019-05-01')).toThrow(TypeError);
  });
});

describe('describeTask', () => {
  it('says in Polish what was commissioned, how, by which department, to whom and with which partners', () => {
    expect(describeTask(task)).toBe(
      'Zadanie publiczne „Prowadzenie Klubu Seniora” zlecone w formie wspierania w trybie otwartego konkursu ofert (konkurs OK-1/2019). ' +
        'Wydział zlecający: Wydział Kultury. ' +
        'Realizator: Stowarzyszenie „Źródło” (KRS 0000123456). ' +
        'Partnerzy: Fundacja Żółta Łąka (NIP 1234563218), Grupa „Ślęża”.',
    );
  });

  it('has a phrase for every mode and form, and one partner in the singular', () => {
    const one = { ...task, ngos: [regonOnly, withKrs] };
    expect(describeTask({ ...one, mode: 'small-grant', form: 'entrustment' })).toContain(
      'zlecone w formie powierzenia z pominięciem otwartego konkursu ofert (mały grant, art. 19a ustawy o działalności pożytku publicznego i o wolontariacie).',
    );
    expect(describeTask({ ...one, mode: 'local-initiative' })).toContain('w ramach inicjatywy lokalnej (art. 19b ustawy o działalności pożytku publicznego i o wolontariacie).');
    expect(describeTask({ ...one, mode: 'other-act', competitionRef: 'not a competition' })).toContain('w formie wspierania na podstawie przepisów innej ustawy.');
    expect(describeTask({ ...one, mode: 'open-competition', competitionRef: null })).toContain('w trybie otwartego konkursu ofert.');
    expect(describeTask(one)).toContain('Realizator: Koło Gospodyń Wiejskich (REGON 12345678512347). Partner: Stowarzyszenie „Źródło” (KRS 0000123456).');
    expect(describeTask({ ...task, ngos: [nipOnly] })).toMatch(/Realizator: Fundacja Żółta Łąka \(NIP 1234563218\)\.$/);
  });
});

describe('toGrant', () => {
  it('maps a task to a 360Giving grant', () => {
    expect(toGrant(task, ctx)).toEqual({
      id: `${PREFIX}-${task.taskId}`,
      title: 'Prowadzenie Klubu Seniora',
      description: describeTask(task),
      currency: 'PLN',
      amountAwarded: 150000.1,
      awardDate: '2019-03-01',
      plannedDates: [{ startDate: '2019-03-01', endDate: '2019-11-30', duration: 9 }],
      recipientOrganization: [{ id: 'PL-KRS-0000123456', name: 'Stowarzyszenie „Źródło”' }],
      fundingOrganization: [{ id: 'PL-REGON-123456785', name: 'Gmina Miejska Kraków', department: 'Wydział Kultury' }],
      grantProgramme: [{ code: task.programme!.id, title: 'Roczny program współpracy na 2019 r.' }],
      classifications: [{ vocabulary: SPHERE_VOCABULARY, code: '16', title: 'kultura, sztuka, ochrona dóbr kultury i dziedzictwa narodowego' }],
      fromOpenCall: 'Yes',
      beneficiaryLocation: [{ name: 'Kraków', countryCode: 'PL', geoCode: '1261011', description: expect.stringContaining('TERYT') }],
      dateModified: '2020-04-30T10:15:00.000Z',
    });
  });

  it('says No to an open call for every other mode, leaves out an unknown programme and names an unknown sphere null', () => {
    for (const mode of ['small-grant', 'local-initiative', 'other-act']) expect(toGrant({ ...task, mode }, ctx).fromOpenCall).toBe('No');
    const g = toGrant({ ...task, programme: null, sphere: '99' }, ctx);
    expect(g).not.toHaveProperty('grantProgramme');
    expect(g.classifications).toEqual([{ vocabulary: SPHERE_VOCABULARY, code: '99', title: null }]);
  });

  it('names the lead NGO as the one recipient', () => {
    expect(toGrant({ ...task, ngos: [none, withKrs] }, ctx).recipientOrganization).toEqual([{ id: `${PREFIX}-org-${none.id}`, name: 'Grupa „Ślęża”' }]);
    expect(() => toGrant({ ...task, ngos: [] }, ctx)).toThrow(/no NGO/);
  });
});

describe('packageHeader', () => {
  it('fills the package metadata the package schema defines', () => {
    const h = packageHeader({ prefix: PREFIX, funder: ctx.funder, year: 2019, revision: 2, publishedAt: ctx.publishedAt, license: 'https://creativecommons.org/licenses/by/4.0/' });
    expect(h).toEqual({
      version: '1.4',
      title: 'Dotacje dla organizacji pozarządowych: Gmina Miejska Kraków, 2019 r. (wersja 2)',
      description: expect.stringContaining('2019 r.'),
      identifier: `${PREFIX}-2019-v2`,
      issued: '2020-04-30T10:15:00.000Z',
      modified: '2020-04-30T10:15:00.000Z',
      publisher: { name: 'Gmina Miejska Kraków', identifier: 'PL-REGON-123456785' },
      license: 'https://creativecommons.org/licenses/by/4.0/',
    });
  });
});

describe('yearOfFileName', () => {
  it('reads <year>.json and nothing else', () => {
    expect(yearOfFileName('2019.json')).toBe(2019);
    for (const bad of ['2019', '2019.JSON', '2019.json.gz', '19.json', 'abcd.json', '1999.json', '2101.json', ' 2019.json']) expect(yearOfFileName(bad)).toBeNull();
  });
});
