import { CurrentActor, Permit, Public, ValidationFailed, type Actor } from '@app/core';
import { YearParam } from '@app/reports';
import { Controller, Get, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ExportQuery } from './dto/export-query.dto';
import { sendExportFile } from './export-response';
import { ExportsService } from './exports.service';

@ApiTags('exports')
@Controller('reports')
export class ExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get(':year/export')
  @ApiOperation({ summary: "Download a year's report (CSV, XLSX or JSON)" })
  @Permit('audit.read')
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/json')
  @ApiOkResponse({
    description: 'The newest published revision (or the one asked for, or the draft) as a file; each export is recorded in the audit trail',
    headers: {
      'Repr-Digest': { description: 'SHA-256 of the body (RFC 9530): `sha-256=:<base64>:`', schema: { type: 'string' } },
      'Content-Disposition': { description: 'attachment; filename="raport-<slug>-<year>-r<revision|draft>.<ext>"', schema: { type: 'string' } },
    },
  })
  @ApiBadRequestResponse({ description: 'An unknown format, delimiter, table or revision; a delimiter or table with a format other than csv' })
  @ApiNotFoundResponse({ description: 'No published revision of the year (without `revision`), no such revision, or (draft) no compile' })
  async export(@CurrentActor() actor: Actor, @YearParam() year: number, @Query() query: ExportQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    // Fastify answers HEAD with the GET handler: an export is work and an audit entry, so only GET makes one
    if (request.method !== 'GET') throw ValidationFailed.field('method', 'an export is made by GET only');
    sendExportFile(reply, await this.exports.exportToTemporaryFile(actor, year, query));
  }
}

@ApiTags('open data')
@Controller('public')
export class PublicExportsController {
  constructor(private readonly exports: ExportsService) {}

  @Get(':slug/reports/:year/export')
  @Public()
  @ApiOperation({ summary: 'Download a published report (CSV, XLSX or JSON) without signing in' })
  @ApiProduces('text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/json')
  @ApiOkResponse({
    description: 'The newest published revision (or `revision`), the same bytes and Repr-Digest as the signed-in export of that revision; drafts never',
    headers: { 'Repr-Digest': { description: 'SHA-256 of the body (RFC 9530)', schema: { type: 'string' } } },
  })
  @ApiBadRequestResponse({ description: 'An unknown format, delimiter or table; revision=draft' })
  @ApiNotFoundResponse({ description: 'No such municipality, no published revision of the year, or no such revision' })
  async export(@Param('slug') slug: string, @YearParam() year: number, @Query() query: ExportQuery, @Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (request.method !== 'GET') throw ValidationFailed.field('method', 'an export is made by GET only');
    sendExportFile(reply, await this.exports.publicExportToTemporaryFile(slug, year, query));
  }
}
