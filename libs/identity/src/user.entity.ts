import type { Role } from '@app/core';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid') id: string;
  @Column({ name: 'municipality_id', type: 'uuid' }) municipalityId: string;
  /** Lowercase; unique within the municipality only. */
  @Column('text') email: string;
  @Column({ name: 'password_hash', type: 'text', select: false }) passwordHash: string;
  @Column('text') role: Role;
  @Column({ name: 'ngo_id', type: 'uuid', nullable: true }) ngoId: string | null;
  @Column({ name: 'platform_admin', type: 'boolean', default: false }) platformAdmin: boolean;
  /** A deactivated user cannot sign in, and their tokens are refused. */
  @Column({ type: 'boolean', default: true }) active: boolean;
  /** Carried in the access token; moving it on revokes every token issued before. */
  @Column({ name: 'token_version', type: 'integer', default: 1 }) tokenVersion: number;
  /** When two-factor sign-in was turned on (null: off). The secret itself is never loaded as an entity. */
  @Column({ name: 'totp_enabled_at', type: 'timestamptz', nullable: true, select: false }) totpEnabledAt: Date | null;
  @Column({ type: 'integer', default: 1 }) version: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt: Date;
}

/** The columns a new user is given; the rest take their defaults. */
export type NewUser = Pick<UserEntity, 'municipalityId' | 'email' | 'passwordHash' | 'role' | 'ngoId' | 'platformAdmin'>;
