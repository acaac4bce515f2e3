import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const LEGAL_FORMS = ['association', 'foundation', 'church-entity', 'cooperative', 'other'] as const;
export type LegalForm = (typeof LEGAL_FORMS)[number];

@Entity('ngos')
export class NgoEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'municipality_id', type: 'uuid' }) municipalityId: string;
  @Column('text') name: string;
  @Column({ name: 'legal_form', type: 'text' }) legalForm: LegalForm;
  @Column({ type: 'char', length: 10, nullable: true }) krs: string | null;
  @Column({ type: 'char', length: 10, nullable: true }) nip: string | null;
  @Column({ type: 'varchar', length: 14, nullable: true }) regon: string | null;
  @Column({ type: 'text', nullable: true }) email: string | null;
  @Column({ type: 'text', nullable: true }) website: string | null;
  @Column({ type: 'text', nullable: true }) address: string | null;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) spheres: string[];
  @Column({ name: 'public_benefit', type: 'boolean', default: false }) publicBenefit: boolean;
  @Column({ name: 'registered_on', type: 'date', nullable: true }) registeredOn: string | null;
  @Column({ name: 'archived_at', type: 'timestamptz', nullable: true }) archivedAt: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'integer', default: 1 }) version: number;
}
