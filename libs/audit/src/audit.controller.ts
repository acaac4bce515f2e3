import { CurrentActor, Permit, type Actor } from '@app/core';
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuditService } from './audit.service';
import { AuditPage, AuditQuery, AuditVerification } from './dto/audit.dto';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @Get()
  @ApiOperation({ summary: 'List audit trail entries' })
  @Permit('audit.read')
  @ApiOkResponse({ type: AuditPage, description: 'One entry per write, newest first' })
  list(@CurrentActor() actor: Actor, @Query() query: AuditQuery) {
    return this.audit.list(actor, query);
  }

  @Get('verify')
  @ApiOperation({ summary: "Verify the audit trail's hash chain" })
  @Permit('audit.read')
  @ApiOkResponse({ type: AuditVerification, description: 'Whether the hash chain is intact, and the first broken entry when it is not' })
  verify(@CurrentActor() actor: Actor): Promise<AuditVerification> {
    return this.audit.verify(actor);
  }
}
