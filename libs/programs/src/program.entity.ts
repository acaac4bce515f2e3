import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const PROGRAM_KINDS = ['multi-year', 'annual'] as const;
export type ProgramKind = (typeof PROGRAM_KINDS)[number];

/** A cooperation programme: multi-year (e.g. 2019–2022) or annual, possibly inside a multi-year one. */
@Entity('programs')
export class ProgramEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'municipality_id', type: 'uuid' }) municipalityId: string;
  @Column('text') title: string;
  @Column('text') kind: ProgramKind;
  @Column({ name: 'start_year', type: 'integer' }) startYear: number;
  @Column({ name: 'end_year', type: 'integer' }) endYear: number;
  @Column({ name: 'parent_id', type: 'uuid', nullable: true }) parentId: string | null;
  @Column({ name: 'resolution_number', type: 'text', nullable: true }) resolutionNumber: string | null;
  @Column({ name: 'adopted_on', type: 'date', nullable: true }) adoptedOn: string | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) spheres: string[];
  /** numeric(14,2): read as a string, never a float */
  @Column({ name: 'planned_budget', type: 'numeric', precision: 14, scale: 2, nullable: true }) plannedBudget: string | null;
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true }) archivedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'integer', default: 1 }) version: number;
}
