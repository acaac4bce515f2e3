import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const MEMBER_ROLES = ['chair', 'vice-chair', 'secretary', 'member'] as const;
export type MemberRole = (typeof MEMBER_ROLES)[number];

/**
 * An NGO's membership of a commission, from `fromDate` to `toDate` (the last day, inclusive; null
 * while it lasts). The exclusion constraint commission_members_no_overlap keeps one NGO's
 * memberships of one commission from overlapping.
 */
@Entity('commission_members')
export class CommissionMemberEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'municipality_id', type: 'uuid' }) municipalityId: string;
  @Column({ name: 'commission_id', type: 'uuid' }) commissionId: string;
  @Column({ name: 'ngo_id', type: 'uuid' }) ngoId: string;
  @Column('text') representative: string;
  @Column('text') role: MemberRole;
  @Column({ name: 'from_date', type: 'date' }) fromDate: string;
  @Column({ name: 'to_date', type: 'date', nullable: true }) toDate: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'integer', default: 1 }) version: number;
}
