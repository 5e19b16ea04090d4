import type { Server } from "node:http";

// Problems met when starting Candor, each with one line that says what to do about it: main.ts
// prints that line and exits 1, never a stack.

/** The port is taken by another process (or another Candor). */
export class PortInUseError extends Error {
  constructor(readonly port: number) {
    super(`Port ${port} is already in use: stop what uses it, or start Candor with PORT=<another port>`);
  }
}

/** Any other reason the server cannot listen (a privileged port, a HOST this machine does not have). */
export class ListenError extends Error {}

/** `server.listen` that rejects with a clear error, instead of an unhandled 'error' event, when it cannot listen. */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => {
      if (err.code === "EADDRINUSE") reject(new PortInUseError(port));
      else if (err.code === "EACCES") reject(new ListenError(`Port ${port} needs privileges: start Candor with PORT=<a port above 1023>`));
      else if (err.code === "EADDRNOTAVAIL") reject(new ListenError(`HOST=${host} is not an address of this machine: use 0.0.0.0 or 127.0.0.1`));
      else reject(err);
    };
    server.once("error", fail);
    server.listen(port, host, () => {
      server.off("error", fail);
      resolve();
    });
  });
}
