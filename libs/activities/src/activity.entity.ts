import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const ACTIVITY_TYPES = ['consultation', 'information', 'joint-team', 'event', 'training', 'premises', 'promotion', 'other'] as const;
export type ActivityType = (typeof ACTIVITY_TYPES)[number];

/** A form of non-financial cooperation (art. 5): consultation, joint team, event, premises lent… Its NGOs live in activity_ngos. */
@Entity('activities')
export class ActivityEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'municipality_id', type: 'uuid' }) municipalityId: string;
  @Column({ name: 'program_id', type: 'uuid' }) programId: string;
  @Column('text') type: ActivityType;
  @Column('text') title: string;
  @Column({ name: 'start_date', type: 'date' }) startDate: string;
  @Column({ name: 'end_date', type: 'date', nullable: true }) endDate: string | null;
  @Column('text') department: string;
  @Column({ type: 'integer', nullable: true }) participants: number | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'integer', default: 1 }) version: number;
}
