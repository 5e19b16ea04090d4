import { Foundation1764374400000 } from "./1764374400000-foundation";

/** Every migration, in order. Append-only once released. */
export const migrations = [Foundation1764374400000];
