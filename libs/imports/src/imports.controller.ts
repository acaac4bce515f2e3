import { CurrentActor, Permit, type Actor } from '@app/core';
import { Controller, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBody, ApiConsumes, ApiCreatedResponse, ApiOkResponse, ApiParam, ApiPayloadTooLargeResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { IMPORT_KINDS, ImportCheckView, ImportedView, ImportQuery, type ImportKind } from './dto/import.dto';
import { ImportsService, MAX_IMPORT_ROWS } from './imports.service';
import { IMPORT_FILE_LIMIT, ImportUploadGuard, UploadedImport, type Upload } from './upload';

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ImportsService) {}

  @Post(':kind')
  @Permit('registers.write')
  @UseGuards(ImportUploadGuard)
  @ApiParam({ name: 'kind', enum: IMPORT_KINDS, description: 'What the file holds: NGOs or funded tasks' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    description: `A CSV (UTF-8, comma or semicolon) or XLSX (the first sheet) file of at most ${IMPORT_FILE_LIMIT / 1024 / 1024} MiB and ${MAX_IMPORT_ROWS} rows; the header row holds the field names of POST /ngos or POST /tasks (a task's ngoIds: ids, KRS or NIP numbers separated by ";")`,
    schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary' } } },
  })
  @ApiCreatedResponse({ type: ImportedView, description: 'Every row imported, in one transaction' })
  @ApiOkResponse({ type: ImportCheckView, description: 'With ?dryRun=true: what an import would find; nothing is written' })
  @ApiBadRequestResponse({ description: 'No file, not multipart, a file that is neither CSV nor XLSX or holds too many rows, an unknown kind' })
  @ApiPayloadTooLargeResponse({ description: `A file over ${IMPORT_FILE_LIMIT / 1024 / 1024} MiB` })
  @ApiUnprocessableEntityResponse({ description: 'A row is bad, so nothing was imported; errors[] holds { line, column, message } for every bad row' })
  async import(
    @CurrentActor() actor: Actor,
    @Param('kind') kind: ImportKind,
    @Query() query: ImportQuery,
    @UploadedImport() upload: Upload,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportedView | ImportCheckView> {
    if (!query.dryRun) return this.imports.import(actor, kind, upload);
    void reply.status(200);
    return this.imports.check(actor, kind, upload);
  }
}
