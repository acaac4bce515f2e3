import { BoolField, DateField, EnumField, IntField, MoneyField, PageMeta, PageQuery, SPHERE_CODE, StringField, UuidField, UuidListField } from '@app/core';
import { ApiProperty } from '@nestjs/swagger';
import { TASK_FORMS, TASK_MODES, TASK_STATUSES, type TaskForm, type TaskMode, type TaskStatus } from '../task.entity';

const SPHERE = { maxLength: 3, pattern: SPHERE_CODE, patternMessage: 'must be a sphere code such as "1a"', example: '16' } as const;
const YEAR = { min: 2000, max: 2100 } as const;

export class CreateTaskDto {
  @UuidField({ description: 'The programme (usually annual) the task is funded under' }) programId: string;
  @StringField({ maxLength: 500, example: 'Prowadzenie Klubu Seniora w Nowej Hucie' }) title: string;
  @StringField({ ...SPHERE, description: 'The public-benefit sphere (art. 4) code' }) sphere: string;
  @EnumField(TASK_MODES) mode: TaskMode;
  @EnumField(TASK_FORMS) form: TaskForm;
  @StringField({ optional: true, nullable: true, maxLength: 200, description: 'The open competition it came from', example: 'OK-12/2019' }) competitionRef?: string | null;
  @StringField({ maxLength: 200, example: 'Wydział Polityki Społecznej i Zdrowia' }) department: string;
  @UuidListField({ minSize: 1, maxSize: 50, description: 'The NGOs carrying out the task; the first is the lead' }) ngoIds: string[];
  @MoneyField({ optional: true, nullable: true }) amountRequested?: string | null;
  @MoneyField() amountGranted: string;
  @MoneyField({ optional: true, nullable: true }) amountSettled?: string | null;
  @DateField() startDate: string;
  @DateField({ example: '2019-11-30' }) endDate: string;
  @EnumField(TASK_STATUSES) status: TaskStatus;
  @IntField({ optional: true, nullable: true, min: 0, description: 'People who benefited' }) beneficiaries?: number | null;
}

export class UpdateTaskDto {
  @IntField({ min: 1, description: 'The version read; a stale one is 409' }) version: number;
  @UuidField({ optional: true }) programId?: string;
  @StringField({ optional: true, maxLength: 500 }) title?: string;
  @StringField({ optional: true, ...SPHERE }) sphere?: string;
  @EnumField(TASK_MODES, { optional: true }) mode?: TaskMode;
  @EnumField(TASK_FORMS, { optional: true }) form?: TaskForm;
  @StringField({ optional: true, nullable: true, maxLength: 200 }) competitionRef?: string | null;
  @StringField({ optional: true, maxLength: 200 }) department?: string;
  @UuidListField({ optional: true, minSize: 1, maxSize: 50 }) ngoIds?: string[];
  @MoneyField({ optional: true, nullable: true }) amountRequested?: string | null;
  @MoneyField({ optional: true }) amountGranted?: string;
  @MoneyField({ optional: true, nullable: true }) amountSettled?: string | null;
  @DateField({ optional: true }) startDate?: string;
  @DateField({ optional: true }) endDate?: string;
  @EnumField(TASK_STATUSES, { optional: true }) status?: TaskStatus;
  @IntField({ optional: true, nullable: true, min: 0 }) beneficiaries?: number | null;
}

export class TaskQuery extends PageQuery {
  @IntField({ optional: true, ...YEAR, fromQuery: true, description: 'Tasks that start in this year' }) year?: number;
  @UuidField({ optional: true }) programId?: string;
  @UuidField({ optional: true, description: 'Tasks this NGO carries out (as lead or partner)' }) ngoId?: string;
  @StringField({ optional: true, ...SPHERE }) sphere?: string;
  @EnumField(TASK_MODES, { optional: true }) mode?: TaskMode;
  @EnumField(TASK_STATUSES, { optional: true }) status?: TaskStatus;
  @StringField({ optional: true, maxLength: 200, description: 'The department, exactly' }) department?: string;
  @StringField({ optional: true, maxLength: 200, description: 'Part of the title or competition reference' }) search?: string;
  @BoolField({ optional: true, fromQuery: true, description: 'Only tasks past their end date (Europe/Warsaw) and neither settled nor terminated (true), or only the others (false)' })
  overdue?: boolean;
}

export class TaskView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) programId: string;
  @ApiProperty() title: string;
  @ApiProperty() sphere: string;
  @ApiProperty({ enum: TASK_MODES }) mode: TaskMode;
  @ApiProperty({ enum: TASK_FORMS }) form: TaskForm;
  @ApiProperty({ type: String, nullable: true }) competitionRef: string | null;
  @ApiProperty() department: string;
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'uuid' }, description: 'The first is the lead' }) ngoIds: string[];
  @ApiProperty({ type: String, nullable: true, example: '15000.00' }) amountRequested: string | null;
  @ApiProperty({ example: '12500.00' }) amountGranted: string;
  @ApiProperty({ type: String, nullable: true, example: '12500.00' }) amountSettled: string | null;
  @ApiProperty({ format: 'date' }) startDate: string;
  @ApiProperty({ format: 'date' }) endDate: string;
  @ApiProperty({ enum: TASK_STATUSES }) status: TaskStatus;
  @ApiProperty({ type: 'integer', nullable: true }) beneficiaries: number | null;
  @ApiProperty({ type: 'integer' }) version: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class TaskPage extends PageMeta {
  @ApiProperty({ type: [TaskView] }) items: TaskView[];
}
