import { NgosModule } from '@app/ngos';
import { CreateTaskDto } from '@app/tasks';
import { bodyDtoOf, cellValue, columnsOf, type ColumnSpec } from './columns';

describe('the columns of an import file', () => {
  it('are the fields of POST /ngos\'s DTO, with what each requires and how its cells read', () => {
    const dto = bodyDtoOf(NgosModule, 'create');
    expect(dto.name).toBe('CreateNgoDto');
    expect(columnsOf(dto)).toEqual([
      { name: 'name', required: true, kind: 'text' },
      { name: 'legalForm', required: true, kind: 'text' },
      { name: 'krs', required: false, kind: 'krs' },
      { name: 'nip', required: false, kind: 'text' },
      { name: 'regon', required: false, kind: 'regon' },
      { name: 'email', required: false, kind: 'text' },
      { name: 'website', required: false, kind: 'text' },
      { name: 'address', required: false, kind: 'text' },
      { name: 'spheres', required: false, kind: 'list' },
      { name: 'publicBenefit', required: false, kind: 'boolean' },
      { name: 'registeredOn', required: false, kind: 'date' },
    ]);
  });

  it('are the fields of POST /tasks\'s DTO', () => {
    const columns = columnsOf(CreateTaskDto);
    expect(columns.filter((c) => c.required).map((c) => c.name)).toEqual(['programId', 'title', 'sphere', 'mode', 'form', 'department', 'ngoIds', 'amountGranted', 'startDate', 'endDate', 'status']);
    expect(Object.fromEntries(columns.filter((c) => c.kind !== 'text').map((c) => [c.name, c.kind]))).toEqual({
      ngoIds: 'list',
      amountRequested: 'money',
      amountGranted: 'money',
      amountSettled: 'money',
      startDate: 'date',
      endDate: 'date',
      beneficiaries: 'integer',
    });
  });

  const column = (kind: ColumnSpec['kind']): ColumnSpec => ({ name: 'x', required: false, kind });

  it('read an empty cell as absent', () => {
    for (const kind of ['text', 'list', 'boolean', 'integer', 'money', 'date', 'krs', 'regon'] as const) {
      expect(cellValue(column(kind), '')).toBeUndefined();
      expect(cellValue(column(kind), null)).toBeUndefined();
    }
  });

  it('split lists on semicolons', () => {
    expect(cellValue(column('list'), '1; 16 ;;32a')).toEqual(['1', '16', '32a']);
    expect(cellValue(column('list'), 16)).toEqual(['16']);
    expect(cellValue(column('list'), 123456, 'krs')).toEqual(['0000123456']);
  });

  it('read true/false and tak/nie as booleans, and leave anything else to the DTO', () => {
    expect(['true', 'TRUE', 'tak', 'Tak', true].map((v) => cellValue(column('boolean'), v))).toEqual([true, true, true, true, true]);
    expect(['false', 'False', 'nie', 'NIE', false].map((v) => cellValue(column('boolean'), v))).toEqual([false, false, false, false, false]);
    expect(cellValue(column('boolean'), 'yes')).toBe('yes');
  });

  it('read numbers as the API takes them: integers from digits, money as written', () => {
    expect(cellValue(column('integer'), '120')).toBe(120);
    expect(cellValue(column('integer'), '1 200')).toBe('1 200');
    expect(cellValue(column('money'), '12500.5')).toBe('12500.5');
    expect(cellValue(column('money'), 12500.5)).toBe(12500.5);
  });

  it('give a spreadsheet\'s dates as YYYY-MM-DD and its register numbers their leading zeros back', () => {
    expect(cellValue(column('date'), new Date(Date.UTC(2019, 2, 1)))).toBe('2019-03-01');
    expect(cellValue(column('date'), '2019-03-01')).toBe('2019-03-01');
    expect(cellValue(column('krs'), 42)).toBe('0000000042');
    expect(cellValue(column('krs'), '42')).toBe('42');
    expect(cellValue(column('regon'), 144992)).toBe('000144992');
    expect(cellValue(column('regon'), 12345678512347)).toBe('12345678512347');
    expect(cellValue(column('text'), 8567346215)).toBe('8567346215');
  });
});
