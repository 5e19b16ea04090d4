import { Column, Entity, Index } from "typeorm";
import { JsonColumn, KeyColumn, NameColumn, PrimaryIdColumn, TextColumn, UrlColumn } from "../../kernel/db/columns";

/** The one row `catalog apply` keeps for the catalog's controller (matched by this key). */
export const CONTROLLER_KEY = "controller";

/**
 * Who is responsible for the personal data (the catalog's `controller:` block): named, with its
 * contact points and where the data is kept, on every consent receipt (ISO/IEC TS 27560).
 */
@Entity("data_controller")
export class DataController {
  @PrimaryIdColumn()
  id: string;

  @Index("uq_data_controller_key", { unique: true })
  @KeyColumn()
  key: string;

  @NameColumn()
  name: string;

  /** Postal address, as one text. */
  @TextColumn()
  address: string;

  @Column({ type: "varchar", length: 320 })
  email: string;

  @UrlColumn()
  url: string;

  @Column({ type: "varchar", length: 40, nullable: true })
  phone: string | null;

  @UrlColumn()
  privacyNoticeUrl: string;

  /** Where a person turns a consent off. */
  @UrlColumn()
  withdrawalUrl: string;

  /** Where a person asks for access, deletion, correction or an opt-out. */
  @UrlColumn()
  rightsUrl: string;

  /** ISO 3166-1 alpha-2 codes of the countries where the data is stored. */
  @JsonColumn()
  storageLocations: string[];

  /** Where it is processed, when the catalog says so. */
  @JsonColumn({ nullable: true })
  processingLocations: string[] | null;
}
