import { APP_CONFIG, DEFAULT_PASSWORD_HASH_COST, type AppConfig } from '@app/core';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import * as argon2 from 'argon2';

/**
 * argon2id, 4 lanes, with the configured memory and passes (PASSWORD_HASH_MEMORY_KIB,
 * PASSWORD_HASH_PASSES: by default the library's 64 MiB and 3 passes, never below OWASP's 19 MiB
 * and 2). A stored hash carries its own cost, so changing it affects new hashes only.
 */
@Injectable()
export class PasswordHasher implements OnApplicationBootstrap {
  private readonly options: argon2.HashOptions;
  private decoyHash: Promise<string> | undefined;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'passwordHash'> = { passwordHash: DEFAULT_PASSWORD_HASH_COST }) {
    this.options = { type: argon2.argon2id, memoryCost: config.passwordHash.memoryKib, timeCost: config.passwordHash.passes };
  }

  /**
   * A hash of a random string, verified against when the email is unknown, so both cases take as
   * long. Made once, when the application starts; a `new PasswordHasher()` outside Nest's
   * container (the CLI's and the first start's hashing) never makes one.
   */
  private decoy(): Promise<string> {
    return (this.decoyHash ??= argon2.hash(`decoy-${Math.random()}`, this.options));
  }

  onApplicationBootstrap(): void {
    this.decoy().catch(() => undefined);
  }

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async verify(hash: string | null, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash ?? (await this.decoy()), password);
    } catch {
      return false;
    }
  }
}
