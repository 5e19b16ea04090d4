import { request } from "node:http";

export interface PostedAnswer {
  status: number;
  headers: Record<string, unknown>;
  body: any;
}

/**
 * POSTs a GraphQL query from a chosen loopback source address (the whole 127/8 is this machine),
 * to be another client; `headers` adds request headers (X-Forwarded-For, for one).
 */
export function postFrom(
  url: string,
  localAddress: string,
  query: string,
  token?: string,
  headers: Record<string, string> = {},
): Promise<PostedAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: "POST",
        localAddress,
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode!,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(chunks).toString()),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify({ query }));
  });
}
