import type { IncomingMessage } from "node:http";
import { createAccessControl, InvalidTokenError, parseBearer } from "../auth/access-control.ts";
import type { Viewer } from "../auth/roles.ts";
import type { Config } from "../config.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import type { Logger } from "../logger.ts";

// Token check of the export routes, with the GraphQL API's rules: a valid API token of any
// role, or no token when the server runs open on loopback.

/** The caller, or the status and message to reject the request with. */
export type ExportAccess = { viewer: Viewer } | { status: 401; message: string };

/** Returns a function that authenticates an export request from its Authorization header. */
export async function createExportAuthenticator(
  config: Config,
  prisma: PrismaClient,
  logger: Logger,
): Promise<(req: IncomingMessage) => Promise<ExportAccess>> {
  const access = await createAccessControl(config, prisma, logger);
  return async (req) => {
    try {
      const viewer = await access.authenticate(parseBearer(req.headers.authorization));
      if (viewer) return { viewer };
      return {
        status: 401,
        message: "An API token is required: send it as `Authorization: Bearer <token>`.",
      };
    } catch (error) {
      if (error instanceof InvalidTokenError) return { status: 401, message: error.message };
      throw error;
    }
  };
}
