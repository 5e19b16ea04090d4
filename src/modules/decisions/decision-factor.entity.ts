import { Column, Entity, Index, PrimaryColumn } from "typeorm";
import { EnumColumn, IdColumn, JsonColumn, TimeColumn, UUID_LENGTH } from "../../kernel/db/columns";
import type { LocalizedText } from "../../kernel/text/locale";
import { FactorKind, SourceClass } from "./decisions.enums";

export interface Evidence {
  key: string;
  value: string;
  /** The value in other locales; absent when the engine gave none (older hashes stay as they were). */
  localizedValues?: LocalizedText[];
}

/** One reason behind a decision, with its share of it. */
@Entity("decision_factor")
@Index("ix_decision_factor_subject", ["subjectId", "decisionId"])
export class DecisionFactor {
  @PrimaryColumn({ type: "varchar", length: UUID_LENGTH })
  decisionId: string;

  /** Order as recorded; the API lists factors largest share first. */
  @PrimaryColumn({ type: "int" })
  position: number;

  @IdColumn()
  subjectId: string;

  @EnumColumn()
  kind: FactorKind;

  @IdColumn()
  purposeId: string;

  @IdColumn()
  dataCategoryId: string;

  @EnumColumn()
  sourceClass: SourceClass;

  @IdColumn({ nullable: true })
  sourcePartnerId: string | null;

  @Column({ type: "double" })
  share: number;

  @Column({ type: "double", nullable: true })
  contribution: number | null;

  @TimeColumn({ nullable: true })
  observedFrom: Date | null;

  @TimeColumn({ nullable: true })
  observedTo: Date | null;

  @JsonColumn()
  evidence: Evidence[];
}
