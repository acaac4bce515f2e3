import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const TASK_MODES = ['open-competition', 'small-grant', 'local-initiative', 'other-act'] as const;
export type TaskMode = (typeof TASK_MODES)[number];

export const TASK_FORMS = ['support', 'entrustment'] as const;
export type TaskForm = (typeof TASK_FORMS)[number];

export const TASK_STATUSES = ['planned', 'contracted', 'in-progress', 'settled', 'terminated'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A funded task (zadanie publiczne): money given to one or more NGOs under a programme. Its NGOs live in task_ngos. */
@Entity('tasks')
export class TaskEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'municipality_id', type: 'uuid' }) municipalityId: string;
  @Column({ name: 'program_id', type: 'uuid' }) programId: string;
  @Column('text') title: string;
  @Column('text') sphere: string;
  @Column('text') mode: TaskMode;
  @Column('text') form: TaskForm;
  @Column({ name: 'competition_ref', type: 'text', nullable: true }) competitionRef: string | null;
  @Column('text') department: string;
  /** numeric(14,2): read as strings, never floats */
  @Column({ name: 'amount_requested', type: 'numeric', precision: 14, scale: 2, nullable: true }) amountRequested: string | null;
  @Column({ name: 'amount_granted', type: 'numeric', precision: 14, scale: 2 }) amountGranted: string;
  @Column({ name: 'amount_settled', type: 'numeric', precision: 14, scale: 2, nullable: true }) amountSettled: string | null;
  @Column({ name: 'start_date', type: 'date' }) startDate: string;
  @Column({ name: 'end_date', type: 'date' }) endDate: string;
  @Column('text') status: TaskStatus;
  @Column({ type: 'integer', nullable: true }) beneficiaries: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'integer', default: 1 }) version: number;
}
