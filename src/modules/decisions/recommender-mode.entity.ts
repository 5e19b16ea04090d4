import { Entity, PrimaryColumn } from "typeorm";
import { EnumColumn, TimeColumn, UUID_LENGTH } from "../../kernel/db/columns";
import { RecommenderMode } from "../catalog";

/** A person's chosen mode on one surface; no row means PERSONALIZED. */
@Entity("recommender_mode")
export class RecommenderModeChoice {
  @PrimaryColumn({ type: "varchar", length: UUID_LENGTH })
  subjectId: string;

  @PrimaryColumn({ type: "varchar", length: UUID_LENGTH })
  surfaceId: string;

  @EnumColumn()
  mode: RecommenderMode;

  @TimeColumn()
  updatedAt: Date;
}
