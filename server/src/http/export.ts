import type { IncomingMessage, ServerResponse } from "node:http";
import type { Component } from "../app.ts";
import type { PrismaClient } from "../generated/prisma/client.ts";
import { isUuid, parseGlobalId } from "../graphql/ids.ts";
import type { Logger } from "../logger.ts";
import { queryTrend } from "../results/trend.ts";
import { ResultQueryError } from "../results/types.ts";
import { createExportAuthenticator } from "./export-auth.ts";
import {
  ExportInterruptedError,
  writeCollectionResults,
  type ExportFormat,
} from "./export-results.ts";
import { parseTrendParameters, writeTrend } from "./export-trend.ts";
import { ClientClosedError, sendJsonError } from "./response-stream.ts";

// Download routes for BI tools and spreadsheets, with the GraphQL API's token rules:
//   GET /export/collections/{id}.csv|.json        every week's rows, week columns first
//   GET /export/collections/{id}/trend.csv|.json  a trend; parameters as Collection.trend
// {id} is the collection's GraphQL id or its database uuid.

const exportPath = /^\/export\/collections\/([^/]+?)(\/trend)?\.(csv|json)$/;

const contentTypes: Record<ExportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  json: "application/json; charset=utf-8",
};

/** A parsed export request. */
interface ExportRequest {
  collectionId: string | null;
  kind: "results" | "trend";
  format: ExportFormat;
  params: URLSearchParams;
}

function parseExportRequest(req: IncomingMessage): ExportRequest | null {
  const url = new URL(req.url ?? "/", "http://localhost");
  const match = exportPath.exec(url.pathname);
  if (!match) return null;
  const id = decodeURIComponent(match[1]!);
  return {
    collectionId: isUuid(id) ? id : parseGlobalId(id, "Collection"),
    kind: match[2] ? "trend" : "results",
    format: match[3] as ExportFormat,
    params: url.searchParams,
  };
}

function startDownload(res: ServerResponse, format: ExportFormat, filename: string): void {
  res.writeHead(200, {
    "content-type": contentTypes[format],
    "content-disposition": `attachment; filename="${filename}.${format}"`,
    "cache-control": "no-store",
  });
}

/** Sends one export; returns false when the collection does not exist. */
async function handleExport(
  prisma: PrismaClient,
  request: ExportRequest,
  res: ServerResponse,
): Promise<boolean> {
  const exists =
    request.collectionId !== null &&
    (await prisma.collection.count({ where: { id: request.collectionId } })) > 0;
  if (!exists) {
    sendJsonError(res, 404, { error: "Collection not found: check the id in the URL." });
    return false;
  }
  const collectionId = request.collectionId!;
  if (request.kind === "results") {
    startDownload(res, request.format, `collection-${collectionId}`);
    await writeCollectionResults(prisma, collectionId, request.format, res);
    return true;
  }
  const trendRequest = parseTrendParameters(collectionId, request.params);
  const trend = await queryTrend(prisma, trendRequest);
  const metricSlug = trend.metric.replace(/[^A-Za-z0-9_-]/g, "_");
  startDownload(res, request.format, `collection-${collectionId}-trend-${metricSlug}`);
  await writeTrend(trend, request.format, res);
  return true;
}

function handleFailure(error: unknown, res: ServerResponse, logger: Logger, path: string): void {
  if (error instanceof ResultQueryError && !res.headersSent) {
    sendJsonError(res, 400, {
      error: error.message,
      field: error.field,
      availableColumns: error.availableColumns,
    });
    return;
  }
  if (error instanceof ClientClosedError) {
    logger.info({ path }, "export stopped: the client closed the connection");
    return;
  }
  if (error instanceof ExportInterruptedError) {
    logger.warn({ err: error, path }, "export stopped: a week's result was replaced");
  } else {
    logger.error({ err: error, path }, "export failed");
  }
  // Once the body has started, only a broken connection signals that the file is cut short.
  if (res.headersSent) res.destroy(error as Error);
  else sendJsonError(res, 500, { error: "The export failed; the details are in the server log." });
}

/** Serves the CSV and JSON export routes. */
export const exportComponent: Component = async ({ config, logger, database, parts }) => {
  const exportLogger = logger.child({ component: "export" });
  const authenticate = await createExportAuthenticator(config, database.prisma, exportLogger);
  parts.routes.push(async (req, res) => {
    const request = parseExportRequest(req);
    if (!request) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      sendJsonError(
        res,
        405,
        { error: `${req.method} is not allowed: use GET.` },
        { allow: "GET" },
      );
      return true;
    }
    const access = await authenticate(req);
    if ("status" in access) {
      sendJsonError(
        res,
        access.status,
        { error: access.message },
        {
          "www-authenticate": 'Bearer realm="amc-collections"',
        },
      );
      return true;
    }
    const startedMs = performance.now();
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    try {
      if (!(await handleExport(database.prisma, request, res))) return true;
      res.end();
      exportLogger.info(
        {
          path,
          caller: access.viewer.source,
          durationMs: Math.round(performance.now() - startedMs),
        },
        "export sent",
      );
    } catch (error) {
      handleFailure(error, res, exportLogger, path);
    }
    return true;
  });
};
