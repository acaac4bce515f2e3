import { SqlWhere } from './sql-where';

describe('SqlWhere', () => {
  it('numbers the parameters in the order the conditions are added, every ? of one condition the same', () => {
    const where = new SqlWhere('t.municipality_id = ?', 'm1').and('t.mode = ?', 'open-competition').and('(t.title ILIKE ? OR t.ref ILIKE ?)', '%x%');
    expect(where.sql).toBe('t.municipality_id = $1 AND t.mode = $2 AND (t.title ILIKE $3 OR t.ref ILIKE $3)');
    expect(where.params).toEqual(['m1', 'open-competition', '%x%']);
  });

  it('is the first condition alone when no filter is added', () => {
    const where = new SqlWhere('municipality_id = ?', 'm1');
    expect(where.sql).toBe('municipality_id = $1');
    expect(where.params).toEqual(['m1']);
  });
});
