import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A dialogue commission (Komisja Dialogu Obywatelskiego): an advisory body with a term. */
@Entity('commissions')
export class CommissionEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'municipality_id', type: 'uuid' }) municipalityId: string;
  @Column('text') name: string;
  @Column({ type: 'text', nullable: true }) sphere: string | null;
  @Column('text') department: string;
  @Column({ name: 'term_start', type: 'date' }) termStart: string;
  @Column({ name: 'term_end', type: 'date' }) termEnd: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' }) updatedAt: Date;
  @Column({ type: 'integer', default: 1 }) version: number;
}
