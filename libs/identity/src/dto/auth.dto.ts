import { EmailField, StringField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';

export class LoginDto {
  @EmailField({ example: 'official@krakow.example' }) email: string;
  @StringField({ maxLength: 200, trim: false, example: 'krakow-demo-2019' }) password: string;
  @StringField({ optional: true, maxLength: 100, description: 'The municipality\'s slug: needed only when the email has accounts with this same password in several municipalities', example: 'krakow' })
  municipality?: string;
  @StringField({ optional: true, maxLength: 20, trim: true, description: 'The current code of the authenticator app (six digits) or an unused recovery code: required when the account has two-factor sign-in on', example: '123456' })
  otp?: string;
}

export class TokenView {
  @ApiProperty() accessToken: string;
  @ApiProperty({ enum: ['Bearer'] }) tokenType: 'Bearer';
  @ApiProperty({ type: 'integer', description: 'Seconds until the token expires' }) expiresIn: number;
}
