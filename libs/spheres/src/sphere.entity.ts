import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A public-benefit sphere (art. 4 ust. 1); shared by all municipalities, versioned by validity dates. */
@Entity('spheres')
export class SphereEntity {
  @PrimaryColumn('integer') id: number;
  @Column('text') code: string;
  @Column({ name: 'valid_from', type: 'date', nullable: true }) validFrom: string | null;
  @Column('text') name: string;
  @Column({ name: 'valid_to', type: 'date', nullable: true }) validTo: string | null;
  @Column({ name: 'sort_key', type: 'integer' }) sortKey: number;
}
