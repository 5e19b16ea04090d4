import { Column, Entity, Index, JoinColumn, ManyToOne } from "typeorm";
import { EnumColumn, IdColumn, JsonColumn, NameColumn, PrimaryIdColumn, TimeColumn } from "../kernel/db/columns";
import { Partner } from "../modules/catalog/partner.entity";

export enum ApiKeyKind {
  SERVICE = "SERVICE",
  PARTNER = "PARTNER",
}

/** An API key is stored only as its SHA-256; the key itself is shown once, at creation. */
@Entity("api_key")
export class ApiKey {
  @PrimaryIdColumn()
  id: string;

  /** The first 12 characters the CLI printed, so a key can be named for revocation. */
  @Index("ix_api_key_prefix")
  @Column({ type: "varchar", length: 12 })
  prefix: string;

  @Index("uq_api_key_hash", { unique: true })
  @Column({ type: "varchar", length: 64 })
  hash: string;

  @EnumColumn()
  kind: ApiKeyKind;

  @NameColumn()
  name: string;

  @IdColumn({ nullable: true })
  partnerId: string | null;

  @ManyToOne(() => Partner, { onDelete: "CASCADE", nullable: true })
  @JoinColumn({ name: "partner_id" })
  partner?: Partner;

  @JsonColumn()
  scopes: string[];

  @TimeColumn()
  createdAt: Date;

  @TimeColumn({ nullable: true })
  revokedAt: Date | null;
}
