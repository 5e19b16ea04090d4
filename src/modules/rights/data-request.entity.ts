import { Field, ObjectType, registerEnumType } from "type-graphql";
import { Entity, Index } from "typeorm";
import {
  EnumColumn,
  IdColumn,
  JsonColumn,
  NameColumn,
  PrimaryIdColumn,
  TextColumn,
  TimeColumn,
} from "../../kernel/db/columns";
import { Node } from "../../kernel/graphql/node";

export enum DataRequestKind {
  ACCESS = "ACCESS",
  DELETE = "DELETE",
  CORRECT = "CORRECT",
  OPT_OUT_OF_SALE = "OPT_OUT_OF_SALE",
  LIMIT_SENSITIVE_DATA = "LIMIT_SENSITIVE_DATA",
}
export enum DataRequestStatus {
  RECEIVED = "RECEIVED",
  IN_PROGRESS = "IN_PROGRESS",
  COMPLETED = "COMPLETED",
  DENIED = "DENIED",
}
registerEnumType(DataRequestKind, { name: "DataRequestKind" });
registerEnumType(DataRequestStatus, { name: "DataRequestStatus" });

/** A person's request under their state's privacy law, with its legal deadline. Kept after a deletion. */
@ObjectType({ implements: Node })
@Entity("data_request")
@Index("ix_data_request_subject", ["subjectId", "receivedAt"])
@Index("ix_data_request_due", ["status", "dueAt"])
@Index("ix_data_request_received", ["receivedAt"])
export class DataRequest extends Node {
  @PrimaryIdColumn()
  id: string;

  @IdColumn()
  subjectId: string;

  @Field(() => DataRequestKind)
  @EnumColumn()
  kind: DataRequestKind;

  @Field(() => DataRequestStatus)
  @EnumColumn()
  status: DataRequestStatus;

  @Field(() => Date)
  @TimeColumn()
  receivedAt: Date;

  @Field(() => Date, { description: "Deadline from the person's jurisdiction." })
  @TimeColumn()
  dueAt: Date;

  @Field(() => Date, { nullable: true })
  @TimeColumn({ nullable: true })
  extendedDueAt: Date | null;

  @Field(() => Date, { nullable: true })
  @TimeColumn({ nullable: true })
  completedAt: Date | null;

  @Field(() => String, { nullable: true, description: "For CORRECT: what is wrong and what it should be." })
  @TextColumn({ nullable: true })
  details: string | null;

  @Field(() => String, { nullable: true, description: "Why it was denied, or what was done." })
  @TextColumn({ nullable: true })
  statusReason: string | null;

  @Field(() => String, { nullable: true })
  @TextColumn({ nullable: true })
  extensionReason: string | null;

  /** For ACCESS: everything held about the person, objects named by global id. */
  @JsonColumn({ nullable: true })
  exportData: Record<string, unknown> | null;

  @NameColumn()
  submittedBy: string;
}
