import { CurrentActor, Permit, Public, type Actor } from '@app/core';
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { PublicReportView, PublishReportDto, ReportListItem, ReportView } from './dto/report.dto';
import { ReportsService } from './reports.service';
import { YearParam } from './year-param';

@ApiTags('reports')
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  @ApiOperation({ summary: 'List the years that have a report' })
  @Permit('reports.read')
  @ApiOkResponse({ type: [ReportListItem], description: 'One row a year that has a report, newest year first' })
  list(@CurrentActor() actor: Actor): Promise<ReportListItem[]> {
    return this.reports.list(actor);
  }

  @Get(':year')
  @ApiOperation({ summary: "Get a year's newest compiled report" })
  @Permit('reports.read')
  @ApiOkResponse({ type: ReportView, description: 'The newest compile' })
  @ApiNotFoundResponse({ description: 'The year has no report' })
  get(@CurrentActor() actor: Actor, @YearParam() year: number): Promise<ReportView> {
    return this.reports.get(actor, year);
  }

  @Post(':year/compile')
  @ApiOperation({ summary: "Compile a year's report now" })
  @HttpCode(200)
  @Permit('reports.manage')
  @ApiOkResponse({ type: ReportView })
  @ApiUnprocessableEntityResponse({ description: 'The year has not begun' })
  compile(@CurrentActor() actor: Actor, @YearParam() year: number): Promise<ReportView> {
    return this.reports.compileNow(actor, year);
  }

  @Post(':year/publish')
  @ApiOperation({ summary: 'Publish the reviewed draft as a new revision' })
  @HttpCode(200)
  @Permit('reports.manage')
  @ApiOkResponse({ type: ReportView, description: 'The newest compile, frozen as the next revision' })
  @ApiUnprocessableEntityResponse({ description: 'Nothing compiled yet, or the data changed since the reviewed draft (contentHash)' })
  publish(@CurrentActor() actor: Actor, @YearParam() year: number, @Body() dto: PublishReportDto): Promise<ReportView> {
    return this.reports.publish(actor, year, dto.contentHash);
  }
}

@ApiTags('open data')
@Controller('public')
export class PublicReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get(':slug/reports/:year')
  @ApiOperation({ summary: "Get a municipality's published report of a year" })
  @Public()
  @ApiOkResponse({ type: PublicReportView, description: 'The newest published revision' })
  @ApiNotFoundResponse({ description: 'No published revision of that year' })
  get(@Param('slug') slug: string, @YearParam() year: number): Promise<PublicReportView> {
    return this.reports.publicReport(slug, year);
  }
}
