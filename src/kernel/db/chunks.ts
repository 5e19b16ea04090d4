/** Rows in parts of `size`, for multi-row statements that stay within the drivers' limits. */
export const chunks = <T>(rows: T[], size = 200): T[][] =>
  Array.from({ length: Math.ceil(rows.length / size) }, (_, i) => rows.slice(i * size, (i + 1) * size));
