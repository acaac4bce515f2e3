import type { Role } from '@app/core';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'municipality_id', type: 'uuid' }) municipalityId: string;
  @Column('text') email: string;
  @Column({ name: 'password_hash', type: 'text', select: false }) passwordHash: string;
  @Column('text') role: Role;
  @Column({ name: 'ngo_id', type: 'uuid', nullable: true }) ngoId: string | null;
  @Column({ name: 'platform_admin', type: 'boolean', default: false }) platformAdmin: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
}
