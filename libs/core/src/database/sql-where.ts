/**
 * The WHERE clause of a raw-SQL list query, built from optional filters. Each condition's `?`
 * marks become the next positional parameter (every `?` of one condition the same one), so that
 * conditions are added with `if (query.x) where.and('t.x = ?', query.x)` and never count `$n`.
 */
export class SqlWhere {
  private readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  constructor(condition: string, value: unknown) {
    this.and(condition, value);
  }

  and(condition: string, value: unknown): this {
    this.params.push(value);
    this.conditions.push(condition.replaceAll('?', `$${this.params.length}`));
    return this;
  }

  /** The conditions joined with AND, to follow `WHERE`. */
  get sql(): string {
    return this.conditions.join(' AND ');
  }
}
